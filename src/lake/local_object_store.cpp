#include "sluice/lake/local_object_store.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "lake/blob_files.h"
#include "lake/blob_stream.h"
#include "lake/listing.h"
#include "lake/local_object_reader.h"
#include "lake/object_rows.h"
#include "sluice/common/md5.h"
#include "sluice/lake/names.h"
#include "sluice/store/counters.h"

namespace sluice::lake {
namespace {

// A reader that finds a blob file gone lost a race with an overwrite or delete; looking the key up
// again sees the newer state. More than a few losses in a row means something else is wrong.
constexpr int kOpenAttempts = 4;

Status CheckWriteConditions(const std::optional<ObjectRow>& existing, const PutOptions& options,
                            std::string_view bucket, std::string_view key) {
  if (options.if_none_match_any && existing) {
    return Status::FailedPrecondition(
        DescribeObject(bucket, key) + " exists and the write required that it did not",
        "PreconditionFailed");
  }
  if (options.if_match_etag) {
    if (!existing) return NoSuchKey(bucket, key);
    if (existing->info.etag != *options.if_match_etag) {
      return Status::FailedPrecondition(DescribeObject(bucket, key) + " has ETag " +
                                            existing->info.etag + ", not " + *options.if_match_etag,
                                        "PreconditionFailed");
    }
  }
  return Status::Ok();
}

}  // namespace

LocalObjectStore::LocalObjectStore(store::Database& db, std::filesystem::path root,
                                   LocalObjectStoreOptions options)
    : db_(db),
      root_(std::move(root)),
      options_(std::move(options)),
      blobs_(std::make_unique<BlobFiles>(root_)) {}

LocalObjectStore::~LocalObjectStore() = default;

Result<std::unique_ptr<LocalObjectStore>> LocalObjectStore::Open(store::Database& db,
                                                                 std::filesystem::path root,
                                                                 LocalObjectStoreOptions options) {
  std::unique_ptr<LocalObjectStore> lake(
      new LocalObjectStore(db, std::move(root), std::move(options)));
  SLUICE_RETURN_IF_ERROR(lake->blobs_->Init());
  SLUICE_RETURN_IF_ERROR(lake->Recover());
  return lake;
}

Status LocalObjectStore::Recover() {
  SLUICE_ASSIGN_OR_RETURN(recovered_leftovers_, blobs_->Recover([&](const std::string& id) {
    bool referenced = false;
    Status status = db_.Read([&](store::Transaction& tx) {
      SLUICE_ASSIGN_OR_RETURN(referenced, IsBlobReferenced(tx, id));
      return Status::Ok();
    });
    if (!status.ok()) return Result<bool>(status);
    return Result<bool>(referenced);
  }));
  std::vector<std::string> garbage;
  SLUICE_RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) {
    SLUICE_ASSIGN_OR_RETURN(store::Cursor rows, tx.Query("SELECT blob_id FROM blob_garbage"));
    while (true) {
      SLUICE_ASSIGN_OR_RETURN(bool more, rows.Next());
      if (!more) return Status::Ok();
      garbage.push_back(rows.Text(0));
    }
  }));
  CollectGarbage(garbage);
  return Status::Ok();
}

void LocalObjectStore::CollectGarbage(const std::vector<std::string>& blob_ids) {
  if (blob_ids.empty()) return;
  std::vector<std::string> removed;
  for (const std::string& id : blob_ids) {
    Status status = blobs_->Remove(id);
    if (status.ok()) {
      removed.push_back(id);
    } else {
      // The row stays, so the next Open() tries again.
      spdlog::warn("lake: {}", status.ToString());
    }
  }
  Status status = db_.Write([&](store::Transaction& tx) {
    for (const std::string& id : removed) {
      SLUICE_RETURN_IF_ERROR(tx.Execute("DELETE FROM blob_garbage WHERE blob_id = ?", id).status());
    }
    return Status::Ok();
  });
  if (!status.ok()) spdlog::warn("lake: cannot forget collected blobs: {}", status.ToString());
}

Status LocalObjectStore::CreateBucket(std::string_view bucket) {
  SLUICE_RETURN_IF_ERROR(ValidateBucketName(bucket));
  return db_.Write([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(auto existing, FindBucket(tx, bucket));
    if (existing) {
      return Status::AlreadyExists("bucket " + std::string(bucket) + " already exists",
                                   "BucketAlreadyOwnedByYou");
    }
    return tx
        .Execute("INSERT INTO buckets (name, created_ms) VALUES (?, ?)", bucket,
                 ToUnixMillis(options_.clock->Now()))
        .status();
  });
}

