// LocalObjectStore's multipart uploads. An upload is a row in multipart_uploads; each part a blob
// file and a row in multipart_parts, committed when the part's bytes are synced (so a crash never
// loses an acknowledged part, and Recover() keeps committed part blobs). Completing copies the
// named parts into one new blob, then one transaction commits the object, its Object Created
// event (reason CompleteMultipartUpload) and the end of the upload, and hands the part blobs to
// the garbage collector.
#include <fcntl.h>

#include <algorithm>

#include "lake/blob_files.h"
#include "lake/blob_stream.h"
#include "lake/object_rows.h"
#include "sluice/common/hex.h"
#include "sluice/common/ids.h"
#include "sluice/common/md5.h"
#include "sluice/lake/local_object_store.h"
#include "sluice/lake/names.h"

namespace sluice::lake {
namespace {

using store::Blob;
using store::Cursor;

constexpr std::string_view kUploadIdAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr size_t kUploadIdLength = 48;

Status NoSuchUpload(std::string_view upload_id) {
  return Status::NotFound("The specified multipart upload does not exist: " +
                              std::string(upload_id) + " (it may have been aborted or completed)",
                          "NoSuchUpload");
}

struct UploadRow {
  std::string content_type;
  std::string metadata;  // JSON
  std::string headers;   // JSON
};

// The upload `upload_id` of bucket/key, or NoSuchUpload.
Result<UploadRow> FindUpload(store::Transaction& tx, std::string_view bucket, std::string_view key,
                             std::string_view upload_id) {
  SLUICE_ASSIGN_OR_RETURN(Cursor row, tx.Query("SELECT content_type, metadata, headers "
                                               "FROM multipart_uploads WHERE upload_id = ? "
                                               "AND bucket = ? AND key = ?",
                                               upload_id, bucket, Blob{key}));
  SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
  if (!found) return NoSuchUpload(upload_id);
  return UploadRow{row.Text(0), row.Text(1), row.Text(2)};
}

struct PartRow {
  PartInfo info;
  std::string blob_id;
};

Result<std::vector<PartRow>> FindParts(store::Transaction& tx, std::string_view upload_id,
                                       int after_part_number, int limit) {
  SLUICE_ASSIGN_OR_RETURN(Cursor rows,
                          tx.Query("SELECT part_number, size, etag, last_modified_ms, blob_id "
                                   "FROM multipart_parts WHERE upload_id = ? AND part_number > ? "
                                   "ORDER BY part_number LIMIT ?",
                                   upload_id, after_part_number, limit));
  std::vector<PartRow> parts;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(bool more, rows.Next());
    if (!more) return parts;
    PartRow part;
    part.info.part_number = static_cast<int>(rows.Int(0));
    part.info.size = static_cast<uint64_t>(rows.Int(1));
    part.info.etag = rows.Text(2);
    part.info.last_modified = FromUnixMillis(rows.Int(3));
    part.blob_id = rows.Text(4);
    parts.push_back(std::move(part));
  }
}

Status AddGarbage(store::Transaction& tx, const std::string& blob_id,
                  std::vector<std::string>& garbage) {
  SLUICE_RETURN_IF_ERROR(
      tx.Execute("INSERT OR IGNORE INTO blob_garbage (blob_id) VALUES (?)", blob_id).status());
  garbage.push_back(blob_id);
  return Status::Ok();
}

// Drops an upload and its parts; their blobs become garbage.
Status DropUpload(store::Transaction& tx, std::string_view upload_id,
                  std::vector<std::string>& garbage) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<PartRow> parts, FindParts(tx, upload_id, 0, kMaxPartNumber));
  for (const PartRow& part : parts)
    SLUICE_RETURN_IF_ERROR(AddGarbage(tx, part.blob_id, garbage));
  SLUICE_RETURN_IF_ERROR(
      tx.Execute("DELETE FROM multipart_parts WHERE upload_id = ?", upload_id).status());
  return tx.Execute("DELETE FROM multipart_uploads WHERE upload_id = ?", upload_id).status();
}

Status CheckPartNumber(int part_number) {
  if (part_number < 1 || part_number > kMaxPartNumber) {
    return Status::InvalidArgument("Part number must be an integer between 1 and 10000, inclusive",
                                   "InvalidArgument");
  }
  return Status::Ok();
}

