// Reading and writing the lake's rows in the state store (tables `buckets` and `objects`), and
// the S3 errors for missing ones. Internal to the lake.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sluice/lake/object_store.h"
#include "sluice/store/transaction.h"

namespace sluice::lake {

struct ObjectRow {
  ObjectInfo info;
  std::string blob_id;
};

Status NoSuchBucket(std::string_view bucket);
Status NoSuchKey(std::string_view bucket, std::string_view key);
// "s3://bucket/key", for messages.
std::string DescribeObject(std::string_view bucket, std::string_view key);

Result<std::optional<BucketInfo>> FindBucket(store::Transaction& tx, std::string_view bucket);
// Fails with NoSuchBucket when the bucket does not exist.
Status RequireBucket(store::Transaction& tx, std::string_view bucket);

Result<std::optional<ObjectRow>> FindObject(store::Transaction& tx, std::string_view bucket,
                                            std::string_view key);
Status UpsertObject(store::Transaction& tx, const ObjectRow& row);
Status DeleteObjectRow(store::Transaction& tx, std::string_view bucket, std::string_view key);
Result<bool> IsBlobReferenced(store::Transaction& tx, std::string_view blob_id);

// Drops the multipart uploads of a bucket (multipart.cpp); their part blobs become garbage
// (rows in blob_garbage, ids in `garbage`).
Status DropUploadsOf(store::Transaction& tx, std::string_view bucket,
                     std::vector<std::string>& garbage);

std::string EncodeMetadata(const std::map<std::string, std::string>& metadata);
std::map<std::string, std::string> DecodeMetadata(std::string_view json);
// A multipart object's part sizes as a JSON array; NULL (nullopt) for an object written whole.
std::optional<std::string> EncodePartSizes(const std::vector<uint64_t>& part_sizes);
std::vector<uint64_t> DecodePartSizes(std::string_view json);

}  // namespace sluice::lake
