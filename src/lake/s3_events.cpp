#include "sluice/lake/s3_events.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "sluice/common/ids.h"
#include "sluice/common/time_format.h"

namespace sluice::lake {
namespace {

using nlohmann::json;

// `extra` holds detail fields particular to the detail-type.
store::LoggedEvent Build(const LakeIdentity& lake, const ObjectChange& change,
                         std::string detail_type, json object, json extra = json::object()) {
  json detail = {{"version", "0"}, {"bucket", {{"name", change.bucket}}}, {"object", object}};
  detail.update(extra);
  detail["request-id"] = change.request.request_id.empty() ? NewUuid() : change.request.request_id;
  detail["requester"] =
      change.request.requester.empty() ? lake.account_id : change.request.requester;
  if (!change.request.source_ip.empty()) detail["source-ip-address"] = change.request.source_ip;
  detail["reason"] = change.reason;

  store::LoggedEvent event;
  event.id = NewUuid();
  event.time = change.time;
  event.source = "aws.s3";
  event.detail_type = std::move(detail_type);
  json envelope = {{"version", "0"},
                   {"id", event.id},
                   {"detail-type", event.detail_type},
                   {"source", event.source},
                   {"account", lake.account_id},
                   {"time", FormatRfc3339Seconds(change.time)},
                   {"region", lake.region},
                   {"resources", json::array({"arn:aws:s3:::" + change.bucket})},
                   {"detail", std::move(detail)}};
  // Keys are arbitrary UTF-8 validated on the way in; replace rather than throw on anything else.
  event.body = envelope.dump(-1, ' ', false, json::error_handler_t::replace);
  return event;
}

}  // namespace

store::LoggedEvent ObjectCreatedEvent(const LakeIdentity& lake, const ObjectChange& change) {
  json object = {{"key", change.key},
                 {"size", change.size.value_or(0)},
                 {"etag", change.etag},
                 {"sequencer", change.sequencer}};
  return Build(lake, change, "Object Created", std::move(object));
}

store::LoggedEvent ObjectDeletedEvent(const LakeIdentity& lake, const ObjectChange& change) {
  json object = {{"key", change.key}, {"etag", change.etag}, {"sequencer", change.sequencer}};
  // The lake keeps no versions, so every delete is permanent.
  return Build(lake, change, "Object Deleted", std::move(object),
               {{"deletion-type", "Permanently Deleted"}});
}

std::string FormatSequencer(int64_t counter) {
  return fmt::format("{:016X}", counter);
}

}  // namespace sluice::lake
