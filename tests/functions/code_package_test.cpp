#include "sluice/functions/code_package.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zip.h>

#include <fstream>

#include "support/temp_dir.h"

namespace sluice::functions {
namespace {

namespace fs = std::filesystem;

void WriteFile(const fs::path& path, const std::string& text, bool executable = false) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
  if (executable) fs::permissions(path, fs::perms::owner_exec, fs::perm_options::add);
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool IsExecutable(const fs::path& path) {
  return (fs::status(path).permissions() & fs::perms::owner_exec) != fs::perms::none;
}

// One zip entry: a name, bytes and a unix mode (0: none recorded).
struct Entry {
  std::string name;
  std::string data;
  unsigned mode = 0100644;
};

void WriteZip(const fs::path& path, const std::vector<Entry>& entries) {
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  ASSERT_NE(archive, nullptr);
  for (const Entry& entry : entries) {
    zip_int64_t index;
    if (!entry.name.empty() && entry.name.back() == '/') {
      index = zip_dir_add(archive, entry.name.c_str(), ZIP_FL_ENC_UTF_8);
    } else {
      zip_source_t* source = zip_source_buffer(archive, entry.data.data(), entry.data.size(), 0);
      index = zip_file_add(archive, entry.name.c_str(), source, ZIP_FL_ENC_UTF_8);
    }
    ASSERT_GE(index, 0) << zip_strerror(archive);
    if (entry.mode != 0) {
      zip_file_set_external_attributes(archive, static_cast<zip_uint64_t>(index), 0, ZIP_OPSYS_UNIX,
                                       static_cast<zip_uint32_t>(entry.mode) << 16);
    }
  }
  ASSERT_EQ(zip_close(archive), 0);
}

class CodePackageTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  fs::path root_ = dir_ / "functions";

  // Nothing staged is left behind, whatever happened.
  void TearDown() override {
    if (fs::exists(root_ / ".staging")) {
      EXPECT_TRUE(fs::is_empty(root_ / ".staging"));
    }
  }
};

TEST_F(CodePackageTest, AFolderIsCopiedWithItsExecutableBitsAndHashedByContent) {
  WriteFile(dir_ / "src/app.py", "def handler(e, c): return e\n");
  WriteFile(dir_ / "src/lib/util.py", "X = 1\n");
  WriteFile(dir_ / "src/bootstrap", "#!/bin/sh\n", /*executable=*/true);
  Result<DeployedCode> code = DeployCode(root_, "f", dir_ / "src");
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  fs::path deployed = root_ / code->folder;
  EXPECT_EQ(code->folder.rfind("f/", 0), 0u);
  EXPECT_EQ(ReadFile(deployed / "lib/util.py"), "X = 1\n");
  EXPECT_TRUE(IsExecutable(deployed / "bootstrap"));
  EXPECT_FALSE(IsExecutable(deployed / "app.py"));
  EXPECT_EQ(code->size, 28u + 6u + 10u);
  EXPECT_EQ(code->sha256.size(), 44u);  // base64 of 32 bytes

  // The same tree deploys to the same folder; a changed byte to another, the first kept.
  Result<DeployedCode> again = DeployCode(root_, "f", dir_ / "src");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->folder, code->folder);
  EXPECT_EQ(again->sha256, code->sha256);
  WriteFile(dir_ / "src/lib/util.py", "X = 2\n");
  Result<DeployedCode> changed = DeployCode(root_, "f", dir_ / "src");
  ASSERT_TRUE(changed.ok());
  EXPECT_NE(changed->sha256, code->sha256);
  EXPECT_EQ(ReadFile(deployed / "lib/util.py"), "X = 1\n");
  EXPECT_EQ(ReadFile(root_ / changed->folder / "lib/util.py"), "X = 2\n");

  ASSERT_TRUE(RemoveCode(root_, code->folder).ok());
  EXPECT_FALSE(fs::exists(deployed));
  EXPECT_TRUE(RemoveCode(root_, code->folder).ok());  // already gone: fine
}

TEST_F(CodePackageTest, AZipIsUnpackedWithModesAndHashedAsLambdaDoes) {
  WriteZip(dir_ / "code.zip", {{"handler.js", "exports.handler = async e => e;\n"},
                               {"bin/", "", 040755},
                               {"bin/run", "#!/bin/sh\n", 0100755},
                               {"no-mode.txt", "plain", 0}});
  Result<DeployedCode> code = DeployCode(root_, "g", dir_ / "code.zip");
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  fs::path deployed = root_ / code->folder;
  EXPECT_EQ(ReadFile(deployed / "handler.js"), "exports.handler = async e => e;\n");
  EXPECT_TRUE(IsExecutable(deployed / "bin/run"));
  EXPECT_FALSE(IsExecutable(deployed / "handler.js"));
  EXPECT_EQ(ReadFile(deployed / "no-mode.txt"), "plain");
  EXPECT_EQ(code->size, fs::file_size(dir_ / "code.zip"));
}

TEST_F(CodePackageTest, ZipEntriesLeavingTheFolderAndLinksAreRefusedWithNothingDeployed) {
  for (const char* name : {"../evil.py", "/etc/evil.py", "a/../../evil.py", "a\\..\\evil.py"}) {
    WriteZip(dir_ / "bad.zip", {{"ok.py", "x"}, {name, "x"}});
    Result<DeployedCode> code = DeployCode(root_, "h", dir_ / "bad.zip");
    ASSERT_FALSE(code.ok()) << name;
    EXPECT_NE(code.status().message().find("outside the code folder"), std::string::npos)
        << code.status().ToString();
    EXPECT_EQ(code.status().aws_code(), "InvalidParameterValueException");
  }
  WriteZip(dir_ / "link.zip", {{"link", "/etc/passwd", 0120777}});
  Result<DeployedCode> code = DeployCode(root_, "h", dir_ / "link.zip");
  ASSERT_FALSE(code.ok());
  EXPECT_NE(code.status().message().find("symbolic link"), std::string::npos);
  EXPECT_FALSE(fs::exists(root_ / "h"));
  EXPECT_FALSE(fs::exists(dir_ / "evil.py"));
}

TEST_F(CodePackageTest, MissingOrUnreadableSourcesAreNamed) {
  Result<DeployedCode> missing = DeployCode(root_, "f", dir_ / "nowhere");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("nowhere does not exist"), std::string::npos);
  WriteFile(dir_ / "not-a.zip", "this is text");
  Result<DeployedCode> garbage = DeployCode(root_, "f", dir_ / "not-a.zip");
  ASSERT_FALSE(garbage.ok());
  EXPECT_NE(garbage.status().message().find("not a zip file"), std::string::npos);
  fs::create_directories(dir_ / "src");
  fs::create_directory_symlink(dir_ / "elsewhere", dir_ / "src/linked");
  fs::create_directories(dir_ / "elsewhere");
  Result<DeployedCode> linked = DeployCode(root_, "f", dir_ / "src");
  ASSERT_FALSE(linked.ok());
  EXPECT_NE(linked.status().message().find("symbolic link to a folder"), std::string::npos);
}

}  // namespace
}  // namespace sluice::functions
