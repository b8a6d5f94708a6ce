#include "sluice/functions/function_registry.h"

#include <gtest/gtest.h>

#include "sluice/store/database.h"
#include "support/temp_dir.h"

namespace sluice::functions {
namespace {

class FunctionRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::Database::Open(dir_ / "state.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }

  StoredFunction Function(std::string name, std::string folder) {
    StoredFunction function;
    function.config.name = std::move(name);
    function.config.runtime = "python3";
    function.config.handler = "app.handler";
    function.config.code = "/src";
    function.code = {"c2hh", 42, std::move(folder)};
    function.revision_id = "r1";
    function.last_modified = FromUnixMillis(1700000000123);
    return function;
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Database> db_;
};

TEST_F(FunctionRegistryTest, PutGetListReplaceDelete) {
  int64_t version = 0;
  ASSERT_TRUE(db_->Write([&](store::Transaction& tx) -> Status {
                   SLUICE_ASSIGN_OR_RETURN(version, FunctionsVersion(tx));
                   SLUICE_RETURN_IF_ERROR(PutFunction(tx, Function("b", "b/1")));
                   return PutFunction(tx, Function("a", "a/1"));
                 })
                  .ok());
  ASSERT_TRUE(db_->Read([&](store::Transaction& tx) -> Status {
                   SLUICE_ASSIGN_OR_RETURN(auto listed, ListFunctions(tx));
                   EXPECT_EQ(listed.size(), 2u);
                   EXPECT_EQ(listed[0].config.name, "a");
                   SLUICE_ASSIGN_OR_RETURN(auto b, GetFunction(tx, "b"));
                   if (!b) return Status::Internal("b is missing");
                   EXPECT_EQ(b.value().code.size, 42u);
                   EXPECT_EQ(b.value().last_modified, FromUnixMillis(1700000000123));
                   SLUICE_ASSIGN_OR_RETURN(bool in_use, CodeFolderInUse(tx, "b/1"));
                   EXPECT_TRUE(in_use);
                   SLUICE_ASSIGN_OR_RETURN(int64_t now, FunctionsVersion(tx));
                   EXPECT_GT(now, version);
                   version = now;
                   return Status::Ok();
                 })
                  .ok());

  StoredFunction replaced = Function("b", "b/2");
  replaced.config.timeout_seconds = 60;
  ASSERT_TRUE(db_->Write([&](store::Transaction& tx) { return PutFunction(tx, replaced); }).ok());
  ASSERT_TRUE(db_->Write([&](store::Transaction& tx) -> Status {
                   SLUICE_ASSIGN_OR_RETURN(auto b, GetFunction(tx, "b"));
                   if (!b) return Status::Internal("b is missing");
                   EXPECT_EQ(b.value().config.timeout_seconds, 60);
                   SLUICE_ASSIGN_OR_RETURN(bool old_in_use, CodeFolderInUse(tx, "b/1"));
                   EXPECT_FALSE(old_in_use);
                   SLUICE_RETURN_IF_ERROR(DeleteFunction(tx, "b"));
                   SLUICE_ASSIGN_OR_RETURN(auto gone, GetFunction(tx, "b"));
                   EXPECT_FALSE(gone.has_value());
                   SLUICE_ASSIGN_OR_RETURN(int64_t now, FunctionsVersion(tx));
                   EXPECT_GT(now, version);
                   Status missing = DeleteFunction(tx, "b");
                   EXPECT_EQ(missing.aws_code(), "ResourceNotFoundException");
                   return Status::Ok();
                 })
                  .ok());
}

TEST_F(FunctionRegistryTest, DescribedAsLambdaDescribesAFunction) {
  AwsIdentity identity{"123456789012", "eu-west-1"};
  nlohmann::json json = StoredFunctionToJson(Function("f", "f/1"), identity);
  EXPECT_EQ(json["FunctionArn"], "arn:aws:lambda:eu-west-1:123456789012:function:f");
  EXPECT_EQ(json["LastModified"], "2023-11-14T22:13:20.123+0000");
  EXPECT_EQ(json["CodeSha256"], "c2hh");
  EXPECT_EQ(json["CodeSize"], 42);
  EXPECT_EQ(json["Version"], "$LATEST");
  EXPECT_EQ(json["Handler"], "app.handler");
}

}  // namespace
}  // namespace sluice::functions
