// The EventBridge events S3 emits for object changes (source `aws.s3`, detail-types
// `Object Created` and `Object Deleted`), with the envelope and `detail` fields AWS sends.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sluice/common/aws_identity.h"
#include "sluice/common/clock.h"
#include "sluice/lake/object_store.h"
#include "sluice/store/event_log.h"

namespace sluice::lake {

struct ObjectChange {
  std::string bucket;
  std::string key;
  std::optional<uint64_t> size;  // absent on deletes
  std::string etag;
  std::string sequencer;  // orders the changes of one key
  std::string reason;     // PutObject | CopyObject | CompleteMultipartUpload | DeleteObject | ...
  TimePoint time;
  RequestContext request;
};

store::LoggedEvent ObjectCreatedEvent(const AwsIdentity& lake, const ObjectChange& change);
// An Object Deleted event for a permanent delete (the lake keeps no versions).
store::LoggedEvent ObjectDeletedEvent(const AwsIdentity& lake, const ObjectChange& change);

// S3 sequencers are hex strings compared after right-padding with zeros; a fixed width of 16
// digits keeps them ordered by plain comparison too.
std::string FormatSequencer(int64_t counter);

}  // namespace sluice::lake
