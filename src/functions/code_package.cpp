#include "sluice/functions/code_package.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "sluice/common/base64.h"
#include "sluice/common/hex.h"
#include "sluice/common/ids.h"
#include "sluice/common/posix_file.h"
#include "sluice/common/sha256.h"

namespace sluice::functions {
namespace {

namespace fs = std::filesystem;

constexpr size_t kCopyBufferBytes = 1 << 16;

Status Invalid(std::string message) {
  return Status::InvalidArgument(std::move(message), "InvalidParameterValueException");
}

Status TooLarge(const fs::path& source) {
  return Invalid("code " + source.string() + ": unzipped size must be at most " +
                 std::to_string(kMaxUnzippedCodeBytes) + " bytes");
}

// A file being written into the staging folder: created, written, synced, closed.
class OutputFile {
 public:
  static Result<OutputFile> Create(const fs::path& path, bool executable) {
    SLUICE_RETURN_IF_ERROR(CreateDirectories(path.parent_path()));
    SLUICE_ASSIGN_OR_RETURN(UniqueFd fd,
                            OpenFile(path, O_WRONLY | O_CREAT | O_EXCL, executable ? 0755 : 0644));
    return OutputFile(path, std::move(fd));
  }
  Status Write(const char* data, size_t size) {
    return WriteAll(fd_.get(), data, size, path_.string());
  }
  Status Finish() { return SyncFile(fd_.get(), path_.string()); }

