// Transfer commands: `put` (local file to lake), `get` (lake to local file) and `cp` (any of
// local→lake, lake→local, lake→lake).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/progress.h"
#include "sluice/common/ids.h"
#include "sluice/common/posix_file.h"
#include "sluice/lake/byte_sources.h"
#include "sluice/lake/s3_uri.h"

namespace sluice::cli {
namespace {

namespace fs = std::filesystem;

struct TransferArgs {
  std::string source;
  std::string destination;
  std::string content_type;
  std::vector<std::string> metadata;  // NAME=VALUE
  std::string metadata_directive = "COPY";
  std::string range;  // FIRST-LAST, FIRST- or -SUFFIX
};

std::string GuessContentType(const std::string& path) {
  static const std::map<std::string, std::string> kByExtension = {
      {".csv", "text/csv"},
      {".tsv", "text/tab-separated-values"},
      {".txt", "text/plain"},
      {".json", "application/json"},
      {".jsonl", "application/x-ndjson"},
      {".ndjson", "application/x-ndjson"},
      {".parquet", "application/vnd.apache.parquet"},
      {".gz", "application/gzip"},
      {".zip", "application/zip"},
      {".sh", "text/x-sh"},
      {".py", "text/x-python"},
      {".yaml", "application/yaml"},
      {".yml", "application/yaml"},
      {".html", "text/html"}};
  auto it = kByExtension.find(fs::path(path).extension().string());
  return it == kByExtension.end() ? std::string(lake::kDefaultContentType) : it->second;
}

Result<std::map<std::string, std::string>> ParseMetadata(const std::vector<std::string>& pairs) {
  std::map<std::string, std::string> metadata;
  for (const std::string& pair : pairs) {
    size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      return UsageError("--metadata expects NAME=VALUE, got \"" + pair + "\"");
    }
    std::string name = pair.substr(0, eq);
    for (char& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    metadata[name] = pair.substr(eq + 1);
  }
  return metadata;
}

Result<std::optional<lake::ByteRange>> ParseRange(const std::string& text) {
  if (text.empty()) return std::optional<lake::ByteRange>();
  auto bad = [&] {
    return UsageError("--range expects FIRST-LAST, FIRST- or -SUFFIX, got " + text);
  };
  size_t dash = text.find('-');
  if (dash == std::string::npos) return bad();
  std::string first = text.substr(0, dash), last = text.substr(dash + 1);
  auto number = [](const std::string& s) -> std::optional<uint64_t> {
    uint64_t value = 0;
    auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || error != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return value;
  };
  if (first.empty()) {
    auto n = number(last);
    if (!n) return bad();
    return std::optional(lake::ByteRange::Suffix(*n));
  }
  auto f = number(first);
  if (!f) return bad();
  if (last.empty()) return std::optional(lake::ByteRange::From(*f));
  auto l = number(last);
  if (!l || *l < *f) return bad();
  return std::optional(lake::ByteRange::FromTo(*f, *l));
}

// The key a local file lands at: the URI's key, or the file's name appended when the key is
// empty or ends with '/' (as `aws s3 cp` does).
std::string DestinationKey(const lake::S3Uri& uri, const std::string& local) {
  if (!uri.key.empty() && uri.key.back() != '/') return uri.key;
  return uri.key + fs::path(local).filename().string();
}

Status UploadTo(DataDir& dir, const TransferArgs& args, const lake::S3Uri& uri,
                const std::string& key) {
  const bool from_stdin = args.source == "-";
  UniqueFd file;
  std::optional<uint64_t> size;
  if (!from_stdin) {
    SLUICE_ASSIGN_OR_RETURN(file, OpenFile(args.source, O_RDONLY));
    struct stat st;
    if (::fstat(file.get(), &st) != 0) return ErrnoStatus("cannot stat " + args.source, errno);
    if (S_ISDIR(st.st_mode)) return Status::InvalidArgument(args.source + " is a directory");
    size = static_cast<uint64_t>(st.st_size);
  }
  lake::PutOptions options;
  options.content_type =
      args.content_type.empty() ? GuessContentType(args.source) : args.content_type;
  SLUICE_ASSIGN_OR_RETURN(options.metadata, ParseMetadata(args.metadata));

  SLUICE_ASSIGN_OR_RETURN(auto* lake, dir.Lake());
  lake::FdByteSource source(from_stdin ? STDIN_FILENO : file.get(), args.source);
  Progress progress("upload", size);
  ProgressSource counted(source, progress);
  return lake->PutObject(uri.bucket, key, counted, options).status();
}

Status Upload(DataDir& dir, const TransferArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(lake::S3Uri uri, lake::ParseS3Uri(args.destination));
  if (args.source == "-" && (uri.key.empty() || uri.key.back() == '/')) {
    return UsageError("uploading from stdin needs a full key, not " + args.destination);
  }
  std::string key = DestinationKey(uri, args.source);
  std::string target = "s3://" + uri.bucket + "/" + key;
  Status status = UploadTo(dir, args, uri, key);
  if (IsUsageError(status)) return status;
  SLUICE_RETURN_IF_ERROR(status.WithContext("upload " + args.source + " to " + target));
  std::printf("upload: %s to %s\n", args.source.c_str(), target.c_str());
  return Status::Ok();
}

// Writes the object to `local` through a temporary file in the same folder, renamed into place
// only when complete, so a failed download leaves no partial file.
Status Download(DataDir& dir, const TransferArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(lake::S3Uri uri, lake::ParseS3Uri(args.source));
  if (uri.key.empty()) return UsageError("get " + args.source + ": name an object");
  SLUICE_ASSIGN_OR_RETURN(std::optional<lake::ByteRange> range, ParseRange(args.range));
  std::string local = args.destination.empty() ? "." : args.destination;
  const bool to_stdout = local == "-";
  std::error_code ec;
  if (!to_stdout && (local.back() == '/' || fs::is_directory(local, ec))) {
    local = (fs::path(local) / fs::path(uri.key).filename()).string();
  }
  std::string what = "download " + args.source + " to " + local;

  SLUICE_ASSIGN_OR_RETURN(auto* lake, dir.Lake());
  SLUICE_ASSIGN_OR_RETURN(auto reader,
                          lake->GetObject(uri.bucket, uri.key, range).WithContext(what));

  fs::path temp;
  UniqueFd out;
  if (to_stdout) {
    out = UniqueFd(::dup(STDOUT_FILENO));
  } else {
    temp = fs::path(local).parent_path() /
           ("." + fs::path(local).filename().string() + ".sluice-" + RandomHex(4));
    if (temp.parent_path().empty()) temp = fs::path(".") / temp;
    out = UniqueFd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!out.valid()) return ErrnoStatus(what + ": cannot create " + local, errno);
  }
  auto copy = [&]() -> Status {
    Progress progress("download", reader->length());
    std::vector<char> buffer(1 << 20);
    while (true) {
      SLUICE_ASSIGN_OR_RETURN(size_t n, reader->Read(buffer.data(), buffer.size()));
      if (n == 0) break;
      SLUICE_RETURN_IF_ERROR(WriteAll(out.get(), buffer.data(), n, local));
      progress.Advance(n);
    }
    if (to_stdout) return Status::Ok();
    SLUICE_RETURN_IF_ERROR(SyncFile(out.get(), local));
    if (::rename(temp.c_str(), local.c_str()) != 0)
      return ErrnoStatus("cannot rename to " + local, errno);
    return Status::Ok();
  };
  Status status = copy();
  if (!status.ok()) {
    if (!to_stdout) ::unlink(temp.c_str());
    return status.WithContext(what);
  }
  if (!to_stdout) std::printf("download: %s to %s\n", args.source.c_str(), local.c_str());
  return Status::Ok();
}

Status CopyInLake(DataDir& dir, const TransferArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(lake::S3Uri from, lake::ParseS3Uri(args.source));
  SLUICE_ASSIGN_OR_RETURN(lake::S3Uri to, lake::ParseS3Uri(args.destination));
  if (from.key.empty()) return UsageError("cp " + args.source + ": name an object");
  std::string key = DestinationKey(to, from.key);
  std::string target = "s3://" + to.bucket + "/" + key;
  if (args.metadata_directive != "COPY" && args.metadata_directive != "REPLACE") {
    return UsageError("--metadata-directive is COPY or REPLACE, not " + args.metadata_directive);
  }
  lake::CopyOptions options;
  options.replace_metadata = args.metadata_directive == "REPLACE";
  options.content_type = args.content_type.empty() ? GuessContentType(key) : args.content_type;
  SLUICE_ASSIGN_OR_RETURN(options.metadata, ParseMetadata(args.metadata));
  SLUICE_ASSIGN_OR_RETURN(auto* lake, dir.Lake());
  SLUICE_RETURN_IF_ERROR(lake->CopyObject(from.bucket, from.key, to.bucket, key, options)
                             .status()
                             .WithContext("copy " + args.source + " to " + target));
  std::printf("copy: %s to %s\n", args.source.c_str(), target.c_str());
  return Status::Ok();
}

Status Copy(DataDir& dir, const TransferArgs& args) {
  bool from_lake = lake::IsS3Uri(args.source), to_lake = lake::IsS3Uri(args.destination);
  if (from_lake && to_lake) return CopyInLake(dir, args);
  if (to_lake) return Upload(dir, args);
  if (from_lake) return Download(dir, args);
  return UsageError("cp needs at least one s3:// URI (use cp(1) for local files)");
}

}  // namespace

