// CredentialStore: generated on first use with owner-only permissions, keys added and removed
// under a lock, bad files refused with a message saying what to do.
#include "sluice/s3/credentials.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <regex>

#include "support/temp_dir.h"

namespace sluice::s3 {
namespace {

using sluice::testing::TempDir;

mode_t ModeOf(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_mode & 07777;
}

void Write(const std::filesystem::path& path, const std::string& text, mode_t mode) {
  std::ofstream(path) << text;
  ::chmod(path.c_str(), mode);
}

TEST(CredentialStoreTest, FirstUseGeneratesOneOwnerOnlyKeyThatLasts) {
  TempDir dir;
  auto file = dir / "credentials.json";
  auto store = CredentialStore::Open(file);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_EQ(store->keys().size(), 1u);
  const AccessKey key = store->keys()[0];
  EXPECT_TRUE(std::regex_match(key.id, std::regex("SK[A-Z0-9]{18}"))) << key.id;
  EXPECT_TRUE(std::regex_match(key.secret, std::regex("[A-Za-z0-9/+]{40}")));
  EXPECT_EQ(ModeOf(file), 0600u);
  EXPECT_EQ(store->SecretFor(key.id), key.secret);
  EXPECT_EQ(store->SecretFor("SKNOTAKEY"), std::nullopt);

  auto again = CredentialStore::Open(file);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->keys().size(), 1u);
  EXPECT_EQ(again->keys()[0].id, key.id);
  EXPECT_EQ(again->keys()[0].secret, key.secret);
  EXPECT_NE(CredentialStore::Open(dir / "other.json")->keys()[0].id, key.id);  // random
}

TEST(CredentialStoreTest, AddAndRemoveKeys) {
  TempDir dir;
  auto file = dir / "credentials.json";
  auto store = CredentialStore::Open(file).value();
  std::string first = store.keys()[0].id;
  auto given =
      store.Add(AccessKey{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", {}});
  ASSERT_TRUE(given.ok()) << given.status().ToString();
  auto generated = store.Add(std::nullopt);
  ASSERT_TRUE(generated.ok());
  // Another process's view: the file holds all three.
  auto reread = CredentialStore::Open(file).value();
  ASSERT_EQ(reread.keys().size(), 3u);
  EXPECT_EQ(reread.SecretFor("AKIAIOSFODNN7EXAMPLE"), "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");

  Status duplicate = store.Add(AccessKey{"AKIAIOSFODNN7EXAMPLE", "anothersecret", {}}).status();
  EXPECT_EQ(duplicate.code(), StatusCode::kAlreadyExists);
  Status bad_id = store.Add(AccessKey{"short", "anothersecret", {}}).status();
  EXPECT_EQ(bad_id.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_id.message().find("16 to 128"), std::string::npos);
  EXPECT_FALSE(store.Add(AccessKey{"AKIAIOSFODNN7EXAMPL2", "has space", {}}).ok());

  ASSERT_TRUE(store.Remove(first).ok());
  ASSERT_TRUE(store.Remove(generated->id).ok());
  EXPECT_EQ(store.Remove("SKNOSUCHKEY0000000000").code(), StatusCode::kNotFound);
  Status last = store.Remove("AKIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(last.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(last.message().find("last one"), std::string::npos);
  EXPECT_EQ(CredentialStore::Open(file).value().keys().size(), 1u);
  EXPECT_EQ(ModeOf(file), 0600u);
}

TEST(CredentialStoreTest, AFileOthersCanReadIsRefused) {
  TempDir dir;
  auto file = dir / "credentials.json";
  ASSERT_TRUE(CredentialStore::Open(file).ok());
  ::chmod(file.c_str(), 0644);
  Status refused = CredentialStore::Open(file).status();
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.message().find("chmod 600 " + file.string()), std::string::npos)
      << refused.message();
}

TEST(CredentialStoreTest, BrokenFilesAreRefusedAndLeftAlone) {
  TempDir dir;
  auto file = dir / "credentials.json";
  for (const std::string& text :
       {std::string("not json"), std::string("{\"AccessKeys\": []}"),
        std::string("{\"AccessKeys\": [{\"AccessKeyId\": \"AKIAIOSFODNN7EXAMPLE\"}]}"),
        std::string("{\"AccessKeys\": [{\"AccessKeyId\": \"x\", \"SecretAccessKey\": "
                    "\"wJalrXUtnFEMI\"}]}")}) {
    Write(file, text, 0600);
    Status refused = CredentialStore::Open(file).status();
    EXPECT_FALSE(refused.ok()) << text;
    EXPECT_NE(refused.message().find(file.string()), std::string::npos) << refused.message();
    std::ifstream in(file);
    std::string kept((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(kept, text);  // nothing overwritten
  }
}

}  // namespace
}  // namespace sluice::s3
