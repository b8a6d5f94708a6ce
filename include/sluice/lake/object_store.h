// ObjectStore: the lake, as S3 defines it: buckets of objects addressed by key.
//
// Implementations: LocalObjectStore (files on this machine, keys mapped in the state store); an
// S3 backend later. Every mutating call is atomic (an object is visible whole or not at all) and,
// where S3 emits an EventBridge event for the change (Object Created / Object Deleted), appends
// that event in the same transaction that commits the change.
//
// Errors carry S3's error code in Status::aws_code() (NoSuchBucket, NoSuchKey, InvalidBucketName,
// BucketNotEmpty, BucketAlreadyOwnedByYou, KeyTooLongError, InvalidRange, PreconditionFailed, ...).
// Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/clock.h"
#include "sluice/common/result.h"

namespace sluice::lake {

inline constexpr std::string_view kDefaultContentType = "binary/octet-stream";

struct BucketInfo {
  std::string name;
  TimePoint created;
};

struct ObjectInfo {
  std::string bucket;
  std::string key;
  uint64_t size = 0;
  std::string etag;  // hex MD5 of the bytes, without quotes
  std::string content_type;
  TimePoint last_modified;
  std::map<std::string, std::string> metadata;  // user metadata; names lower-case
  // Response headers stored with the object: cache-control, content-disposition,
  // content-encoding, content-language, expires and the x-amz-checksum-<algorithm> its writer
  // sent. Names lower-case.
  std::map<std::string, std::string> headers;
  // A multipart object's part sizes, in order; empty for an object written whole.
  std::vector<uint64_t> part_sizes;
};

// Who asked for a change. Recorded in the change's event (`request-id`, `requester`,
// `source-ip-address`); empty fields are left out of the event.
struct RequestContext {
  std::string request_id;
  std::string requester;
  std::string source_ip;
};

struct PutOptions {
  std::string content_type{kDefaultContentType};
  std::map<std::string, std::string> metadata;
  std::map<std::string, std::string> headers;  // as ObjectInfo::headers
  // Conditional writes, checked atomically with the commit: If-None-Match: * fails with
  // PreconditionFailed when the key exists; If-Match fails with PreconditionFailed when the
  // current ETag differs and NoSuchKey when there is no object.
  bool if_none_match_any = false;
  std::optional<std::string> if_match_etag;
  // The hex MD5 the bytes must have (Content-MD5); BadDigest, and nothing written, otherwise.
  std::optional<std::string> content_md5;
  // The `reason` of the Object Created event.
  std::string reason = "PutObject";
  RequestContext request;
};

struct CopyOptions {
  // false: the copy keeps the source's content type and metadata (x-amz-metadata-directive COPY);
  // true: it takes those below (REPLACE).
  bool replace_metadata = false;
  std::string content_type{kDefaultContentType};
  std::map<std::string, std::string> metadata;
  std::map<std::string, std::string> headers;  // as ObjectInfo::headers
  // Conditions on the destination, as PutOptions'.
  bool if_none_match_any = false;
  std::optional<std::string> if_match_etag;
  RequestContext request;
};

// A byte range as HTTP states it: `first-last` (inclusive), `first-`, or the last
// `suffix_length` bytes.
struct ByteRange {
  std::optional<uint64_t> first;
  std::optional<uint64_t> last;
  std::optional<uint64_t> suffix_length;

  static ByteRange FromTo(uint64_t first, uint64_t last) { return {first, last, std::nullopt}; }
  static ByteRange From(uint64_t first) { return {first, std::nullopt, std::nullopt}; }
  static ByteRange Suffix(uint64_t length) { return {std::nullopt, std::nullopt, length}; }
};

// Where a range lies in an object of `info.size` bytes. InvalidRange when it starts at or past
// the end (or asks for the last 0 bytes), InvalidArgument when it ends before it starts.
struct ResolvedRange {
  uint64_t offset;
  uint64_t length;
};
Result<ResolvedRange> ResolveRange(const std::optional<ByteRange>& range, const ObjectInfo& info);

struct ListRequest {
  std::string prefix;
  std::string delimiter;  // empty: no roll-up into common prefixes
  // Only entries (keys and common prefixes) strictly after this one are listed. It takes the
  // `next_marker` of the previous page to continue a listing.
  std::string start_after;
  int max_keys = 1000;
};

struct ListPage {
  std::vector<ObjectInfo> objects;           // in UTF-8 byte order; metadata not filled in
  std::vector<std::string> common_prefixes;  // in UTF-8 byte order
  bool truncated = false;
  // When truncated: the last entry (key or common prefix) of this page.
  std::string next_marker;
};

// A multipart upload in progress: parts are uploaded one by one (in any order, each replacing
// an earlier one with its number), then completed into one object (one Object Created event,
// reason CompleteMultipartUpload) or aborted.
struct MultipartUpload {
  std::string bucket;
  std::string key;
  std::string upload_id;
  TimePoint initiated;
};

struct PartInfo {
  int part_number = 0;  // 1 to 10000
  uint64_t size = 0;
  std::string etag;  // hex MD5 of the part, unquoted
  TimePoint last_modified;
};

// A part as CompleteMultipartUpload names it.
struct CompletedPart {
  int part_number = 0;
  std::string etag;  // unquoted
};

struct PartPage {
  std::vector<PartInfo> parts;  // by part number
  bool truncated = false;
  int next_part_number_marker = 0;  // when truncated: the last part of this page
};

struct UploadListRequest {
  std::string prefix;
  std::string delimiter;
  // Uploads after this key, or of this key and initiated after the upload `upload_id_marker`.
  std::string key_marker;
  std::string upload_id_marker;
  int max_uploads = 1000;
};

struct UploadPage {
  std::vector<MultipartUpload> uploads;      // by key, then by when they began
  std::vector<std::string> common_prefixes;  // in UTF-8 byte order
  bool truncated = false;
  std::string next_key_marker;  // when truncated
  std::string next_upload_id_marker;
};

// S3's multipart limits.
inline constexpr int kMaxPartNumber = 10000;
inline constexpr uint64_t kMinPartSize = 5 << 20;  // every part but the last

// The bytes to read, from a byte source such as a local file or a request body.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `size` bytes; returns 0 only at the end.
  virtual Result<size_t> Read(char* buffer, size_t size) = 0;
  // Headers to store with the object that only the end of the body tells, such as a checksum
  // its sender put in a trailer or one computed on the way; asked for once the body is read.
  virtual std::map<std::string, std::string> TrailingHeaders() const { return {}; }
};

