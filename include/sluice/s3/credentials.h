// The access keys S3 clients sign their requests with, kept in <data-dir>/credentials.json,
// readable and writable by its owner only. The first use of a data dir generates one key; more
// can be added (generated, or given, for clients whose keys are configured elsewhere) and
// removed. Anonymous requests are refused, so there is always at least one key.
//
// Changes are read-modify-write under an exclusive lock on <file>.lock, and the file is replaced
// atomically (temp file, fsync, rename), so concurrent `sluice credentials` commands and a
// running server never see half a file.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sluice/common/clock.h"
#include "sluice/common/result.h"
#include "sluice/s3/sigv4_verifier.h"

namespace sluice::s3 {

struct AccessKey {
  std::string id;      // 20 characters A-Z0-9, as AWS's (given ones: 16 to 128 of A-Z a-z 0-9 _)
  std::string secret;  // 40 characters of A-Z a-z 0-9 / + (given ones: 8 to 128 printable ASCII)
  TimePoint created;
};

// A new random key ("SK" + 18 characters, and a 40-character secret).
AccessKey GenerateAccessKey(TimePoint now);
// InvalidArgument naming what is wrong with a given key.
Status ValidateAccessKey(const AccessKey& key);

class CredentialStore {
 public:
  // Reads `file`, creating it with one generated key when it does not exist. A file others can
  // read, or that is not valid, is refused with a message saying how to mend it.
  static Result<CredentialStore> Open(const std::filesystem::path& file);

  const std::vector<AccessKey>& keys() const { return keys_; }
  std::optional<std::string> SecretFor(std::string_view access_key_id) const;

  // Adds `key` (a generated one when nullopt) and saves; a duplicate id is refused.
  Result<AccessKey> Add(std::optional<AccessKey> key);
  // Removes a key and saves. The last key cannot be removed (NotFound for an unknown id).
  Status Remove(std::string_view access_key_id);

 private:
  explicit CredentialStore(std::filesystem::path file) : file_(std::move(file)) {}
  Status Load();
  Status Save() const;
  // Runs `change` on the keys as they are on disk now, then saves, all under the lock.
  template <typename Change>
  Status Modify(Change change);

  std::filesystem::path file_;
  std::vector<AccessKey> keys_;
};

// The secrets of the keys in `file` (which must exist) for a running server: the file is read
// again whenever it changed on disk, so keys added or removed with `sluice credentials` apply at
// once. A file changed into something unreadable leaves the keys as they were. Thread-safe.
SecretLookup LiveSecretLookup(std::filesystem::path file);

}  // namespace sluice::s3
