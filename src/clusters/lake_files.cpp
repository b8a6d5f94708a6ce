#include "lake_files.h"

#include <zlib.h>

#include <fstream>
#include <sstream>

#include "sluice/lake/byte_sources.h"
#include "sluice/lake/s3_uri.h"

namespace sluice::clusters {
namespace {

Result<std::string> Gzip(const std::string& data) {
  z_stream stream{};
  // 15 window bits + 16: a gzip header and trailer rather than zlib's.
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return Status::Internal("cannot start gzip");
  }
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  int result = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (result != Z_STREAM_END) return Status::Internal("gzip failed");
  return out;
}

Result<std::string> Gunzip(const std::string& data) {
  z_stream stream{};
  // 15 window bits + 32: a gzip or zlib header, detected.
  if (inflateInit2(&stream, 15 + 32) != Z_OK) return Status::Internal("cannot start gunzip");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buffer[64 * 1024];
  int result = Z_OK;
  while (result == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof(buffer);
    result = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof(buffer) - stream.avail_out);
  }
  inflateEnd(&stream);
  if (result != Z_STREAM_END) return Status::Corruption("the log is not valid gzip");
  return out;
}

// Streams the object at `uri` to `write(bytes, size)`.
template <typename Write>
Status ReadObject(lake::ObjectStore& lake, const std::string& uri, Write write) {
  SLUICE_ASSIGN_OR_RETURN(lake::S3Uri where, lake::ParseS3Uri(uri));
  SLUICE_ASSIGN_OR_RETURN(auto reader, lake.GetObject(where.bucket, where.key));
  char buffer[64 * 1024];
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(size_t n, reader->Read(buffer, sizeof(buffer)));
    if (n == 0) return Status::Ok();
    write(buffer, n);
  }
}

}  // namespace

Status DownloadScript(lake::ObjectStore& lake, const std::string& uri,
                      const std::filesystem::path& destination) {
  std::ofstream out(destination, std::ios::binary | std::ios::trunc);
  SLUICE_RETURN_IF_ERROR(ReadObject(lake, uri, [&](const char* bytes, size_t size) {
    out.write(bytes, static_cast<std::streamsize>(size));
  }));
  out.close();
  if (!out) return Status::IoError("cannot write " + destination.string());
  std::filesystem::permissions(destination, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::add);
  return Status::Ok();
}

Status UploadGzipped(lake::ObjectStore& lake, const std::filesystem::path& file,
                     const std::string& uri) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  SLUICE_ASSIGN_OR_RETURN(std::string gzipped, Gzip(content.str()));
  SLUICE_ASSIGN_OR_RETURN(lake::S3Uri where, lake::ParseS3Uri(uri));
  lake::StringByteSource body(gzipped);
  lake::PutOptions options;
  options.content_type = "application/x-gzip";
  return lake.PutObject(where.bucket, where.key, body, options).status();
}

Result<std::string> ReadGzipped(lake::ObjectStore& lake, const std::string& uri) {
  std::string gzipped;
  SLUICE_RETURN_IF_ERROR(
      ReadObject(lake, uri, [&](const char* bytes, size_t size) { gzipped.append(bytes, size); }));
  return Gunzip(gzipped);
}

std::string JoinUri(const std::string& prefix, const std::string& relative) {
  if (!prefix.empty() && prefix.back() == '/') return prefix + relative;
  return prefix + "/" + relative;
}

}  // namespace sluice::clusters