// Matches the parts Complete names against the uploaded ones, as S3 does.
Result<std::vector<PartRow>> ChooseParts(const std::vector<CompletedPart>& named,
                                         const std::vector<PartRow>& uploaded) {
  if (named.empty()) {
    return Status::InvalidArgument("You must specify at least one part", "MalformedXML");
  }
  std::vector<PartRow> chosen;
  for (size_t i = 0; i < named.size(); ++i) {
    if (i > 0 && named[i].part_number <= named[i - 1].part_number) {
      return Status::InvalidArgument(
          "The list of parts was not in ascending order. Parts must be ordered by part number.",
          "InvalidPartOrder");
    }
    auto it = std::find_if(uploaded.begin(), uploaded.end(), [&](const PartRow& part) {
      return part.info.part_number == named[i].part_number;
    });
    if (it == uploaded.end() || it->info.etag != named[i].etag) {
      return Status::InvalidArgument(
          "One or more of the specified parts could not be found. The part may not have been "
          "uploaded, or the specified entity tag may not match the part's entity tag (part " +
              std::to_string(named[i].part_number) + ")",
          "InvalidPart");
    }
    chosen.push_back(*it);
  }
  for (size_t i = 0; i + 1 < chosen.size(); ++i) {
    if (chosen[i].info.size < kMinPartSize) {
      return Status::InvalidArgument(
          "Your proposed upload is smaller than the minimum allowed size: part " +
              std::to_string(chosen[i].info.part_number) + " has " +
              std::to_string(chosen[i].info.size) + " bytes, and every part but the last needs " +
              std::to_string(kMinPartSize),
          "EntityTooSmall");
    }
  }
  return chosen;
}

// S3's multipart ETag: the MD5 of the parts' binary MD5s, then "-<parts>".
std::string MultipartEtag(const std::vector<PartRow>& parts) {
  Md5 md5;
  for (const PartRow& part : parts) {
    std::string binary;
    for (size_t i = 0; i + 1 < part.info.etag.size(); i += 2)
      binary += static_cast<char>(std::stoi(part.info.etag.substr(i, 2), nullptr, 16));
    md5.Update(binary);
  }
  return md5.FinishHex() + "-" + std::to_string(parts.size());
}

}  // namespace

Status DropUploadsOf(store::Transaction& tx, std::string_view bucket,
                     std::vector<std::string>& garbage) {
  SLUICE_ASSIGN_OR_RETURN(
      Cursor rows, tx.Query("SELECT upload_id FROM multipart_uploads WHERE bucket = ?", bucket));
  std::vector<std::string> uploads;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(bool more, rows.Next());
    if (!more) break;
    uploads.push_back(rows.Text(0));
  }
  for (const std::string& upload_id : uploads)
    SLUICE_RETURN_IF_ERROR(DropUpload(tx, upload_id, garbage));
  return Status::Ok();
}

Result<MultipartUpload> LocalObjectStore::CreateMultipartUpload(std::string_view bucket,
                                                                std::string_view key,
                                                                const PutOptions& options) {
  SLUICE_RETURN_IF_ERROR(ValidateObjectKey(key));
  MultipartUpload upload{std::string(bucket), std::string(key),
                         RandomString(kUploadIdLength, kUploadIdAlphabet), options_.clock->Now()};
  SLUICE_RETURN_IF_ERROR(db_.Write([&](store::Transaction& tx) -> Status {
    SLUICE_RETURN_IF_ERROR(RequireBucket(tx, bucket));
    return tx
        .Execute(
            "INSERT INTO multipart_uploads (upload_id, bucket, key, content_type, metadata, "
            "headers, initiated_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
            upload.upload_id, bucket, Blob{key}, options.content_type,
            EncodeMetadata(options.metadata), EncodeMetadata(options.headers),
            ToUnixMillis(upload.initiated))
        .status();
  }));
  return upload;
}

