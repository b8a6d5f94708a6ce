// Status: how every fallible call at a module boundary reports failure.
//
// A Status is either OK or carries a StatusCode (what kind of failure, for control flow), a
// message written for the user (it names the input and the place), and optionally the AWS error
// code that the failure corresponds to ("NoSuchKey", "InvalidBucketName"), so the S3 API and the
// CLI can report exactly what AWS would. Statuses are values: cheap to move, safe to pass between
// threads.
#pragma once

#include <string>
#include <string_view>

namespace sluice {

enum class StatusCode {
  kOk,
  kInvalidArgument,     // the caller's input is malformed; retrying it unchanged will fail again
  kNotFound,            // the named thing does not exist
  kAlreadyExists,       // the named thing exists and must not
  kFailedPrecondition,  // the system is not in the state the call requires (bucket not empty, ...)
  kConflict,            // lost a race with a concurrent change; a retry may succeed
  kIoError,             // the operating system refused a read, write or sync
  kCorruption,          // stored state is inconsistent with what the code expects
  kInternal,            // a bug or an unexpected failure of a library
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message, std::string aws_code = {})
      : code_(code), message_(std::move(message)), aws_code_(std::move(aws_code)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string message, std::string aws_code = {}) {
    return {StatusCode::kInvalidArgument, std::move(message), std::move(aws_code)};
  }
  // Input that breaks an AWS API's rules (a bad rule, template, step or parameter): AWS's
  // ValidationException.
  static Status Validation(std::string message) {
    return InvalidArgument(std::move(message), "ValidationException");
  }
  static Status NotFound(std::string message, std::string aws_code = {}) {
    return {StatusCode::kNotFound, std::move(message), std::move(aws_code)};
  }
  static Status AlreadyExists(std::string message, std::string aws_code = {}) {
    return {StatusCode::kAlreadyExists, std::move(message), std::move(aws_code)};
  }
  static Status FailedPrecondition(std::string message, std::string aws_code = {}) {
    return {StatusCode::kFailedPrecondition, std::move(message), std::move(aws_code)};
  }
  static Status Conflict(std::string message, std::string aws_code = {}) {
    return {StatusCode::kConflict, std::move(message), std::move(aws_code)};
  }
  static Status IoError(std::string message) { return {StatusCode::kIoError, std::move(message)}; }
  static Status Corruption(std::string message) {
    return {StatusCode::kCorruption, std::move(message)};
  }
  static Status Internal(std::string message) {
    return {StatusCode::kInternal, std::move(message)};
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // The AWS error code ("NoSuchKey"), or empty when none applies.
  const std::string& aws_code() const { return aws_code_; }

  // Returns a copy whose message is "<context>: <message>".
  Status WithContext(std::string_view context) const;
  // "NoSuchKey: The specified key does not exist." or "io error: ..." when there is no AWS code.
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string aws_code_;
};

// Status from the current errno: "<what>: <strerror(errno)>".
Status ErrnoStatus(std::string_view what, int error_number);

}  // namespace sluice

// Returns from the enclosing function when `expr` yields a non-OK Status.
#define SLUICE_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::sluice::Status sluice_status_ = (expr);        \
    if (!sluice_status_.ok()) return sluice_status_; \
  } while (false)
