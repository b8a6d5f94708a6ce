#include "sluice/lake/s3_uri.h"

namespace sluice::lake {

namespace {
constexpr std::string_view kScheme = "s3://";
}

bool IsS3Uri(std::string_view text) {
  return text.starts_with(kScheme);
}

Result<S3Uri> ParseS3Uri(std::string_view text) {
  if (!IsS3Uri(text)) {
    return Status::InvalidArgument("\"" + std::string(text) + "\" is not an s3://BUCKET/KEY URI");
  }
  std::string_view rest = text.substr(kScheme.size());
  size_t slash = rest.find('/');
  S3Uri uri;
  uri.bucket = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) uri.key = std::string(rest.substr(slash + 1));
  if (uri.bucket.empty()) {
    return Status::InvalidArgument("\"" + std::string(text) + "\" names no bucket");
  }
  return uri;
}

}  // namespace sluice::lake
