// BlobFiles: the files that hold object bytes, named by random internal ids and sharded into 256
// folders by the id's first byte (objects/ab/ab12…), so no key is ever used as a path.
//
// A new blob is written as tmp/<id>, locked (flock) by its writer for as long as it lives. When
// the bytes are complete it is synced and hard-linked to its final name (Publish); once the
// state store commits a mapping to it, the tmp name is dropped. The tmp name is thus the writer's
// intent record: after a crash, an unlocked tmp/<id> is either committed (drop the tmp name) or
// not (drop both names), and Recover() tells which by asking the store.
//
// Thread-safe; a PendingBlob belongs to one thread.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "sluice/common/posix_file.h"
#include "sluice/common/result.h"

namespace sluice::lake {

class BlobFiles;

class PendingBlob {
 public:
  PendingBlob(PendingBlob&& other) noexcept;
  PendingBlob& operator=(PendingBlob&&) = delete;
  PendingBlob(const PendingBlob&) = delete;
  ~PendingBlob();  // abandons the blob unless MarkCommitted() was called

  const std::string& id() const { return id_; }
  int fd() const { return fd_.get(); }
  uint64_t size() const { return size_; }

  Status Write(const char* data, size_t size);
  // Appends `size` bytes of the file `from`, starting at `offset`, copied in the kernel where it
  // can (copy_file_range). `what` names the source in errors.
  Status CopyFrom(int from, uint64_t offset, uint64_t size, const std::string& what);
  // Syncs the bytes and links the blob to its final name, durably.
  Status Publish();
  // A committed mapping refers to the blob now: drop the temporary name, keep the blob.
  void MarkCommitted();

 private:
  friend class BlobFiles;
  PendingBlob(const BlobFiles& files, std::string id, UniqueFd fd)
      : files_(&files), id_(std::move(id)), fd_(std::move(fd)) {}

  const BlobFiles* files_;
  std::string id_;
  UniqueFd fd_;
  uint64_t size_ = 0;
  bool published_ = false;
  bool committed_ = false;
};

class BlobFiles {
 public:
  explicit BlobFiles(std::filesystem::path root);

  // Creates the folders.
  Status Init();
  std::filesystem::path PathOf(std::string_view id) const;
  // Opens a published blob to read it (errno is left as open() set it on failure). Relative to
  // the objects folder, opened once by Init: a GET looks up two names, not the whole path.
  UniqueFd OpenForRead(std::string_view id) const;
  std::filesystem::path TempPathOf(std::string_view id) const;

  // Starts a new blob.
  Result<PendingBlob> Create() const;
  // Unlinks a blob's file; a missing file is not an error.
  Status Remove(std::string_view id) const;

  // Cleans up after writers that died: every tmp/<id> that no live writer holds is either
  // committed (is_committed says so; its tmp name goes) or abandoned (both names go).
  // Returns how many leftovers were cleaned.
  Result<int> Recover(const std::function<Result<bool>(const std::string& id)>& is_committed) const;

 private:
  friend class PendingBlob;
  std::filesystem::path root_;
  UniqueFd objects_dir_;
};

}  // namespace sluice::lake