Status LocalObjectStore::DeleteBucket(std::string_view bucket) {
  std::vector<std::string> garbage;
  SLUICE_RETURN_IF_ERROR(db_.Write([&](store::Transaction& tx) -> Status {
    garbage.clear();
    SLUICE_RETURN_IF_ERROR(RequireBucket(tx, bucket));
    SLUICE_ASSIGN_OR_RETURN(store::Cursor any,
                            tx.Query("SELECT 1 FROM objects WHERE bucket = ? LIMIT 1", bucket));
    SLUICE_ASSIGN_OR_RETURN(bool has_objects, any.Next());
    if (has_objects) {
      return Status::FailedPrecondition("bucket " + std::string(bucket) + " is not empty",
                                        "BucketNotEmpty");
    }
    // Uploads still in progress go with the bucket.
    SLUICE_RETURN_IF_ERROR(DropUploadsOf(tx, bucket, garbage));
    return tx.Execute("DELETE FROM buckets WHERE name = ?", bucket).status();
  }));
  CollectGarbage(garbage);
  return Status::Ok();
}

Result<BucketInfo> LocalObjectStore::HeadBucket(std::string_view bucket) {
  std::optional<BucketInfo> found;
  SLUICE_RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(found, FindBucket(tx, bucket));
    return Status::Ok();
  }));
  if (!found) return NoSuchBucket(bucket);
  return *found;
}

Result<std::vector<BucketInfo>> LocalObjectStore::ListBuckets() {
  std::vector<BucketInfo> buckets;
  SLUICE_RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(store::Cursor rows,
                            tx.Query("SELECT name, created_ms FROM buckets ORDER BY name"));
    while (true) {
      SLUICE_ASSIGN_OR_RETURN(bool more, rows.Next());
      if (!more) return Status::Ok();
      buckets.push_back({rows.Text(0), FromUnixMillis(rows.Int(1))});
    }
  }));
  return buckets;
}

Result<PendingBlob> LocalObjectStore::WriteBlob(std::string_view bucket, std::string_view key,
                                                ByteSource& body, ObjectInfo& info) {
  SLUICE_RETURN_IF_ERROR(ValidateObjectKey(key));
  SLUICE_ASSIGN_OR_RETURN(PendingBlob blob, blobs_->Create());
  Md5 md5;
  SLUICE_RETURN_IF_ERROR(StreamIntoBlob(body, blob, md5).WithContext(DescribeObject(bucket, key)));
  SLUICE_RETURN_IF_ERROR(blob.Publish());
  info.bucket = std::string(bucket);
  info.key = std::string(key);
  info.size = blob.size();
  info.etag = md5.FinishHex();
  return blob;
}

Result<ObjectInfo> LocalObjectStore::PutObject(std::string_view bucket, std::string_view key,
                                               ByteSource& body, const PutOptions& options) {
  // Refuse early rather than after streaming the whole body; Commit() checks again atomically.
  SLUICE_RETURN_IF_ERROR(HeadBucket(bucket).status());
  ObjectInfo info;
  info.content_type = options.content_type;
  info.metadata = options.metadata;
  info.headers = options.headers;
  SLUICE_ASSIGN_OR_RETURN(PendingBlob blob, WriteBlob(bucket, key, body, info));
  for (auto& [name, value] : body.TrailingHeaders())
    info.headers[name] = value;
  if (options.content_md5 && *options.content_md5 != info.etag) {
    return Status::InvalidArgument(
        "The Content-MD5 you specified did not match what we received (" + info.etag + ").",
        "BadDigest");
  }
  return CommitOne(bucket, std::move(blob), std::move(info), options);
}

Result<ObjectInfo> LocalObjectStore::CommitOne(std::string_view bucket, PendingBlob blob,
                                               ObjectInfo info, const PutOptions& options) {
  std::vector<PendingBlob> blobs;
  blobs.push_back(std::move(blob));
  std::vector<ObjectInfo> infos{std::move(info)};
  SLUICE_RETURN_IF_ERROR(Commit(bucket, blobs, infos, options));
  return std::move(infos[0]);
}

