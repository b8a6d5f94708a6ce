#include "sluice/s3/credentials.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <shared_mutex>
#include <sstream>

#include "sluice/common/ids.h"
#include "sluice/common/posix_file.h"
#include "sluice/common/time_format.h"

namespace sluice::s3 {
namespace {

using nlohmann::json;

constexpr std::string_view kIdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
constexpr std::string_view kSecretAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+";

// Holds an exclusive flock on <file>.lock for its lifetime.
class FileLock {
 public:
  static Result<FileLock> Take(const std::filesystem::path& file) {
    std::filesystem::path lock_path = file;
    lock_path += ".lock";
    SLUICE_ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(lock_path, O_RDWR | O_CREAT, 0600));
    while (::flock(fd.get(), LOCK_EX) != 0) {
      if (errno != EINTR) return ErrnoStatus("lock " + lock_path.string(), errno);
    }
    return FileLock(std::move(fd));
  }

 private:
  explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

Status Invalid(const std::filesystem::path& file, const std::string& why) {
  return Status::InvalidArgument(file.string() + ": " + why);
}

}  // namespace

AccessKey GenerateAccessKey(TimePoint now) {
  return {"SK" + RandomString(18, kIdAlphabet), RandomString(40, kSecretAlphabet), now};
}

Status ValidateAccessKey(const AccessKey& key) {
  static const std::regex kId("[A-Za-z0-9_]{16,128}");
  if (!std::regex_match(key.id, kId)) {
    return Status::InvalidArgument("access key id \"" + key.id +
                                   "\" must be 16 to 128 letters, digits or '_'");
  }
  bool printable =
      std::all_of(key.secret.begin(), key.secret.end(), [](char c) { return c > ' ' && c < 0x7f; });
  if (key.secret.size() < 8 || key.secret.size() > 128 || !printable) {
    return Status::InvalidArgument(
        "secret access key must be 8 to 128 printable ASCII characters without spaces");
  }
  return Status::Ok();
}

Result<CredentialStore> CredentialStore::Open(const std::filesystem::path& file) {
  CredentialStore store(file);
  SLUICE_RETURN_IF_ERROR(CreateDirectories(file.parent_path().empty() ? "." : file.parent_path()));
  SLUICE_ASSIGN_OR_RETURN(FileLock lock, FileLock::Take(file));
  std::error_code error;
  if (!std::filesystem::exists(file, error)) {
    store.keys_.push_back(GenerateAccessKey(SystemClock::Instance().Now()));
    SLUICE_RETURN_IF_ERROR(store.Save());
    return store;
  }
  SLUICE_RETURN_IF_ERROR(store.Load());
  return store;
}

Status CredentialStore::Load() {
  struct stat st {};
  if (::stat(file_.c_str(), &st) != 0) return ErrnoStatus("stat " + file_.string(), errno);
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
    return Status::FailedPrecondition(file_.string() +
                                      " holds secret keys but others can read it "
                                      "(mode " +
                                      mode + "); run: chmod 600 " + file_.string());
  }
  std::ifstream in(file_);
  std::stringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) return Status::IoError("cannot read " + file_.string());
  json doc = json::parse(text.str(), nullptr, false);
  if (!doc.is_object() || !doc.contains("AccessKeys") || !doc["AccessKeys"].is_array()) {
    return Invalid(file_, "not a credentials file (expected {\"AccessKeys\": [...]})");
  }
  keys_.clear();
  for (const json& entry : doc["AccessKeys"]) {
    if (!entry.is_object() || !entry.contains("AccessKeyId") || !entry["AccessKeyId"].is_string() ||
        !entry.contains("SecretAccessKey") || !entry["SecretAccessKey"].is_string()) {
      return Invalid(file_, "each access key needs AccessKeyId and SecretAccessKey strings");
    }
    AccessKey key{entry["AccessKeyId"], entry["SecretAccessKey"], {}};
    if (auto created = ParseRfc3339(entry.value("Created", "")); created) key.created = *created;
    SLUICE_RETURN_IF_ERROR(ValidateAccessKey(key).WithContext(file_.string()));
    keys_.push_back(std::move(key));
  }
  if (keys_.empty()) return Invalid(file_, "holds no access key; anonymous access is refused");
  return Status::Ok();
}

