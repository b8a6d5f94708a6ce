#include "s3/aws_chunked.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <charconv>

#include "s3/ascii.h"
#include "sluice/s3/s3_error.h"
#include "sluice/s3/sigv4.h"

namespace sluice::s3 {
namespace {

constexpr size_t kBufferBytes = 64 * 1024;
// A chunk header or trailer line is short; a longer one is not aws-chunked.
constexpr size_t kMaxLineBytes = 4096;
constexpr size_t kMaxTrailerBytes = 16 * 1024;

Status Malformed(std::string message) {
  return S3Refusal("IncompleteBody", "aws-chunked body: " + std::move(message));
}

}  // namespace

AwsChunkedDecoder::AwsChunkedDecoder(lake::ByteSource& encoded, std::optional<ChunkSigning> signing)
    : encoded_(encoded), signing_(std::move(signing)) {
  if (signing_) previous_signature_ = signing_->seed_signature;
}

Result<bool> AwsChunkedDecoder::Fill() {
  if (buffer_position_ > 0) {
    buffer_.erase(0, buffer_position_);
    buffer_position_ = 0;
  }
  size_t old_size = buffer_.size();
  buffer_.resize(old_size + kBufferBytes);
  auto n = encoded_.Read(buffer_.data() + old_size, kBufferBytes);
  if (!n.ok()) {
    buffer_.resize(old_size);
    return n.status();
  }
  buffer_.resize(old_size + *n);
  return *n > 0;
}

Result<bool> AwsChunkedDecoder::ReadLine(std::string& line, bool end_allowed) {
  for (;;) {
    size_t end = buffer_.find("\r\n", buffer_position_);
    if (end != std::string::npos) {
      line.assign(buffer_, buffer_position_, end - buffer_position_);
      buffer_position_ = end + 2;
      return true;
    }
    if (buffer_.size() - buffer_position_ > kMaxLineBytes) return Malformed("a line is too long");
    SLUICE_ASSIGN_OR_RETURN(bool more, Fill());
    if (!more) {
      if (end_allowed && buffer_position_ == buffer_.size()) return false;
      return Malformed("the body ends inside a chunk header or trailer");
    }
  }
}

Status AwsChunkedDecoder::Verify(const std::string& expected, const std::string& provided,
                                 std::string_view what) {
  if (expected.size() != provided.size() ||
      CRYPTO_memcmp(expected.data(), provided.data(), expected.size()) != 0) {
    return S3Refusal("SignatureDoesNotMatch",
                     "the " + std::string(what) + " signature of the aws-chunked body is wrong");
  }
  return Status::Ok();
}

Status AwsChunkedDecoder::ReadChunkHeader() {
  std::string line;
  SLUICE_ASSIGN_OR_RETURN(bool got, ReadLine(line, /*end_allowed=*/false));
  (void)got;
  std::string_view header = line;
  std::string_view size_text = header.substr(0, header.find(';'));
  uint64_t size = 0;
  auto [end, error] =
      std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
  if (error != std::errc() || end != size_text.data() + size_text.size() || size_text.empty()) {
    return S3Refusal("InvalidChunkSizeError",
                     "aws-chunked body: a chunk header is not a hex size: " + line.substr(0, 80));
  }
  chunk_signature_.clear();
  if (size_t semicolon = header.find(';'); semicolon != std::string_view::npos) {
    std::string_view extension = header.substr(semicolon + 1);
    constexpr std::string_view kSignature = "chunk-signature=";
    if (extension.substr(0, kSignature.size()) == kSignature) {
      chunk_signature_ = std::string(extension.substr(kSignature.size()));
    }
  }
  if (signing_ && chunk_signature_.empty()) return Malformed("a chunk has no chunk-signature");
  chunk_left_ = size;
  final_chunk_ = size == 0;
  if (signing_) chunk_hash_ = std::make_unique<Sha256>();
  state_ = final_chunk_ ? State::kChunkEnd : State::kChunkData;
  return Status::Ok();
}

Status AwsChunkedDecoder::FinishChunk() {
  if (signing_) {
    std::string expected =
        ChunkSignature(signing_->signing_key, signing_->amz_date, signing_->scope,
                       previous_signature_, chunk_hash_->FinishHex());
    SLUICE_RETURN_IF_ERROR(Verify(expected, chunk_signature_, "chunk"));
    previous_signature_ = chunk_signature_;
  }
  if (final_chunk_) {
    state_ = State::kTrailer;
    return Status::Ok();
  }
  // The "\r\n" after the data.
  while (buffer_.size() - buffer_position_ < 2) {
    SLUICE_ASSIGN_OR_RETURN(bool more, Fill());
    if (!more) return Malformed("the body ends inside a chunk");
  }
  if (buffer_.compare(buffer_position_, 2, "\r\n") != 0) {
    return Malformed("a chunk is longer than its header says");
  }
  buffer_position_ += 2;
  state_ = State::kChunkHeader;
  return Status::Ok();
}

Status AwsChunkedDecoder::ReadTrailer() {
  std::string signed_lines;  // every trailer line but the signature, as signed
  std::string trailer_signature;
  size_t total = 0;
  for (;;) {
    std::string line;
    // Some clients end the body right after the last trailer line.
    SLUICE_ASSIGN_OR_RETURN(bool got, ReadLine(line, /*end_allowed=*/true));
    if (!got || line.empty()) break;
    total += line.size();
    if (total > kMaxTrailerBytes) return Malformed("the trailer is too long");
    size_t colon = line.find(':');
    if (colon == std::string::npos) return Malformed("a trailer line has no ':'");
    std::string name = ToLowerAscii(TrimAscii(std::string_view(line).substr(0, colon)));
    std::string value(TrimAscii(std::string_view(line).substr(colon + 1)));
    if (name == "x-amz-trailer-signature") {
      trailer_signature = value;
      continue;
    }
    signed_lines += line + "\n";
    trailers_[name] = value;
  }
  if (signing_ && (!trailers_.empty() || !trailer_signature.empty())) {
    if (trailer_signature.empty()) return Malformed("the trailer has no x-amz-trailer-signature");
    std::string expected = TrailerSignature(signing_->signing_key, signing_->amz_date,
                                            signing_->scope, previous_signature_, signed_lines);
    SLUICE_RETURN_IF_ERROR(Verify(expected, trailer_signature, "trailer"));
  }
  state_ = State::kDone;
  return Status::Ok();
}

Result<size_t> AwsChunkedDecoder::Read(char* buffer, size_t size) {
  for (;;) {
    switch (state_) {
      case State::kChunkHeader:
        SLUICE_RETURN_IF_ERROR(ReadChunkHeader());
        break;
      case State::kChunkData: {
        if (size == 0) return size_t{0};
        size_t want = static_cast<size_t>(std::min<uint64_t>(chunk_left_, size));
        size_t n = 0;
        if (buffer_position_ < buffer_.size()) {
          n = std::min(want, buffer_.size() - buffer_position_);
          std::copy_n(buffer_.data() + buffer_position_, n, buffer);
          buffer_position_ += n;
        } else {
          // Nothing looked ahead: read the data straight into the caller's buffer.
          SLUICE_ASSIGN_OR_RETURN(n, encoded_.Read(buffer, want));
          if (n == 0) return Malformed("the body ends inside a chunk");
        }
        if (signing_) chunk_hash_->Update(buffer, n);
        chunk_left_ -= n;
        if (chunk_left_ == 0) state_ = State::kChunkEnd;
        return n;
      }
      case State::kChunkEnd:
        SLUICE_RETURN_IF_ERROR(FinishChunk());
        break;
      case State::kTrailer:
        SLUICE_RETURN_IF_ERROR(ReadTrailer());
        break;
      case State::kDone:
        return size_t{0};
    }
  }
}

}  // namespace sluice::s3