 private:
  OutputFile(fs::path path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  fs::path path_;
  UniqueFd fd_;
};

// Folder sources: every regular file (symbolic links to files are read through), in path order.
struct FolderEntry {
  std::string relative;  // generic form: "lib/util.py"
  fs::path path;
};

Result<std::vector<FolderEntry>> ListFolder(const fs::path& source) {
  std::vector<FolderEntry> entries;
  std::error_code error;
  fs::recursive_directory_iterator it(source, error), end;
  for (; !error && it != end; it.increment(error)) {
    fs::file_status status = it->status(error);  // follows symbolic links
    if (error) break;
    std::string relative = it->path().lexically_relative(source).generic_string();
    if (fs::is_directory(status)) {
      if (it->is_symlink()) {
        return Invalid("code " + source.string() + ": " + relative +
                       " is a symbolic link to a folder; copy the folder in instead");
      }
      continue;
    }
    if (!fs::is_regular_file(status)) {
      return Invalid("code " + source.string() + ": " + relative +
                     " is neither a file nor a folder (or a link to nowhere)");
    }
    entries.push_back({relative, it->path()});
  }
  if (error) return Status::IoError("code " + source.string() + ": " + error.message());
  std::sort(entries.begin(), entries.end(),
            [](const FolderEntry& a, const FolderEntry& b) { return a.relative < b.relative; });
  return entries;
}

// Copies the folder's files into `staging`; returns their bytes together and hashes the tree.
Result<uint64_t> CopyFolder(const fs::path& source, const fs::path& staging, Sha256& hash) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<FolderEntry> entries, ListFolder(source));
  uint64_t total = 0;
  std::vector<char> buffer(kCopyBufferBytes);
  for (const FolderEntry& entry : entries) {
    SLUICE_ASSIGN_OR_RETURN(UniqueFd in, OpenFile(entry.path, O_RDONLY));
    struct stat st {};
    if (::fstat(in.get(), &st) != 0) return ErrnoStatus("stat " + entry.path.string(), errno);
    bool executable = (st.st_mode & 0111) != 0;
    total += static_cast<uint64_t>(st.st_size);
    if (total > kMaxUnzippedCodeBytes) return TooLarge(source);
    std::string header =
        entry.relative + '\0' + (executable ? "x" : "-") + '\0' + std::to_string(st.st_size) + '\0';
    hash.Update(header);
    SLUICE_ASSIGN_OR_RETURN(OutputFile out,
                            OutputFile::Create(staging / entry.relative, executable));
    for (uint64_t offset = 0;;) {
      SLUICE_ASSIGN_OR_RETURN(
          size_t n, ReadAt(in.get(), buffer.data(), buffer.size(), offset, entry.path.string()));
      if (n == 0) break;
      hash.Update(buffer.data(), n);
      SLUICE_RETURN_IF_ERROR(out.Write(buffer.data(), n));
      offset += n;
    }
    SLUICE_RETURN_IF_ERROR(out.Finish());
  }
  return total;
}

// A zip entry's name as a path inside the code folder, or an error for one that would leave it.
Result<fs::path> EntryPath(const fs::path& source, std::string_view name) {
  fs::path path(name);
  bool escapes = name.empty() || path.is_absolute() || name.find('\\') != std::string_view::npos;
  for (const fs::path& part : path) {
    if (part == "..") escapes = true;
  }
  if (escapes) {
    return Invalid("code " + source.string() + ": the zip entry \"" + std::string(name) +
                   "\" would be unpacked outside the code folder");
  }
  return path;
}

struct ZipCloser {
  void operator()(zip_t* archive) const { zip_discard(archive); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* file) const { zip_fclose(file); }
};

Result<uint64_t> UnpackZip(const fs::path& source, const fs::path& staging) {
  int error_code = 0;
  std::unique_ptr<zip_t, ZipCloser> archive(zip_open(source.c_str(), ZIP_RDONLY, &error_code));
  if (!archive) {
    zip_error_t error;
    zip_error_init_with_code(&error, error_code);
    std::string message = zip_error_strerror(&error);
    zip_error_fini(&error);
    return Invalid("code " + source.string() + " is not a zip file we can read: " + message);
  }
  auto describe = [&](std::string what) {
    return Invalid("code " + source.string() + ": " + what + ": " + zip_strerror(archive.get()));
  };
  zip_int64_t count = zip_get_num_entries(archive.get(), 0);
  uint64_t total = 0;
  std::vector<char> buffer(kCopyBufferBytes);
  for (zip_int64_t i = 0; i < count; ++i) {
    auto index = static_cast<zip_uint64_t>(i);
    const char* name = zip_get_name(archive.get(), index, ZIP_FL_ENC_GUESS);
    if (name == nullptr) return describe("entry " + std::to_string(i));
    SLUICE_ASSIGN_OR_RETURN(fs::path relative, EntryPath(source, name));
    zip_uint8_t system = 0;
    zip_uint32_t attributes = 0;
    zip_file_get_external_attributes(archive.get(), index, 0, &system, &attributes);
    mode_t mode = system == ZIP_OPSYS_UNIX ? static_cast<mode_t>(attributes >> 16) : 0;
    if (S_ISLNK(mode)) {
      return Invalid("code " + source.string() + ": the zip entry \"" + std::string(name) +
                     "\" is a symbolic link; sluice unpacks files and folders only");
    }
    if (std::string_view(name).back() == '/') {
      SLUICE_RETURN_IF_ERROR(CreateDirectories(staging / relative));
      continue;
    }
    std::unique_ptr<zip_file_t, ZipFileCloser> in(zip_fopen_index(archive.get(), index, 0));
    if (!in) return describe(std::string("entry ") + name);
    SLUICE_ASSIGN_OR_RETURN(OutputFile out,
                            OutputFile::Create(staging / relative, (mode & 0111) != 0));
    for (;;) {
      zip_int64_t n = zip_fread(in.get(), buffer.data(), buffer.size());
      if (n < 0) return describe(std::string("entry ") + name);
      if (n == 0) break;
      total += static_cast<uint64_t>(n);
      if (total > kMaxUnzippedCodeBytes) return TooLarge(source);
      SLUICE_RETURN_IF_ERROR(out.Write(buffer.data(), static_cast<size_t>(n)));
    }
    SLUICE_RETURN_IF_ERROR(out.Finish());
  }
  return total;
}

Result<std::string> FileSha256(const fs::path& path) {
  SLUICE_ASSIGN_OR_RETURN(UniqueFd in, OpenFile(path, O_RDONLY));
  Sha256 hash;
  std::vector<char> buffer(kCopyBufferBytes);
  for (uint64_t offset = 0;;) {
    SLUICE_ASSIGN_OR_RETURN(size_t n,
                            ReadAt(in.get(), buffer.data(), buffer.size(), offset, path.string()));
    if (n == 0) break;
    hash.Update(buffer.data(), n);
    offset += n;
  }
  return hash.FinishBinary();
}

// Syncs every folder under `root` (and `root`), so the names of the files in them survive.
Status SyncFolders(const fs::path& root) {
  std::error_code error;
  for (fs::recursive_directory_iterator it(root, error), end; !error && it != end;
       it.increment(error)) {
    if (it->is_directory(error)) SLUICE_RETURN_IF_ERROR(SyncDirectory(it->path()));
  }
  if (error) return Status::IoError("sync " + root.string() + ": " + error.message());
  return SyncDirectory(root);
}

}  // namespace