// Reads one object (or a range of it) as it was when GetObject returned, even if it is
// overwritten or deleted meanwhile. Not thread-safe.
class ObjectReader {
 public:
  virtual ~ObjectReader() = default;
  virtual const ObjectInfo& info() const = 0;
  virtual uint64_t offset() const = 0;  // where the range starts
  virtual uint64_t length() const = 0;  // how many bytes the range holds
  // Reads up to `size` bytes of the range; returns 0 at its end.
  virtual Result<size_t> Read(char* buffer, size_t size) = 0;
  // A file that holds the object's bytes at their own offsets, for senders that copy from file
  // to socket in the kernel (sendfile); -1 when there is none.
  virtual int fd() const { return -1; }
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  virtual Status CreateBucket(std::string_view bucket) = 0;
  // Fails with BucketNotEmpty unless the bucket holds no objects.
  virtual Status DeleteBucket(std::string_view bucket) = 0;
  virtual Result<BucketInfo> HeadBucket(std::string_view bucket) = 0;
  virtual Result<std::vector<BucketInfo>> ListBuckets() = 0;  // by name

  // Streams `body` into the object, replacing any object with that key.
  virtual Result<ObjectInfo> PutObject(std::string_view bucket, std::string_view key,
                                       ByteSource& body, const PutOptions& options) = 0;
  virtual Result<std::unique_ptr<ObjectReader>> GetObject(
      std::string_view bucket, std::string_view key,
      const std::optional<ByteRange>& range = std::nullopt) = 0;
  virtual Result<ObjectInfo> HeadObject(std::string_view bucket, std::string_view key) = 0;
  // Deleting a key that does not exist succeeds and changes nothing (as in S3). Returns whether
  // an object was deleted.
  virtual Result<bool> DeleteObject(std::string_view bucket, std::string_view key,
                                    const RequestContext& request = {}) = 0;
  virtual Result<ObjectInfo> CopyObject(std::string_view source_bucket, std::string_view source_key,
                                        std::string_view bucket, std::string_view key,
                                        const CopyOptions& options) = 0;
  virtual Result<ListPage> ListObjects(std::string_view bucket, const ListRequest& request) = 0;

  // Multipart uploads. `options` of Create gives the object's content type, metadata and
  // headers; those of Complete its write conditions and requester. Unknown uploads (or ones of
  // another key) are NoSuchUpload; Complete checks what S3 checks: parts in ascending order
  // (InvalidPartOrder), each uploaded with the ETag named (InvalidPart), each but the last at
  // least kMinPartSize (EntityTooSmall). The object's ETag is S3's multipart ETag: the hex MD5
  // of the parts' binary MD5s, then "-<number of parts>".
  virtual Result<MultipartUpload> CreateMultipartUpload(std::string_view bucket,
                                                        std::string_view key,
                                                        const PutOptions& options) = 0;
  // `content_md5`: the hex MD5 the part must have (BadDigest otherwise).
  virtual Result<PartInfo> UploadPart(std::string_view bucket, std::string_view key,
                                      std::string_view upload_id, int part_number, ByteSource& body,
                                      const std::optional<std::string>& content_md5) = 0;
  virtual Result<ObjectInfo> CompleteMultipartUpload(std::string_view bucket, std::string_view key,
                                                     std::string_view upload_id,
                                                     const std::vector<CompletedPart>& parts,
                                                     const PutOptions& options) = 0;
  virtual Status AbortMultipartUpload(std::string_view bucket, std::string_view key,
                                      std::string_view upload_id) = 0;
  // Parts numbered above `part_number_marker`, at most `max_parts`.
  virtual Result<PartPage> ListParts(std::string_view bucket, std::string_view key,
                                     std::string_view upload_id, int part_number_marker,
                                     int max_parts) = 0;
  virtual Result<UploadPage> ListMultipartUploads(std::string_view bucket,
                                                  const UploadListRequest& request) = 0;
};

}  // namespace sluice::lake