Result<PartInfo> LocalObjectStore::UploadPart(std::string_view bucket, std::string_view key,
                                              std::string_view upload_id, int part_number,
                                              ByteSource& body,
                                              const std::optional<std::string>& content_md5) {
  SLUICE_RETURN_IF_ERROR(CheckPartNumber(part_number));
  // Refuse early rather than after streaming the body; the commit checks again.
  SLUICE_RETURN_IF_ERROR(db_.Read(
      [&](store::Transaction& tx) { return FindUpload(tx, bucket, key, upload_id).status(); }));
  SLUICE_ASSIGN_OR_RETURN(PendingBlob blob, blobs_->Create());
  Md5 md5;
  std::string what = DescribeObject(bucket, key) + " part " + std::to_string(part_number);
  SLUICE_RETURN_IF_ERROR(StreamIntoBlob(body, blob, md5).WithContext(what));
  PartInfo part{part_number, blob.size(), md5.FinishHex(), options_.clock->Now()};
  if (content_md5 && *content_md5 != part.etag) {
    return Status::InvalidArgument(
        "The Content-MD5 you specified did not match what we received (" + part.etag + ").",
        "BadDigest");
  }
  SLUICE_RETURN_IF_ERROR(blob.Publish());
  std::vector<std::string> garbage;
  SLUICE_RETURN_IF_ERROR(db_.Write([&](store::Transaction& tx) -> Status {
    garbage.clear();
    SLUICE_RETURN_IF_ERROR(FindUpload(tx, bucket, key, upload_id).status());
    // A part uploaded again replaces the earlier one.
    SLUICE_ASSIGN_OR_RETURN(std::vector<PartRow> earlier,
                            FindParts(tx, upload_id, part_number - 1, 1));
    if (!earlier.empty() && earlier[0].info.part_number == part_number) {
      SLUICE_RETURN_IF_ERROR(AddGarbage(tx, earlier[0].blob_id, garbage));
    }
    return tx
        .Execute(
            "INSERT INTO multipart_parts (upload_id, part_number, blob_id, size, etag, "
            "last_modified_ms) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (upload_id, part_number) DO UPDATE SET blob_id = excluded.blob_id, "
            "size = excluded.size, etag = excluded.etag, "
            "last_modified_ms = excluded.last_modified_ms",
            upload_id, part_number, blob.id(), static_cast<int64_t>(part.size), part.etag,
            ToUnixMillis(part.last_modified))
        .status();
  }));
  blob.MarkCommitted();
  CollectGarbage(garbage);
  return part;
}

Result<ObjectInfo> LocalObjectStore::CompleteMultipartUpload(
    std::string_view bucket, std::string_view key, std::string_view upload_id,
    const std::vector<CompletedPart>& parts, const PutOptions& options) {
  UploadRow upload;
  std::vector<PartRow> chosen;
  SLUICE_RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(upload, FindUpload(tx, bucket, key, upload_id));
    SLUICE_ASSIGN_OR_RETURN(std::vector<PartRow> uploaded,
                            FindParts(tx, upload_id, 0, kMaxPartNumber));
    SLUICE_ASSIGN_OR_RETURN(chosen, ChooseParts(parts, uploaded));
    return Status::Ok();
  }));

  // The parts' blobs stay until the commit below drops them, so they can be read meanwhile.
  SLUICE_ASSIGN_OR_RETURN(PendingBlob blob, blobs_->Create());
  ObjectInfo info;
  info.bucket = std::string(bucket);
  info.key = std::string(key);
  for (const PartRow& part : chosen) {
    std::string what =
        DescribeObject(bucket, key) + " part " + std::to_string(part.info.part_number);
    SLUICE_ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(blobs_->PathOf(part.blob_id), O_RDONLY));
    SLUICE_RETURN_IF_ERROR(blob.CopyFrom(fd.get(), 0, part.info.size, what));
    info.part_sizes.push_back(part.info.size);
  }
  SLUICE_RETURN_IF_ERROR(blob.Publish());
  info.size = blob.size();
  info.etag = MultipartEtag(chosen);
  info.content_type = upload.content_type;
  info.metadata = DecodeMetadata(upload.metadata);
  info.headers = DecodeMetadata(upload.headers);

  PutOptions commit = options;
  commit.reason = "CompleteMultipartUpload";
  std::vector<PendingBlob> blobs;
  blobs.push_back(std::move(blob));
  std::vector<ObjectInfo> infos{std::move(info)};
  SLUICE_RETURN_IF_ERROR(
      Commit(bucket, blobs, infos, commit,
             [&](store::Transaction& tx, std::vector<std::string>& garbage) -> Status {
               // A concurrent Complete or Abort of the same upload got there first.
               SLUICE_RETURN_IF_ERROR(FindUpload(tx, bucket, key, upload_id).status());
               return DropUpload(tx, upload_id, garbage);
             }));
  return std::move(infos[0]);
}