Status CredentialStore::Save() const {
  json keys = json::array();
  for (const AccessKey& key : keys_) {
    keys.push_back({{"AccessKeyId", key.id},
                    {"SecretAccessKey", key.secret},
                    {"Created", FormatRfc3339Seconds(key.created)}});
  }
  std::string text = json{{"AccessKeys", keys}}.dump(2) + "\n";
  std::filesystem::path temp = file_;
  temp += ".tmp";
  SLUICE_RETURN_IF_ERROR(
      CreateDirectories(file_.parent_path().empty() ? "." : file_.parent_path()));
  {
    SLUICE_ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(temp, O_WRONLY | O_CREAT | O_TRUNC, 0600));
    // A temp file left by an older umask or a crash keeps its mode through O_TRUNC.
    if (::fchmod(fd.get(), 0600) != 0) return ErrnoStatus("chmod " + temp.string(), errno);
    SLUICE_RETURN_IF_ERROR(WriteAll(fd.get(), text.data(), text.size(), temp.string()));
    SLUICE_RETURN_IF_ERROR(SyncFile(fd.get(), temp.string()));
  }
  if (::rename(temp.c_str(), file_.c_str()) != 0) {
    return ErrnoStatus("rename " + temp.string(), errno);
  }
  return SyncDirectory(file_.parent_path().empty() ? "." : file_.parent_path());
}

template <typename Change>
Status CredentialStore::Modify(Change change) {
  SLUICE_ASSIGN_OR_RETURN(FileLock lock, FileLock::Take(file_));
  SLUICE_RETURN_IF_ERROR(Load());
  SLUICE_RETURN_IF_ERROR(change());
  return Save();
}

std::optional<std::string> CredentialStore::SecretFor(std::string_view access_key_id) const {
  for (const AccessKey& key : keys_) {
    if (key.id == access_key_id) return key.secret;
  }
  return std::nullopt;
}

Result<AccessKey> CredentialStore::Add(std::optional<AccessKey> key) {
  AccessKey added = key ? *key : GenerateAccessKey(SystemClock::Instance().Now());
  if (key) {
    SLUICE_RETURN_IF_ERROR(ValidateAccessKey(added));
    added.created = SystemClock::Instance().Now();
  }
  SLUICE_RETURN_IF_ERROR(Modify([&]() -> Status {
    if (SecretFor(added.id)) {
      return Status::AlreadyExists("access key " + added.id + " already exists");
    }
    keys_.push_back(added);
    return Status::Ok();
  }));
  return added;
}

Status CredentialStore::Remove(std::string_view access_key_id) {
  return Modify([&]() -> Status {
    auto it = std::find_if(keys_.begin(), keys_.end(),
                           [&](const AccessKey& k) { return k.id == access_key_id; });
    if (it == keys_.end()) {
      return Status::NotFound("no access key " + std::string(access_key_id));
    }
    if (keys_.size() == 1) {
      return Status::FailedPrecondition("access key " + std::string(access_key_id) +
                                        " is the last one; add another before removing it "
                                        "(anonymous access is refused)");
    }
    keys_.erase(it);
    return Status::Ok();
  });
}

namespace {

// What LiveSecretLookup shares between the threads that call it: the keys as the file held
// them when last read, reread when a stat shows the file replaced. The stat runs on every request,
// so it is relative to the file's folder, held open: one name to look up, not the whole path.
struct LiveKeys {
  std::filesystem::path file;
  UniqueFd folder;
  std::string name;
  std::shared_mutex mutex;
  struct timespec modified {};  // guarded by mutex
  ino_t inode = 0;              // guarded by mutex
  std::vector<AccessKey> keys;  // guarded by mutex

  std::optional<std::string> SecretFor(std::string_view access_key) {
    struct stat st {};
    bool readable = folder.valid() ? ::fstatat(folder.get(), name.c_str(), &st, 0) == 0
                                   : ::stat(file.c_str(), &st) == 0;
    {
      std::shared_lock lock(mutex);
      if (!readable || SameFile(st)) return Find(access_key);
    }
    std::unique_lock lock(mutex);
    if (!SameFile(st)) {
      auto store = CredentialStore::Open(file);
      if (store.ok()) {
        keys = store->keys();
        inode = st.st_ino;
        modified = st.st_mtim;
      }
    }
    return Find(access_key);
  }

  // The file is replaced by rename on every change: a new inode or modification time.
  bool SameFile(const struct stat& st) const {
    return st.st_ino == inode && st.st_mtim.tv_sec == modified.tv_sec &&
           st.st_mtim.tv_nsec == modified.tv_nsec;
  }

  std::optional<std::string> Find(std::string_view access_key) const {
    for (const AccessKey& key : keys) {
      if (key.id == access_key) return key.secret;
    }
    return std::nullopt;
  }
};

}  // namespace

SecretLookup LiveSecretLookup(std::filesystem::path file) {
  auto live = std::make_shared<LiveKeys>();
  live->file = std::move(file);
  std::filesystem::path parent = live->file.has_parent_path() ? live->file.parent_path() : ".";
  live->folder = UniqueFd(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  live->name = live->file.filename().string();
  return [live](std::string_view access_key) { return live->SecretFor(access_key); };
}

}  // namespace sluice::s3
