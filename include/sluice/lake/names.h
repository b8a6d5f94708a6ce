// S3's rules for bucket names and object keys, with S3's error codes.
#pragma once

#include <string_view>

#include "sluice/common/status.h"

namespace sluice::lake {

inline constexpr size_t kMaxKeyBytes = 1024;

// General-purpose bucket naming rules: 3-63 characters of a-z, 0-9, '.' and '-', starting and
// ending with a letter or digit, no "..", not an IPv4 address, none of S3's reserved prefixes and
// suffixes. Fails with InvalidBucketName.
Status ValidateBucketName(std::string_view name);

// 1-1024 bytes of valid UTF-8. Fails with KeyTooLongError or InvalidArgument.
Status ValidateObjectKey(std::string_view key);

// Whether `bytes` is well-formed UTF-8 (no overlong forms, surrogates or code points > U+10FFFF).
bool IsValidUtf8(std::string_view bytes);

}  // namespace sluice::lake
