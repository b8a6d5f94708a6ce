// LocalObjectStore: the lake on this machine. Object bytes live in files under `root` named by
// internal ids; buckets, keys and their metadata live in the state store, and every change
// commits its mapping and its EventBridge event in one transaction.
//
// Durability: PutObject returns only after the bytes, their file name and the mapping are all
// synced. A crash at any point leaves either the old object or the new one, never a mix, and the
// next Open() removes what the crashed writer left behind.
//
// Thread-safe. Several processes may open the same data dir at once.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>

#include "sluice/common/clock.h"
#include "sluice/common/posix_file.h"
#include "sluice/lake/object_store.h"
#include "sluice/lake/s3_events.h"
#include "sluice/store/database.h"
#include "sluice/store/transaction.h"

namespace sluice::lake {

class BlobFiles;
class PendingBlob;

// One object of a PutObjects call.
struct NewObject {
  std::string key;
  ByteSource* body = nullptr;
  std::string content_type{kDefaultContentType};
};

struct ObjectFile {
  ObjectInfo info;
  UniqueFd fd;
};

struct LocalObjectStoreOptions {
  AwsIdentity identity;
  const Clock* clock = &SystemClock::Instance();
};

class LocalObjectStore final : public ObjectStore {
 public:
  // `db` must outlive the store. Creates `root` if needed and recovers leftovers of crashed
  // writers.
  static Result<std::unique_ptr<LocalObjectStore>> Open(store::Database& db,
                                                        std::filesystem::path root,
                                                        LocalObjectStoreOptions options = {});
  ~LocalObjectStore() override;

  Status CreateBucket(std::string_view bucket) override;
  Status DeleteBucket(std::string_view bucket) override;
  Result<BucketInfo> HeadBucket(std::string_view bucket) override;
  Result<std::vector<BucketInfo>> ListBuckets() override;

  Result<ObjectInfo> PutObject(std::string_view bucket, std::string_view key, ByteSource& body,
                               const PutOptions& options) override;
  Result<std::unique_ptr<ObjectReader>> GetObject(
      std::string_view bucket, std::string_view key,
      const std::optional<ByteRange>& range = std::nullopt) override;
  Result<ObjectInfo> HeadObject(std::string_view bucket, std::string_view key) override;
  Result<bool> DeleteObject(std::string_view bucket, std::string_view key,
                            const RequestContext& request = {}) override;
  Result<ObjectInfo> CopyObject(std::string_view source_bucket, std::string_view source_key,
                                std::string_view bucket, std::string_view key,
                                const CopyOptions& options) override;
  Result<ListPage> ListObjects(std::string_view bucket, const ListRequest& request) override;

  // Multipart uploads (multipart.cpp). Parts are blob files of their own, recorded in the state
  // store as they arrive; completion copies them into the object's blob (in the kernel, with
  // copy_file_range) and commits the object, its event and the end of the upload together.
  Result<MultipartUpload> CreateMultipartUpload(std::string_view bucket, std::string_view key,
                                                const PutOptions& options) override;
  Result<PartInfo> UploadPart(std::string_view bucket, std::string_view key,
                              std::string_view upload_id, int part_number, ByteSource& body,
                              const std::optional<std::string>& content_md5) override;
  Result<ObjectInfo> CompleteMultipartUpload(std::string_view bucket, std::string_view key,
                                             std::string_view upload_id,
                                             const std::vector<CompletedPart>& parts,
                                             const PutOptions& options) override;
  Status AbortMultipartUpload(std::string_view bucket, std::string_view key,
                              std::string_view upload_id) override;
  Result<PartPage> ListParts(std::string_view bucket, std::string_view key,
                             std::string_view upload_id, int part_number_marker,
                             int max_parts) override;
  Result<UploadPage> ListMultipartUploads(std::string_view bucket,
                                          const UploadListRequest& request) override;

  // Puts several objects into one bucket so that they become visible together: one transaction
  // commits every mapping and every Object Created event, or none (a job's partitioned output).
  Result<std::vector<ObjectInfo>> PutObjects(std::string_view bucket,
                                             const std::vector<NewObject>& objects,
                                             const PutOptions& options);

  // An object's bytes as an open file, for readers that read in place (the SQL engine). What the
  // file holds stays as it was when opened, even if the object is overwritten or deleted.
  Result<ObjectFile> OpenObjectFile(std::string_view bucket, std::string_view key);

  // How many leftovers of crashed writers the last Open() cleaned up.
  int recovered_leftovers() const { return recovered_leftovers_; }

 private:
  LocalObjectStore(store::Database& db, std::filesystem::path root,
                   LocalObjectStoreOptions options);
  Status Recover();
  // Streams `body` into a new blob and publishes it; `info` gets its size and ETag.
  Result<PendingBlob> WriteBlob(std::string_view bucket, std::string_view key, ByteSource& body,
                                ObjectInfo& info);
  // More work for Commit's transaction, run first; blobs it adds to `garbage` are collected
  // after the commit (their rows must be in blob_garbage).
  using AlsoInCommit =
      std::function<Status(store::Transaction& tx, std::vector<std::string>& garbage)>;
  // Commits each blob as the object its info names, with its Object Created event, in one
  // transaction. The infos get their modification time.
  Status Commit(std::string_view bucket, std::vector<PendingBlob>& blobs,
                std::vector<ObjectInfo>& infos, const PutOptions& options,
                const AlsoInCommit& also = nullptr);
  Result<ObjectInfo> CommitOne(std::string_view bucket, PendingBlob blob, ObjectInfo info,
                               const PutOptions& options);
  // Unlinks the files of replaced or deleted objects and forgets them.
  void CollectGarbage(const std::vector<std::string>& blob_ids);

  store::Database& db_;
  std::filesystem::path root_;
  LocalObjectStoreOptions options_;
  std::unique_ptr<BlobFiles> blobs_;
  int recovered_leftovers_ = 0;
};

}  // namespace sluice::lake
