#include "sluice/bus/put_events.h"

#include <nlohmann/json.hpp>

#include "sluice/store/event_log.h"

namespace sluice::bus {
namespace {

constexpr size_t kMaxEntries = 10;
constexpr size_t kMaxTotalBytes = 256 * 1024;

}  // namespace

Status ValidatePutEventsEntry(const PutEventsEntry& e) {
  if (e.source.empty()) return Status::Validation("Source is required");
  if (e.source.size() > 256) return Status::Validation("Source is longer than 256 characters");
  if (e.source.rfind("aws.", 0) == 0) {
    return Status::Validation(
        "Source \"" + e.source +
        "\" is reserved for AWS services; custom sources must not start with \"aws.\"");
  }
  if (e.detail_type.empty()) return Status::Validation("DetailType is required");
  if (e.detail_type.size() > 128)
    return Status::Validation("DetailType is longer than 128 characters");
  if (e.detail.empty()) return Status::Validation("Detail is required");
  auto detail = nlohmann::json::parse(e.detail, nullptr, false);
  if (detail.is_discarded()) return Status::Validation("Detail is not valid JSON");
  if (!detail.is_object()) return Status::Validation("Detail must be a JSON object");
  for (const std::string& resource : e.resources) {
    if (resource.empty() || resource.size() > 2048) {
      return Status::Validation("each of Resources must be 1 to 2048 characters long");
    }
  }
  return Status::Ok();
}

Result<std::vector<std::string>> PutEvents(store::Database& db,
                                           const std::vector<PutEventsEntry>& entries,
                                           const AwsIdentity& identity, const Clock& clock) {
  if (entries.empty() || entries.size() > kMaxEntries) {
    return Status::Validation("PutEvents takes 1 to 10 entries, not " +
                              std::to_string(entries.size()));
  }
  size_t total = 0;
  std::vector<store::LoggedEvent> events;
  for (size_t i = 0; i < entries.size(); ++i) {
    const PutEventsEntry& e = entries[i];
    SLUICE_RETURN_IF_ERROR(ValidatePutEventsEntry(e).WithContext("entry " + std::to_string(i + 1)));
    store::EventSpec spec;
    spec.source = e.source;
    spec.detail_type = e.detail_type;
    spec.detail = nlohmann::json::parse(e.detail);
    spec.resources = e.resources;
    spec.received = clock.Now();
    spec.time = e.time.value_or(*spec.received);
    spec.account = identity.account_id;
    spec.region = identity.region;
    events.push_back(store::BuildEvent(spec));
    total += events.back().body.size();
  }
  if (total >= kMaxTotalBytes) {
    return Status::Validation("the events total " + std::to_string(total) +
                              " bytes; PutEvents takes < 256 KB");
  }
  std::vector<std::string> ids;
  SLUICE_RETURN_IF_ERROR(db.Write([&](store::Transaction& tx) -> Status {
    ids.clear();
    for (const store::LoggedEvent& event : events) {
      SLUICE_RETURN_IF_ERROR(store::AppendEvent(tx, event).status());
      ids.push_back(event.id);
    }
    return Status::Ok();
  }));
  return ids;
}

}  // namespace sluice::bus
