// PutEvents: custom events from users, validated as EventBridge's PutEvents validates them, and
// appended to the event log in one transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sluice/common/aws_identity.h"
#include "sluice/common/clock.h"
#include "sluice/common/result.h"
#include "sluice/store/database.h"

namespace sluice::bus {

struct PutEventsEntry {
  std::string source;       // required; must not start with "aws."
  std::string detail_type;  // required; at most 128 characters
  std::string detail;       // required; a JSON object
  std::vector<std::string> resources;
  std::optional<TimePoint> time;  // default: now
};

// Checks one entry; errors name the field (ValidationException).
Status ValidatePutEventsEntry(const PutEventsEntry& entry);

// Appends 1-10 entries (under 256 KB in all) atomically; returns their event ids in order.
Result<std::vector<std::string>> PutEvents(store::Database& db,
                                           const std::vector<PutEventsEntry>& entries,
                                           const AwsIdentity& identity, const Clock& clock);

}  // namespace sluice::bus
