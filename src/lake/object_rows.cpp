#include "lake/object_rows.h"

#include <nlohmann/json.hpp>

namespace sluice::lake {

using store::Blob;
using store::Cursor;

Status NoSuchBucket(std::string_view bucket) {
  return Status::NotFound("bucket " + std::string(bucket) + " does not exist", "NoSuchBucket");
}

Status NoSuchKey(std::string_view bucket, std::string_view key) {
  return Status::NotFound(DescribeObject(bucket, key) + " does not exist", "NoSuchKey");
}

std::string DescribeObject(std::string_view bucket, std::string_view key) {
  return "s3://" + std::string(bucket) + "/" + std::string(key);
}

Result<std::optional<BucketInfo>> FindBucket(store::Transaction& tx, std::string_view bucket) {
  SLUICE_ASSIGN_OR_RETURN(Cursor row,
                          tx.Query("SELECT created_ms FROM buckets WHERE name = ?", bucket));
  SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
  if (!found) return std::optional<BucketInfo>();
  return std::optional<BucketInfo>(BucketInfo{std::string(bucket), FromUnixMillis(row.Int(0))});
}

Status RequireBucket(store::Transaction& tx, std::string_view bucket) {
  SLUICE_ASSIGN_OR_RETURN(auto found, FindBucket(tx, bucket));
  return found ? Status::Ok() : NoSuchBucket(bucket);
}

Result<std::optional<ObjectRow>> FindObject(store::Transaction& tx, std::string_view bucket,
                                            std::string_view key) {
  SLUICE_ASSIGN_OR_RETURN(
      Cursor row, tx.Query("SELECT blob_id, size, etag, content_type, metadata, last_modified_ms, "
                           "headers, part_sizes "
                           "FROM objects WHERE bucket = ? AND key = ?",
                           bucket, Blob{key}));
  SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
  if (!found) return std::optional<ObjectRow>();
  ObjectRow object;
  object.blob_id = row.Text(0);
  object.info.bucket = std::string(bucket);
  object.info.key = std::string(key);
  object.info.size = static_cast<uint64_t>(row.Int(1));
  object.info.etag = row.Text(2);
  object.info.content_type = row.Text(3);
  object.info.metadata = DecodeMetadata(row.Bytes(4));
  object.info.last_modified = FromUnixMillis(row.Int(5));
  object.info.headers = DecodeMetadata(row.Bytes(6));
  object.info.part_sizes = DecodePartSizes(row.Bytes(7));
  return std::optional<ObjectRow>(std::move(object));
}

Status UpsertObject(store::Transaction& tx, const ObjectRow& row) {
  const ObjectInfo& info = row.info;
  return tx
      .Execute(
          "INSERT INTO objects (bucket, key, blob_id, size, etag, content_type, metadata, "
          "last_modified_ms, headers, part_sizes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
          "ON CONFLICT (bucket, key) DO UPDATE SET blob_id = excluded.blob_id, "
          "size = excluded.size, etag = excluded.etag, content_type = excluded.content_type, "
          "metadata = excluded.metadata, last_modified_ms = excluded.last_modified_ms, "
          "headers = excluded.headers, part_sizes = excluded.part_sizes",
          info.bucket, Blob{info.key}, row.blob_id, static_cast<int64_t>(info.size), info.etag,
          info.content_type, EncodeMetadata(info.metadata), ToUnixMillis(info.last_modified),
          EncodeMetadata(info.headers), EncodePartSizes(info.part_sizes))
      .status();
}

Status DeleteObjectRow(store::Transaction& tx, std::string_view bucket, std::string_view key) {
  return tx.Execute("DELETE FROM objects WHERE bucket = ? AND key = ?", bucket, Blob{key}).status();
}

Result<bool> IsBlobReferenced(store::Transaction& tx, std::string_view blob_id) {
  SLUICE_ASSIGN_OR_RETURN(Cursor row,
                          tx.Query("SELECT 1 FROM objects WHERE blob_id = ? UNION ALL "
                                   "SELECT 1 FROM multipart_parts WHERE blob_id = ? LIMIT 1",
                                   blob_id, blob_id));
  return row.Next();
}

std::string EncodeMetadata(const std::map<std::string, std::string>& metadata) {
  return nlohmann::json(metadata).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::map<std::string, std::string> DecodeMetadata(std::string_view json) {
  auto parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  std::map<std::string, std::string> metadata;
  if (!parsed.is_object()) return metadata;
  for (const auto& [name, value] : parsed.items()) {
    if (value.is_string()) metadata[name] = value.get<std::string>();
  }
  return metadata;
}

std::optional<std::string> EncodePartSizes(const std::vector<uint64_t>& part_sizes) {
  if (part_sizes.empty()) return std::nullopt;
  return nlohmann::json(part_sizes).dump();
}

std::vector<uint64_t> DecodePartSizes(std::string_view json) {
  std::vector<uint64_t> sizes;
  if (json.empty()) return sizes;
  auto parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) return sizes;
  for (const auto& size : parsed) {
    if (size.is_number_unsigned()) sizes.push_back(size.get<uint64_t>());
  }
  return sizes;
}

}  // namespace sluice::lake
