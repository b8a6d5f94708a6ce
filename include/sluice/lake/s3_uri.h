// `s3://bucket/key` URIs, as the aws CLI writes them.
#pragma once

#include <string>
#include <string_view>

#include "sluice/common/result.h"

namespace sluice::lake {

struct S3Uri {
  std::string bucket;
  std::string key;  // may be empty ("s3://bucket" or "s3://bucket/")

  std::string ToString() const { return "s3://" + bucket + (key.empty() ? "" : "/" + key); }
};

bool IsS3Uri(std::string_view text);
// Fails with InvalidArgument when `text` is not s3://BUCKET[/KEY].
Result<S3Uri> ParseS3Uri(std::string_view text);

}  // namespace sluice::lake
