#include "sluice/common/status.h"

#include <cstring>

namespace sluice {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid argument";
    case StatusCode::kNotFound:
      return "not found";
    case StatusCode::kAlreadyExists:
      return "already exists";
    case StatusCode::kFailedPrecondition:
      return "failed precondition";
    case StatusCode::kConflict:
      return "conflict";
    case StatusCode::kIoError:
      return "io error";
    case StatusCode::kCorruption:
      return "corruption";
    case StatusCode::kInternal:
      return "internal error";
  }
  return "unknown";
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  return {code_, std::string(context) + ": " + message_, aws_code_};
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string prefix = aws_code_.empty() ? std::string(StatusCodeName(code_)) : aws_code_;
  return prefix + ": " + message_;
}

Status ErrnoStatus(std::string_view what, int error_number) {
  return Status::IoError(std::string(what) + ": " + std::strerror(error_number));
}

}  // namespace sluice
