// AwsChunkedDecoder: reads an aws-chunked body (Content-Encoding: aws-chunked) and yields the
// object bytes inside it.
//
//   signed:    <hex>;chunk-signature=<sig>\r\n<data>\r\n ... 0;chunk-signature=<sig>\r\n
//   unsigned:  <hex>\r\n<data>\r\n ... 0\r\n
//   then trailer lines (name:value\r\n, the signed form ending with x-amz-trailer-signature) and
//   a blank line.
//
// With signing on, each chunk's signature is checked, chained from the request's signature, when
// the chunk ends; the trailer's when it has been read. Anything malformed or mis-signed fails the
// read that finds it (IncompleteBody, InvalidChunkSizeError... as S3Refusals), at the latest the
// one that would report the end, so a consumer never sees a clean end of a bad body.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "sluice/common/sha256.h"
#include "sluice/lake/object_store.h"

namespace sluice::s3 {

struct ChunkSigning {
  std::string signing_key;
  std::string amz_date;
  std::string scope;
  std::string seed_signature;
};

class AwsChunkedDecoder final : public lake::ByteSource {
 public:
  // `signing`: nullopt for unsigned chunks (STREAMING-UNSIGNED-PAYLOAD-TRAILER).
  AwsChunkedDecoder(lake::ByteSource& encoded, std::optional<ChunkSigning> signing);

  Result<size_t> Read(char* buffer, size_t size) override;

  // The trailer's headers (names lower-case) once the body has been read to its end.
  const std::map<std::string, std::string>& trailers() const { return trailers_; }

 private:
  enum class State { kChunkHeader, kChunkData, kChunkEnd, kTrailer, kDone };

  Status ReadChunkHeader();
  Status FinishChunk();
  Status ReadTrailer();
  // One line without its "\r\n"; false at end of body when `end_allowed`.
  Result<bool> ReadLine(std::string& line, bool end_allowed);
  // Refills the look-ahead buffer; false at end of body.
  Result<bool> Fill();
  Status Verify(const std::string& expected, const std::string& provided, std::string_view what);

  lake::ByteSource& encoded_;
  std::optional<ChunkSigning> signing_;
  State state_ = State::kChunkHeader;
  std::string buffer_;
  size_t buffer_position_ = 0;
  uint64_t chunk_left_ = 0;
  bool final_chunk_ = false;
  std::string chunk_signature_;         // the current chunk's, as sent
  std::string previous_signature_;      // the last verified one
  std::unique_ptr<Sha256> chunk_hash_;  // of the current chunk's data, when signed
  std::map<std::string, std::string> trailers_;
};

}  // namespace sluice::s3