Status LocalObjectStore::AbortMultipartUpload(std::string_view bucket, std::string_view key,
                                              std::string_view upload_id) {
  std::vector<std::string> garbage;
  SLUICE_RETURN_IF_ERROR(db_.Write([&](store::Transaction& tx) -> Status {
    garbage.clear();
    SLUICE_RETURN_IF_ERROR(RequireBucket(tx, bucket));
    SLUICE_RETURN_IF_ERROR(FindUpload(tx, bucket, key, upload_id).status());
    return DropUpload(tx, upload_id, garbage);
  }));
  CollectGarbage(garbage);
  return Status::Ok();
}

Result<PartPage> LocalObjectStore::ListParts(std::string_view bucket, std::string_view key,
                                             std::string_view upload_id, int part_number_marker,
                                             int max_parts) {
  PartPage page;
  SLUICE_RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) -> Status {
    SLUICE_RETURN_IF_ERROR(RequireBucket(tx, bucket));
    SLUICE_RETURN_IF_ERROR(FindUpload(tx, bucket, key, upload_id).status());
    SLUICE_ASSIGN_OR_RETURN(std::vector<PartRow> parts,
                            FindParts(tx, upload_id, part_number_marker, max_parts + 1));
    page.truncated = static_cast<int>(parts.size()) > max_parts;
    if (page.truncated) parts.resize(static_cast<size_t>(max_parts));
    for (PartRow& part : parts)
      page.parts.push_back(std::move(part.info));
    if (page.truncated && !page.parts.empty()) {
      page.next_part_number_marker = page.parts.back().part_number;
    }
    return Status::Ok();
  }));
  return page;
}

Result<UploadPage> LocalObjectStore::ListMultipartUploads(std::string_view bucket,
                                                          const UploadListRequest& request) {
  std::vector<MultipartUpload> all;
  SLUICE_RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) -> Status {
    SLUICE_RETURN_IF_ERROR(RequireBucket(tx, bucket));
    SLUICE_ASSIGN_OR_RETURN(Cursor rows,
                            tx.Query("SELECT key, upload_id, initiated_ms FROM multipart_uploads "
                                     "WHERE bucket = ? AND key >= ? "
                                     "ORDER BY key, initiated_ms, upload_id",
                                     bucket, Blob{request.prefix}));
    while (true) {
      SLUICE_ASSIGN_OR_RETURN(bool more, rows.Next());
      if (!more) return Status::Ok();
      std::string key = rows.Text(0);
      if (key.compare(0, request.prefix.size(), request.prefix) != 0) return Status::Ok();
      all.push_back(
          {std::string(bucket), std::move(key), rows.Text(1), FromUnixMillis(rows.Int(2))});
    }
  }));

  // Skip to the marker: uploads of later keys, or of the marker's key after its upload.
  auto start = all.begin();
  if (!request.key_marker.empty()) {
    start = std::find_if(all.begin(), all.end(),
                         [&](const MultipartUpload& u) { return u.key > request.key_marker; });
    if (!request.upload_id_marker.empty()) {
      auto marker = std::find_if(all.begin(), all.end(), [&](const MultipartUpload& u) {
        return u.key == request.key_marker && u.upload_id == request.upload_id_marker;
      });
      if (marker != all.end()) start = marker + 1;
    }
  }
  UploadPage page;
  int entries = 0;
  for (auto it = start; it != all.end(); ++it) {
    std::string rolled_up;
    if (!request.delimiter.empty()) {
      size_t at = it->key.find(request.delimiter, request.prefix.size());
      if (at != std::string::npos) rolled_up = it->key.substr(0, at + request.delimiter.size());
    }
    if (!rolled_up.empty() && !page.common_prefixes.empty() &&
        page.common_prefixes.back() == rolled_up) {
      continue;
    }
    if (entries == request.max_uploads) {
      page.truncated = true;
      break;
    }
    ++entries;
    if (!rolled_up.empty()) {
      page.common_prefixes.push_back(rolled_up);
      page.next_key_marker = rolled_up;
      page.next_upload_id_marker.clear();
    } else {
      page.uploads.push_back(*it);
      page.next_key_marker = it->key;
      page.next_upload_id_marker = it->upload_id;
    }
  }
  if (!page.truncated) {
    page.next_key_marker.clear();
    page.next_upload_id_marker.clear();
  }
  return page;
}

}  // namespace sluice::lake
