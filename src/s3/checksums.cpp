#include "s3/checksums.h"

#include <openssl/evp.h>
#include <zlib.h>

#include <algorithm>
#include <array>

#include "s3/ascii.h"

namespace sluice::s3 {
namespace {

// Table for a reflected CRC of `Width` bits with the (reflected) polynomial `poly`.
template <typename Word>
constexpr std::array<Word, 256> ReflectedCrcTable(Word poly) {
  std::array<Word, 256> table{};
  for (unsigned i = 0; i < 256; ++i) {
    Word crc = i;
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc & 1) ? (crc >> 1) ^ poly : crc >> 1;
    table[i] = crc;
  }
  return table;
}

// CRC-32C (Castagnoli) and CRC-64/NVME, both reflected with all-ones init and final xor.
constexpr auto kCrc32cTable = ReflectedCrcTable<uint32_t>(0x82F63B78u);
constexpr auto kCrc64NvmeTable = ReflectedCrcTable<uint64_t>(0x9A6C9329AC4BC9B5ull);

template <typename Word>
Word UpdateReflectedCrc(const std::array<Word, 256>& table, Word crc, const char* data,
                        size_t size) {
  for (size_t i = 0; i < size; ++i)
    crc = table[(crc ^ static_cast<unsigned char>(data[i])) & 0xFF] ^ (crc >> 8);
  return crc;
}

std::string BigEndian(uint64_t value, int bytes) {
  std::string out(static_cast<size_t>(bytes), '\0');
  for (int i = bytes - 1; i >= 0; --i, value >>= 8)
    out[static_cast<size_t>(i)] = static_cast<char>(value & 0xFF);
  return out;
}

struct NamedAlgorithm {
  std::string_view name;
  ChecksumAlgorithm algorithm;
};
constexpr NamedAlgorithm kAlgorithms[] = {
    {"CRC32", ChecksumAlgorithm::kCrc32},         {"CRC32C", ChecksumAlgorithm::kCrc32c},
    {"CRC64NVME", ChecksumAlgorithm::kCrc64Nvme}, {"SHA1", ChecksumAlgorithm::kSha1},
    {"SHA256", ChecksumAlgorithm::kSha256},
};

}  // namespace

std::optional<ChecksumAlgorithm> ChecksumAlgorithmNamed(std::string_view name) {
  for (const auto& named : kAlgorithms) {
    if (EqualsIgnoreCaseAscii(named.name, name)) return named.algorithm;
  }
  return std::nullopt;
}

std::string_view ChecksumAlgorithmName(ChecksumAlgorithm algorithm) {
  for (const auto& named : kAlgorithms) {
    if (named.algorithm == algorithm) return named.name;
  }
  return "";
}

bool CarriesChecksum(std::string_view lower_name) {
  return lower_name.rfind("x-amz-checksum-", 0) == 0 && lower_name != "x-amz-checksum-mode" &&
         lower_name != "x-amz-checksum-type" && lower_name != "x-amz-checksum-algorithm";
}

std::string ChecksumHeaderName(ChecksumAlgorithm algorithm) {
  return "x-amz-checksum-" + ToLowerAscii(ChecksumAlgorithmName(algorithm));
}

Checksum::Checksum(ChecksumAlgorithm algorithm) : algorithm_(algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::kCrc32:
      crc_ = ::crc32(0, nullptr, 0);
      break;
    case ChecksumAlgorithm::kCrc32c:
      crc_ = 0xFFFFFFFFu;
      break;
    case ChecksumAlgorithm::kCrc64Nvme:
      crc_ = ~0ull;
      break;
    case ChecksumAlgorithm::kSha1:
    case ChecksumAlgorithm::kSha256:
      digest_ = std::make_unique<Digest>(algorithm == ChecksumAlgorithm::kSha1
                                             ? DigestAlgorithm::kSha1
                                             : DigestAlgorithm::kSha256);
      break;
  }
}

Checksum::~Checksum() = default;

void Checksum::Update(const char* data, size_t size) {
  switch (algorithm_) {
    case ChecksumAlgorithm::kCrc32:
      // zlib takes 32-bit lengths.
      while (size > 0) {
        auto chunk = static_cast<uInt>(std::min<size_t>(size, 1u << 30));
        crc_ = ::crc32(crc_, reinterpret_cast<const Bytef*>(data), chunk);
        data += chunk;
        size -= chunk;
      }
      break;
    case ChecksumAlgorithm::kCrc32c:
      crc_ = UpdateReflectedCrc(kCrc32cTable, static_cast<uint32_t>(crc_), data, size);
      break;
    case ChecksumAlgorithm::kCrc64Nvme:
      crc_ = UpdateReflectedCrc(kCrc64NvmeTable, crc_, data, size);
      break;
    case ChecksumAlgorithm::kSha1:
    case ChecksumAlgorithm::kSha256:
      digest_->Update(data, size);
      break;
  }
}

std::string Checksum::FinishBase64() {
  switch (algorithm_) {
    case ChecksumAlgorithm::kCrc32:
      return Base64Encode(BigEndian(crc_, 4));
    case ChecksumAlgorithm::kCrc32c:
      return Base64Encode(BigEndian(~crc_ & 0xFFFFFFFFu, 4));
    case ChecksumAlgorithm::kCrc64Nvme:
      return Base64Encode(BigEndian(~crc_, 8));
    case ChecksumAlgorithm::kSha1:
    case ChecksumAlgorithm::kSha256:
      return Base64Encode(digest_->FinishBinary());
  }
  return "";
}

}  // namespace sluice::s3