void RegisterTransferCommands(CLI::App& app, Command& command) {
  static TransferArgs args;
  auto add_put_options = [](CLI::App* sub) {
    sub->add_option("--content-type", args.content_type,
                    "Content type to store (default: guessed from the file name)");
    sub->add_option("--metadata", args.metadata, "User metadata NAME=VALUE (repeatable)");
  };

  auto* put = app.add_subcommand("put", "Upload a local file (or - for stdin) into the lake");
  put->add_option("local", args.source, "Local file, or - for stdin")->required();
  put->add_option("uri", args.destination, "s3://BUCKET/KEY (a trailing / appends the file name)")
      ->required()
      ->check(S3UriCheck());
  add_put_options(put);
  put->callback([&] { command.run = [](DataDir& d) { return Upload(d, args); }; });

  auto* get = app.add_subcommand("get", "Download an object to a local file (or - for stdout)");
  get->add_option("uri", args.source, "s3://BUCKET/KEY")->required()->check(S3UriCheck());
  get->add_option("local", args.destination, "Local file or folder (default: .), or -");
  get->add_option("--range", args.range, "Only these bytes: FIRST-LAST, FIRST- or -SUFFIX");
  get->callback([&] { command.run = [](DataDir& d) { return Download(d, args); }; });

  auto* cp = app.add_subcommand("cp", "Copy between local files and the lake, or within the lake");
  cp->add_option("source", args.source, "Local file or s3://BUCKET/KEY")->required();
  cp->add_option("destination", args.destination, "Local file or s3://BUCKET/KEY")->required();
  add_put_options(cp);
  cp->add_option("--metadata-directive", args.metadata_directive,
                 "Lake to lake: COPY keeps the source's metadata, REPLACE takes the given");
  cp->add_option("--range", args.range, "Lake to local: only these bytes");
  cp->callback([&] { command.run = [](DataDir& d) { return Copy(d, args); }; });
}

}  // namespace sluice::cli