Result<std::vector<ObjectInfo>> LocalObjectStore::PutObjects(std::string_view bucket,
                                                             const std::vector<NewObject>& objects,
                                                             const PutOptions& options) {
  SLUICE_RETURN_IF_ERROR(HeadBucket(bucket).status());
  std::vector<ObjectInfo> infos(objects.size());
  std::vector<PendingBlob> blobs;
  blobs.reserve(objects.size());
  for (size_t i = 0; i < objects.size(); ++i) {
    infos[i].content_type = objects[i].content_type;
    infos[i].metadata = options.metadata;
    infos[i].headers = options.headers;
    SLUICE_ASSIGN_OR_RETURN(PendingBlob blob,
                            WriteBlob(bucket, objects[i].key, *objects[i].body, infos[i]));
    blobs.push_back(std::move(blob));
  }
  SLUICE_RETURN_IF_ERROR(Commit(bucket, blobs, infos, options));
  return infos;
}

Status LocalObjectStore::Commit(std::string_view bucket, std::vector<PendingBlob>& blobs,
                                std::vector<ObjectInfo>& infos, const PutOptions& options,
                                const AlsoInCommit& also) {
  std::vector<std::string> garbage;
  SLUICE_RETURN_IF_ERROR(db_.Write([&](store::Transaction& tx) -> Status {
    garbage.clear();  // a retried body starts over
    SLUICE_RETURN_IF_ERROR(RequireBucket(tx, bucket));
    if (also) SLUICE_RETURN_IF_ERROR(also(tx, garbage));
    for (size_t i = 0; i < blobs.size(); ++i) {
      ObjectInfo& info = infos[i];
      SLUICE_ASSIGN_OR_RETURN(std::optional<ObjectRow> existing, FindObject(tx, bucket, info.key));
      SLUICE_RETURN_IF_ERROR(CheckWriteConditions(existing, options, bucket, info.key));
      if (existing) {
        SLUICE_RETURN_IF_ERROR(
            tx.Execute("INSERT OR IGNORE INTO blob_garbage (blob_id) VALUES (?)", existing->blob_id)
                .status());
        garbage.push_back(existing->blob_id);
      }
      info.last_modified = options_.clock->Now();
      SLUICE_RETURN_IF_ERROR(UpsertObject(tx, ObjectRow{info, blobs[i].id()}));
      SLUICE_ASSIGN_OR_RETURN(int64_t sequencer, store::NextCounterValue(tx, "s3.sequencer"));
      ObjectChange change{
          info.bucket,    info.key,           info.size,      info.etag, FormatSequencer(sequencer),
          options.reason, info.last_modified, options.request};
      SLUICE_RETURN_IF_ERROR(
          store::AppendEvent(tx, ObjectCreatedEvent(options_.identity, change)).status());
    }
    return Status::Ok();
  }));
  for (PendingBlob& blob : blobs)
    blob.MarkCommitted();
  CollectGarbage(garbage);
  return Status::Ok();
}

Result<std::unique_ptr<ObjectReader>> LocalObjectStore::GetObject(
    std::string_view bucket, std::string_view key, const std::optional<ByteRange>& range) {
  for (int attempt = 1;; ++attempt) {
    std::optional<ObjectRow> row;
    SLUICE_RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) -> Status {
      SLUICE_ASSIGN_OR_RETURN(row, FindObject(tx, bucket, key));
      if (!row) {
        SLUICE_RETURN_IF_ERROR(RequireBucket(tx, bucket));
        return NoSuchKey(bucket, key);
      }
      return Status::Ok();
    }));
    UniqueFd fd = blobs_->OpenForRead(row->blob_id);
    if (!fd.valid()) {
      if (errno == ENOENT && attempt < kOpenAttempts) continue;
      return ErrnoStatus(
          DescribeObject(bucket, key) + ": cannot open " + blobs_->PathOf(row->blob_id).string(),
          errno);
    }
    SLUICE_ASSIGN_OR_RETURN(ResolvedRange resolved, ResolveRange(range, row->info));
    return std::unique_ptr<ObjectReader>(std::make_unique<LocalObjectReader>(
        std::move(row->info), std::move(fd), resolved.offset, resolved.length));
  }
}

