#include "sluice/lake/names.h"

#include <array>
#include <string>

namespace sluice::lake {
namespace {

Status InvalidBucket(std::string_view name, std::string_view why) {
  return Status::InvalidArgument(
      "invalid bucket name \"" + std::string(name) + "\": " + std::string(why),
      "InvalidBucketName");
}

bool IsLowerAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool LooksLikeIpv4(std::string_view name) {
  int parts = 0;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('.', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view part = name.substr(start, end - start);
    if (part.empty() || part.size() > 3) return false;
    for (char c : part) {
      if (c < '0' || c > '9') return false;
    }
    ++parts;
    start = end + 1;
  }
  return parts == 4;
}

}  // namespace

Status ValidateBucketName(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) {
    return InvalidBucket(name, "must be between 3 and 63 characters long");
  }
  for (char c : name) {
    if (!IsLowerAlnum(c) && c != '.' && c != '-') {
      return InvalidBucket(name, "may hold only lower-case letters, digits, dots and hyphens");
    }
  }
  if (!IsLowerAlnum(name.front()) || !IsLowerAlnum(name.back())) {
    return InvalidBucket(name, "must begin and end with a letter or digit");
  }
  if (name.find("..") != std::string_view::npos) {
    return InvalidBucket(name, "must not contain two adjacent periods");
  }
  if (LooksLikeIpv4(name)) return InvalidBucket(name, "must not be formatted as an IP address");
  static constexpr std::array<std::string_view, 4> kReservedPrefixes = {
      "xn--", "sthree-", "sthree-configurator", "amzn-s3-demo-"};
  for (std::string_view prefix : kReservedPrefixes) {
    if (name.starts_with(prefix)) {
      return InvalidBucket(name, "must not start with the reserved prefix " + std::string(prefix));
    }
  }
  static constexpr std::array<std::string_view, 5> kReservedSuffixes = {
      "-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"};
  for (std::string_view suffix : kReservedSuffixes) {
    if (name.ends_with(suffix)) {
      return InvalidBucket(name, "must not end with the reserved suffix " + std::string(suffix));
    }
  }
  return Status::Ok();
}

bool IsValidUtf8(std::string_view bytes) {
  size_t i = 0;
  const size_t n = bytes.size();
  while (i < n) {
    auto b = static_cast<unsigned char>(bytes[i]);
    if (b < 0x80) {
      ++i;
      continue;
    }
    size_t length;
    uint32_t code_point;
    if ((b & 0xe0) == 0xc0) {
      length = 2;
      code_point = b & 0x1f;
    } else if ((b & 0xf0) == 0xe0) {
      length = 3;
      code_point = b & 0x0f;
    } else if ((b & 0xf8) == 0xf0) {
      length = 4;
      code_point = b & 0x07;
    } else {
      return false;
    }
    if (i + length > n) return false;
    for (size_t k = 1; k < length; ++k) {
      auto c = static_cast<unsigned char>(bytes[i + k]);
      if ((c & 0xc0) != 0x80) return false;
      code_point = (code_point << 6) | (c & 0x3f);
    }
    static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kMinForLength[length]) return false;            // overlong
    if (code_point >= 0xd800 && code_point <= 0xdfff) return false;  // surrogate
    if (code_point > 0x10ffff) return false;
    i += length;
  }
  return true;
}

Status ValidateObjectKey(std::string_view key) {
  if (key.empty())
    return Status::InvalidArgument("object key must not be empty", "InvalidArgument");
  if (key.size() > kMaxKeyBytes) {
    return Status::InvalidArgument(
        "object key is " + std::to_string(key.size()) + " bytes long; the maximum is 1024",
        "KeyTooLongError");
  }
  if (!IsValidUtf8(key)) {
    return Status::InvalidArgument("object key is not valid UTF-8", "InvalidArgument");
  }
  return Status::Ok();
}

}  // namespace sluice::lake
