#include "sluice/lake/s3_events.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "sluice/common/ids.h"

namespace sluice::lake {
namespace {

using nlohmann::json;

// `extra` holds detail fields particular to the detail-type.
store::LoggedEvent Build(const AwsIdentity& lake, const ObjectChange& change,
                         std::string detail_type, json object, json extra = json::object()) {
  json detail = {{"version", "0"}, {"bucket", {{"name", change.bucket}}}, {"object", object}};
  detail.update(extra);
  detail["request-id"] = change.request.request_id.empty() ? NewUuid() : change.request.request_id;
  detail["requester"] =
      change.request.requester.empty() ? lake.account_id : change.request.requester;
  if (!change.request.source_ip.empty()) detail["source-ip-address"] = change.request.source_ip;
  detail["reason"] = change.reason;

  store::EventSpec spec;
  spec.source = "aws.s3";
  spec.detail_type = std::move(detail_type);
  spec.detail = std::move(detail);
  spec.resources = {"arn:aws:s3:::" + change.bucket};
  spec.time = change.time;
  spec.account = lake.account_id;
  spec.region = lake.region;
  return store::BuildEvent(spec);
}

}  // namespace

store::LoggedEvent ObjectCreatedEvent(const AwsIdentity& lake, const ObjectChange& change) {
  json object = {{"key", change.key},
                 {"size", change.size.value_or(0)},
                 {"etag", change.etag},
                 {"sequencer", change.sequencer}};
  return Build(lake, change, "Object Created", std::move(object));
}

store::LoggedEvent ObjectDeletedEvent(const AwsIdentity& lake, const ObjectChange& change) {
  json object = {{"key", change.key}, {"etag", change.etag}, {"sequencer", change.sequencer}};
  // The lake keeps no versions, so every delete is permanent.
  return Build(lake, change, "Object Deleted", std::move(object),
               {{"deletion-type", "Permanently Deleted"}});
}

std::string FormatSequencer(int64_t counter) {
  return fmt::format("{:016X}", counter);
}

}  // namespace sluice::lake
