// Payload: the object bytes a PUT or UploadPart request carries, with every check the request
// asks for run as they pass:
//   - aws-chunked framing removed (Content-Encoding: aws-chunked, or a STREAMING-... payload
//     hash), each chunk signature and the trailer signature verified when signed;
//   - the declared x-amz-content-sha256 (64 hex digits) compared with the bytes;
//   - the x-amz-checksum-<algorithm> of a header or the trailer compared with the bytes;
//   - the length compared with Content-Length or x-amz-decoded-content-length.
// A failed check fails the read that finds it, at the latest the one that would have reported
// the end, so the lake never commits a body that did not check out.
//
// Content-MD5 is left to the lake, which hashes MD5 for the ETag anyway (PutOptions::content_md5).
#pragma once

#include <memory>
#include <optional>

#include "s3/checksums.h"
#include "sluice/http/exchange.h"
#include "sluice/common/sha256.h"
#include "sluice/s3/sigv4_verifier.h"

namespace sluice::s3 {

class AwsChunkedDecoder;

class Payload final : public lake::ByteSource {
 public:
  // Fails before reading anything when the request's headers make no sense together (an unknown
  // checksum algorithm, two checksum headers, SigV4a, a missing length).
  static Result<std::unique_ptr<Payload>> Open(const http::HttpRequest& request,
                                               const VerifiedRequest& auth,
                                               http::RequestBody& body);
  ~Payload() override;

  Result<size_t> Read(char* buffer, size_t size) override;

  // The object's size as the request declares it, when it does.
  std::optional<uint64_t> declared_size() const { return declared_size_; }
  // After the end has been read: the checksum to store and echo, as its header, when the
  // request named an algorithm.
  std::optional<Header> checksum() const { return checksum_; }
  std::map<std::string, std::string> TrailingHeaders() const override;

 private:
  explicit Payload(http::RequestBody& body);
  Status CheckEnd();

  http::RequestBody& body_;
  std::unique_ptr<AwsChunkedDecoder> decoder_;
  lake::ByteSource* source_ = nullptr;  // body_ or decoder_
  std::optional<uint64_t> declared_size_;
  uint64_t bytes_ = 0;
  bool ended_ = false;
  std::string expected_sha256_;  // hex, when the payload hash is one
  std::unique_ptr<Sha256> sha256_;
  std::unique_ptr<Checksum> checksum_state_;
  std::optional<std::string> expected_checksum_;  // from a header; else the trailer's
  std::string trailer_name_;                      // x-amz-trailer, lower-case
  std::optional<Header> checksum_;
};

// The whole body of a request that carries a small document (DeleteObjects,
// CompleteMultipartUpload, CreateBucket), checked as above. MaxMessageLengthExceeded past
// `max_bytes`.
Result<std::string> ReadSmallPayload(const http::HttpRequest& request, const VerifiedRequest& auth,
                                     http::RequestBody& body, size_t max_bytes);

}  // namespace sluice::s3