Result<DeployedCode> DeployCode(const fs::path& functions_root, std::string_view function_name,
                                const fs::path& source) {
  std::error_code error;
  fs::file_status status = fs::status(source, error);
  if (error || !fs::exists(status)) {
    return Invalid("code " + source.string() + " does not exist");
  }
  bool folder = fs::is_directory(status);
  if (!folder && !fs::is_regular_file(status)) {
    return Invalid("code " + source.string() + " is neither a folder nor a zip file");
  }
  fs::path staging = functions_root / ".staging" / RandomHex(8);
  SLUICE_RETURN_IF_ERROR(CreateDirectories(staging));
  // Whatever fails from here leaves no staging folder behind.
  struct Cleanup {
    fs::path path;
    ~Cleanup() {
      std::error_code ignored;
      if (!path.empty()) fs::remove_all(path, ignored);
    }
  } cleanup{staging};

  DeployedCode code;
  std::string digest;
  if (folder) {
    Sha256 hash;
    SLUICE_ASSIGN_OR_RETURN(code.size, CopyFolder(source, staging, hash));
    digest = hash.FinishBinary();
  } else {
    SLUICE_RETURN_IF_ERROR(UnpackZip(source, staging).status());
    code.size = fs::file_size(source, error);
    SLUICE_ASSIGN_OR_RETURN(digest, FileSha256(source));
  }
  SLUICE_RETURN_IF_ERROR(SyncFolders(staging));
  code.sha256 = Base64Encode(digest);
  code.folder = std::string(function_name) + "/" + ToHex(digest).substr(0, 32);
  fs::path final_path = functions_root / code.folder;
  if (fs::exists(final_path, error)) return code;  // the same code, deployed before
  SLUICE_RETURN_IF_ERROR(CreateDirectories(final_path.parent_path()));
  if (::rename(staging.c_str(), final_path.c_str()) != 0) {
    if (errno == ENOTEMPTY || errno == EEXIST) return code;  // deployed meanwhile by another put
    return ErrnoStatus("rename " + staging.string() + " to " + final_path.string(), errno);
  }
  cleanup.path.clear();
  SLUICE_RETURN_IF_ERROR(SyncDirectory(final_path.parent_path()));
  return code;
}

Status RemoveCode(const fs::path& functions_root, std::string_view folder) {
  fs::path relative(folder);
  bool inside = !folder.empty() && relative.is_relative();
  for (const fs::path& part : relative) {
    if (part == ".." || part == ".") inside = false;
  }
  if (!inside)
    return Status::Internal("not a deployed code folder: \"" + std::string(folder) + "\"");
  std::error_code error;
  fs::remove_all(functions_root / folder, error);
  if (error)
    return Status::IoError("remove " + (functions_root / folder).string() + ": " + error.message());
  return Status::Ok();
}

}  // namespace sluice::functions