Result<ObjectInfo> LocalObjectStore::HeadObject(std::string_view bucket, std::string_view key) {
  std::optional<ObjectRow> row;
  SLUICE_RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(row, FindObject(tx, bucket, key));
    if (!row) {
      SLUICE_RETURN_IF_ERROR(RequireBucket(tx, bucket));
      return NoSuchKey(bucket, key);
    }
    return Status::Ok();
  }));
  return std::move(row->info);
}

Result<bool> LocalObjectStore::DeleteObject(std::string_view bucket, std::string_view key,
                                            const RequestContext& request) {
  SLUICE_RETURN_IF_ERROR(ValidateObjectKey(key));
  std::vector<std::string> garbage;
  SLUICE_RETURN_IF_ERROR(db_.Write([&](store::Transaction& tx) -> Status {
    SLUICE_RETURN_IF_ERROR(RequireBucket(tx, bucket));
    SLUICE_ASSIGN_OR_RETURN(std::optional<ObjectRow> existing, FindObject(tx, bucket, key));
    if (!existing) return Status::Ok();
    SLUICE_RETURN_IF_ERROR(DeleteObjectRow(tx, bucket, key));
    SLUICE_RETURN_IF_ERROR(
        tx.Execute("INSERT OR IGNORE INTO blob_garbage (blob_id) VALUES (?)", existing->blob_id)
            .status());
    garbage.push_back(existing->blob_id);
    SLUICE_ASSIGN_OR_RETURN(int64_t sequencer, store::NextCounterValue(tx, "s3.sequencer"));
    ObjectChange change{
        std::string(bucket),        std::string(key), std::nullopt,          existing->info.etag,
        FormatSequencer(sequencer), "DeleteObject",   options_.clock->Now(), request};
    return store::AppendEvent(tx, ObjectDeletedEvent(options_.identity, change)).status();
  }));
  CollectGarbage(garbage);
  return !garbage.empty();
}

Result<ObjectInfo> LocalObjectStore::CopyObject(std::string_view source_bucket,
                                                std::string_view source_key,
                                                std::string_view bucket, std::string_view key,
                                                const CopyOptions& options) {
  SLUICE_RETURN_IF_ERROR(ValidateObjectKey(key));
  if (source_bucket == bucket && source_key == key && !options.replace_metadata) {
    return Status::InvalidArgument(
        "copying " + DescribeObject(bucket, key) +
            " onto itself changes nothing; replace its metadata to copy it in place",
        "InvalidRequest");
  }
  SLUICE_RETURN_IF_ERROR(HeadBucket(bucket).status());
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<ObjectReader> source_reader,
                          GetObject(source_bucket, source_key));
  auto& source = static_cast<LocalObjectReader&>(*source_reader);
  const ObjectInfo& from = source.info();

  SLUICE_ASSIGN_OR_RETURN(PendingBlob blob, blobs_->Create());
  SLUICE_RETURN_IF_ERROR(
      blob.CopyFrom(source.fd(), 0, from.size, DescribeObject(source_bucket, source_key)));
  SLUICE_RETURN_IF_ERROR(blob.Publish());

  ObjectInfo info;
  info.bucket = std::string(bucket);
  info.key = std::string(key);
  info.size = from.size;
  info.etag = from.etag;  // the bytes are the same, so is their MD5
  info.content_type = options.replace_metadata ? options.content_type : from.content_type;
  info.metadata = options.replace_metadata ? options.metadata : from.metadata;
  info.headers = options.replace_metadata ? options.headers : from.headers;
  PutOptions put;
  put.if_none_match_any = options.if_none_match_any;
  put.if_match_etag = options.if_match_etag;
  put.reason = "CopyObject";
  put.request = options.request;
  return CommitOne(bucket, std::move(blob), std::move(info), put);
}

Result<ListPage> LocalObjectStore::ListObjects(std::string_view bucket,
                                               const ListRequest& request) {
  ListPage page;
  SLUICE_RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) -> Status {
    SLUICE_RETURN_IF_ERROR(RequireBucket(tx, bucket));
    SLUICE_ASSIGN_OR_RETURN(page, ListKeys(tx, bucket, request));
    return Status::Ok();
  }));
  return page;
}

Result<ObjectFile> LocalObjectStore::OpenObjectFile(std::string_view bucket, std::string_view key) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<ObjectReader> reader, GetObject(bucket, key));
  auto& local = static_cast<LocalObjectReader&>(*reader);
  return ObjectFile{local.info(), local.ReleaseFd()};
}

}  // namespace sluice::lake
