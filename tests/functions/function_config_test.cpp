#include "sluice/functions/function_config.h"

#include <gtest/gtest.h>

namespace sluice::functions {
namespace {

FunctionConfig Valid() {
  FunctionConfig config;
  config.name = "thumbnail-maker_2";
  config.runtime = "python3";
  config.handler = "app.handler";
  config.code = "/srv/code";
  return config;
}

// The error ValidateFunctionConfig gives once `change` is applied to a valid config.
std::string ErrorAfter(void (*change)(FunctionConfig&)) {
  FunctionConfig config = Valid();
  change(config);
  Status status = ValidateFunctionConfig(config);
  EXPECT_EQ(status.aws_code(), "InvalidParameterValueException") << status.ToString();
  return status.message();
}

TEST(FunctionConfigTest, AValidConfigPassesWithLambdasDefaults) {
  FunctionConfig config = Valid();
  EXPECT_TRUE(ValidateFunctionConfig(config).ok());
  EXPECT_EQ(config.timeout_seconds, 3);
  EXPECT_EQ(config.memory_mb, 128);
  EXPECT_EQ(config.async.maximum_retry_attempts, 2);
  EXPECT_EQ(config.async.maximum_event_age_seconds, 21600);
}

TEST(FunctionConfigTest, RuntimesTakeSluicesAndLambdasNames) {
  EXPECT_EQ(RuntimeKindOf("python3"), RuntimeKind::kPython);
  EXPECT_EQ(RuntimeKindOf("python3.12"), RuntimeKind::kPython);
  EXPECT_EQ(RuntimeKindOf("node"), RuntimeKind::kNode);
  EXPECT_EQ(RuntimeKindOf("nodejs20.x"), RuntimeKind::kNode);
  EXPECT_EQ(RuntimeKindOf("provided"), RuntimeKind::kProvided);
  EXPECT_EQ(RuntimeKindOf("provided.al2023"), RuntimeKind::kProvided);
  EXPECT_EQ(RuntimeKindOf("python2.7"), std::nullopt);
  EXPECT_EQ(RuntimeKindOf("java21"), std::nullopt);
  EXPECT_EQ(RuntimeKindOf("nodejs"), RuntimeKind::kNode);
  EXPECT_EQ(RuntimeKindOf("nodejsx"), std::nullopt);
}

TEST(FunctionConfigTest, EachLimitIsCheckedAndNamed) {
  EXPECT_NE(ErrorAfter([](FunctionConfig& c) { c.name = "has space"; }).find("function name"),
            std::string::npos);
  EXPECT_NE(ErrorAfter([](FunctionConfig& c) { c.name = std::string(65, 'a'); }).find("1 to 64"),
            std::string::npos);
  EXPECT_NE(ErrorAfter([](FunctionConfig& c) { c.runtime = "cobol"; }).find("unknown runtime"),
            std::string::npos);
  EXPECT_NE(ErrorAfter([](FunctionConfig& c) { c.handler = "handler"; }).find("MODULE.FUNCTION"),
            std::string::npos);
  EXPECT_NE(ErrorAfter([](FunctionConfig& c) { c.handler = "app."; }).find("MODULE.FUNCTION"),
            std::string::npos);
  EXPECT_NE(ErrorAfter([](FunctionConfig& c) { c.handler = "../up.handler"; }).find("inside"),
            std::string::npos);
  EXPECT_NE(ErrorAfter([](FunctionConfig& c) { c.code.clear(); }).find("code is required"),
            std::string::npos);
  EXPECT_NE(ErrorAfter([](FunctionConfig& c) { c.timeout_seconds = 0; }).find("timeout 0"),
            std::string::npos);
  EXPECT_NE(ErrorAfter([](FunctionConfig& c) { c.timeout_seconds = 901; }).find("1 to 900"),
            std::string::npos);
  EXPECT_NE(ErrorAfter([](FunctionConfig& c) { c.memory_mb = 127; }).find("128 to 10240"),
            std::string::npos);
  EXPECT_NE(ErrorAfter([](FunctionConfig& c) { c.reserved_concurrency = -1; }).find("reserved"),
            std::string::npos);
  EXPECT_NE(ErrorAfter([](FunctionConfig& c) {
              c.async.maximum_retry_attempts = 3;
            }).find("retry attempts"),
            std::string::npos);
  EXPECT_NE(ErrorAfter([](FunctionConfig& c) {
              c.async.maximum_event_age_seconds = 59;
            }).find("event age"),
            std::string::npos);
  EXPECT_NE(ErrorAfter([](FunctionConfig& c) { c.command = {"./run"}; }).find("provided"),
            std::string::npos);
}

TEST(FunctionConfigTest, ReservedAndMalformedVariablesAreRefused) {
  EXPECT_NE(ErrorAfter([](FunctionConfig& c) {
              c.environment["AWS_REGION"] = "eu-west-1";
            }).find("AWS_REGION is reserved"),
            std::string::npos);
  EXPECT_NE(ErrorAfter([](FunctionConfig& c) { c.environment["_HANDLER"] = "x"; }).find("reserved"),
            std::string::npos);
  EXPECT_NE(ErrorAfter([](FunctionConfig& c) { c.environment["1ABC"] = "x"; }).find("1ABC"),
            std::string::npos);
  EXPECT_NE(ErrorAfter([](FunctionConfig& c) { c.environment["A"] = "x"; }).find("\"A\""),
            std::string::npos);
  EXPECT_NE(ErrorAfter([](FunctionConfig& c) {
              c.environment["BIG"] = std::string(4094, 'x');
            }).find("4096"),
            std::string::npos);
  FunctionConfig fits = Valid();
  fits.environment["BIG"] = std::string(4093, 'x');
  EXPECT_TRUE(ValidateFunctionConfig(fits).ok());
}

TEST(FunctionConfigTest, AProvidedRuntimeNeedsNoHandlerAndMayNameACommand) {
  FunctionConfig config = Valid();
  config.runtime = "provided.al2023";
  config.handler.clear();
  EXPECT_TRUE(ValidateFunctionConfig(config).ok());
  config.command = {"/bin/sh", "run.sh"};
  EXPECT_TRUE(ValidateFunctionConfig(config).ok());
  config.command = {""};
  EXPECT_FALSE(ValidateFunctionConfig(config).ok());
}

TEST(FunctionConfigTest, JsonRoundTripsInLambdasFieldNames) {
  FunctionConfig config = Valid();
  config.description = "makes thumbnails";
  config.environment = {{"BUCKET", "lake"}, {"LEVEL", "debug"}};
  config.timeout_seconds = 30;
  config.memory_mb = 512;
  config.reserved_concurrency = 4;
  config.async = {1, 3600, false};
  nlohmann::json json = FunctionConfigToJson(config);
  EXPECT_EQ(json["FunctionName"], "thumbnail-maker_2");
  EXPECT_EQ(json["Environment"]["Variables"]["BUCKET"], "lake");
  EXPECT_EQ(json["ReservedConcurrentExecutions"], 4);
  EXPECT_EQ(json["MemorySize"], 512);
  Result<FunctionConfig> back = FunctionConfigFromJson(json);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(FunctionConfigToJson(*back), json);
}

TEST(FunctionConfigTest, JsonWithUnknownFieldsOrWrongTypesIsRefused) {
  nlohmann::json json = FunctionConfigToJson(Valid());
  json["Timeot"] = 3;
  EXPECT_NE(FunctionConfigFromJson(json).status().message().find("unknown field Timeot"),
            std::string::npos);
  json = FunctionConfigToJson(Valid());
  json["Timeout"] = 3.5;
  EXPECT_NE(FunctionConfigFromJson(json).status().message().find("Timeout must be a whole"),
            std::string::npos);
  json = FunctionConfigToJson(Valid());
  json["Environment"] = {{"Variables", {{"A1", 5}}}};
  EXPECT_NE(FunctionConfigFromJson(json).status().message().find("wrong type"), std::string::npos);
}

TEST(FunctionConfigTest, ArnIsLambdas) {
  EXPECT_EQ(FunctionArn("eu-west-1", "123456789012", "f"),
            "arn:aws:lambda:eu-west-1:123456789012:function:f");
}

}  // namespace
}  // namespace sluice::functions
