#include "s3/payload.h"

#include <algorithm>

#include "s3/ascii.h"
#include "s3/aws_chunked.h"
#include "sluice/s3/s3_error.h"

namespace sluice::s3 {
namespace {

constexpr std::string_view kChecksumPrefix = "x-amz-checksum-";

bool IsHexSha256(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool HasToken(std::string_view list, std::string_view token) {
  auto items = SplitCommaList(list);
  return std::any_of(items.begin(), items.end(),
                     [&](std::string_view item) { return EqualsIgnoreCaseAscii(item, token); });
}

}  // namespace

Result<std::unique_ptr<Payload>> Payload::Open(const http::HttpRequest& request,
                                               const VerifiedRequest& auth,
                                               http::RequestBody& body) {
  std::unique_ptr<Payload> payload(new Payload(body));
  const std::string& hash = auth.payload_hash;
  bool streaming = hash.rfind("STREAMING-", 0) == 0;
  if (streaming && hash.find("ECDSA") != std::string::npos) {
    return S3Refusal("NotImplemented", "SigV4a (" + hash + ") is not supported; sign with SigV4");
  }
  auto encoding = request.HeaderValue("content-encoding");
  bool chunked = streaming || (encoding && HasToken(*encoding, "aws-chunked"));
  if (chunked) {
    auto decoded = request.HeaderValue("x-amz-decoded-content-length");
    if (decoded) {
      payload->declared_size_ = ParseDecimal(*decoded);
      if (!payload->declared_size_) {
        return S3Refusal("InvalidArgument", "x-amz-decoded-content-length is not a number");
      }
    } else if (hash == kStreamingPayload || hash == kStreamingPayloadTrailer) {
      return S3Refusal("MissingContentLength",
                       "a signed aws-chunked body needs x-amz-decoded-content-length");
    }
    std::optional<ChunkSigning> signing;
    if (hash == kStreamingPayload || hash == kStreamingPayloadTrailer) {
      signing = ChunkSigning{auth.signing_key, auth.amz_date, auth.scope, auth.seed_signature};
    }
    payload->decoder_ = std::make_unique<AwsChunkedDecoder>(body, std::move(signing));
    payload->source_ = payload->decoder_.get();
  } else {
    payload->declared_size_ = request.content_length;
    payload->source_ = &body;
    if (IsHexSha256(hash)) {
      payload->expected_sha256_ = hash;
      payload->sha256_ = std::make_unique<Sha256>();
    }
  }

  // At most one checksum: a header with its value, or a trailer that will carry it, or just an
  // algorithm to compute.
  std::optional<ChecksumAlgorithm> algorithm;
  for (const auto& [name, value] : request.headers) {
    std::string lower = ToLowerAscii(name);
    if (!CarriesChecksum(lower)) {
      continue;
    }
    auto named = ChecksumAlgorithmNamed(std::string_view(lower).substr(kChecksumPrefix.size()));
    if (!named) return S3Refusal("InvalidRequest", "unknown checksum header " + name);
    if (algorithm) {
      return S3Refusal("InvalidRequest", "Expecting a single x-amz-checksum- header");
    }
    algorithm = named;
    payload->expected_checksum_ = value;
  }
  if (auto trailer = request.HeaderValue("x-amz-trailer")) {
    std::string name = ToLowerAscii(*trailer);
    auto named = name.rfind(kChecksumPrefix, 0) == 0
                     ? ChecksumAlgorithmNamed(std::string_view(name).substr(kChecksumPrefix.size()))
                     : std::nullopt;
    if (!named) return S3Refusal("InvalidRequest", "unsupported x-amz-trailer " + name);
    if (algorithm && *algorithm != *named) {
      return S3Refusal("InvalidRequest", "Expecting a single x-amz-checksum- header");
    }
    if (!payload->decoder_) {
      return S3Refusal("InvalidRequest", "x-amz-trailer needs an aws-chunked body");
    }
    algorithm = named;
    payload->trailer_name_ = name;
  }
  if (auto sdk = request.HeaderValue("x-amz-sdk-checksum-algorithm"); sdk && !algorithm) {
    algorithm = ChecksumAlgorithmNamed(*sdk);
    if (!algorithm) {
      return S3Refusal("InvalidRequest",
                       "unknown x-amz-sdk-checksum-algorithm " + std::string(*sdk));
    }
  }
  if (algorithm) payload->checksum_state_ = std::make_unique<Checksum>(*algorithm);
  return payload;
}

Payload::Payload(http::RequestBody& body) : body_(body) {}

Payload::~Payload() = default;

std::map<std::string, std::string> Payload::TrailingHeaders() const {
  if (!checksum_) return {};
  return {{checksum_->first, checksum_->second}};
}

Result<size_t> Payload::Read(char* buffer, size_t size) {
  if (ended_) return size_t{0};
  SLUICE_ASSIGN_OR_RETURN(size_t n, source_->Read(buffer, size));
  if (n == 0 && size > 0) {
    SLUICE_RETURN_IF_ERROR(CheckEnd());
    ended_ = true;
    return size_t{0};
  }
  bytes_ += n;
  if (declared_size_ && bytes_ > *declared_size_) {
    return S3Refusal("InvalidRequest", "the body is longer than its declared length of " +
                                           std::to_string(*declared_size_) + " bytes");
  }
  if (sha256_) sha256_->Update(buffer, n);
  if (checksum_state_) checksum_state_->Update(buffer, n);
  return n;
}

Status Payload::CheckEnd() {
  if (declared_size_ && bytes_ != *declared_size_) {
    return S3Refusal("IncompleteBody", "the body has " + std::to_string(bytes_) +
                                           " bytes, fewer than its declared length of " +
                                           std::to_string(*declared_size_));
  }
  if (sha256_ && sha256_->FinishHex() != expected_sha256_) {
    return S3Refusal(
        "XAmzContentSHA256Mismatch",
        "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  if (checksum_state_) {
    std::string computed = checksum_state_->FinishBase64();
    std::string header = ChecksumHeaderName(checksum_state_->algorithm());
    std::optional<std::string> expected = expected_checksum_;
    if (!trailer_name_.empty()) {
      auto it = decoder_->trailers().find(trailer_name_);
      if (it == decoder_->trailers().end()) {
        return S3Refusal("InvalidRequest", "the trailer lacks the announced " + trailer_name_);
      }
      expected = it->second;
    }
    if (expected && *expected != computed) {
      std::string algorithm(ChecksumAlgorithmName(checksum_state_->algorithm()));
      return S3Refusal("BadDigest", "The " + algorithm +
                                        " you specified did not match the calculated checksum.");
    }
    checksum_ = Header{header, computed};
  }
  return Status::Ok();
}

Result<std::string> ReadSmallPayload(const http::HttpRequest& request, const VerifiedRequest& auth,
                                     http::RequestBody& body, size_t max_bytes) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<Payload> payload, Payload::Open(request, auth, body));
  std::string document;
  char buffer[16 * 1024];
  for (;;) {
    SLUICE_ASSIGN_OR_RETURN(size_t n, payload->Read(buffer, sizeof buffer));
    if (n == 0) return document;
    if (document.size() + n > max_bytes) {
      return S3Refusal("MaxMessageLengthExceeded", "Your request was too big: at most " +
                                                       std::to_string(max_bytes) + " bytes.");
    }
    document.append(buffer, n);
  }
}

}  // namespace sluice::s3
