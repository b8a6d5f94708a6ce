// The source of a server-side copy (CopyObject, UploadPartCopy): the x-amz-copy-source header
// and the x-amz-copy-source-if-* conditions on it.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "s3/s3_call.h"

namespace sluice::s3 {

struct CopySource {
  std::string bucket;
  std::string key;
};

// x-amz-copy-source: "/bucket/url-encoded-key" or "bucket/url-encoded-key", maybe with
// "?versionId=..." (only "null", the version of an unversioned bucket's objects).
Result<CopySource> ParseCopySource(std::string_view header);

// The call's copy source, checked to exist and to meet its x-amz-copy-source-if-* conditions
// (PreconditionFailed otherwise).
Result<CopySource> ReadCopySource(const S3Call& call, lake::ObjectInfo& source_info);

// An object's bytes (a reader's range) as the body of a write.
class ObjectReaderSource final : public lake::ByteSource {
 public:
  explicit ObjectReaderSource(std::unique_ptr<lake::ObjectReader> reader)
      : reader_(std::move(reader)) {}
  Result<size_t> Read(char* buffer, size_t size) override { return reader_->Read(buffer, size); }

 private:
  std::unique_ptr<lake::ObjectReader> reader_;
};

}  // namespace sluice::s3
