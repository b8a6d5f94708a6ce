// Step configs (step_config.h): EMR's HadoopJarStep form and sluice's short Command form, and
// the steps EMR (or the local provider) would refuse.
#include "sluice/clusters/step_config.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::clusters {
namespace {

using nlohmann::json;

StepConfig MustParse(const std::string& text) {
  Result<StepConfig> step = StepConfigFromJson(json::parse(text));
  EXPECT_TRUE(step.ok()) << text << ": " << step.status().ToString();
  return step.ok() ? *step : StepConfig{};
}

std::string Error(const json& j) {
  Result<StepConfig> step = StepConfigFromJson(j);
  if (step.ok()) return "(accepted)";
  EXPECT_EQ(step.status().aws_code(), "ValidationException");
  return step.status().message();
}

TEST(StepConfigTest, EmrForm) {
  StepConfig step = MustParse(R"({"Name": "load", "ActionOnFailure": "CANCEL_AND_WAIT",
      "HadoopJarStep": {"Jar": "command-runner.jar", "Args": ["bash", "-c", "echo hi"]}})");
  EXPECT_EQ(step.name, "load");
  EXPECT_EQ(step.action_on_failure, ActionOnFailure::kCancelAndWait);
  EXPECT_EQ(step.args, (std::vector<std::string>{"bash", "-c", "echo hi"}));
}

TEST(StepConfigTest, ShortFormDefaultsToContinue) {
  StepConfig step = MustParse(R"({"Name": "s", "Command": ["true"]})");
  EXPECT_EQ(step.action_on_failure, ActionOnFailure::kContinue);  // as the AWS CLI does
  EXPECT_EQ(step.args, std::vector<std::string>{"true"});
  StepConfig legacy =
      MustParse(R"({"Name": "s", "ActionOnFailure": "TERMINATE_JOB_FLOW", "Command": ["true"]})");
  EXPECT_EQ(legacy.action_on_failure, ActionOnFailure::kTerminateJobFlow);
}

TEST(StepConfigTest, ToJsonIsEmrsFormAndRoundTrips) {
  StepConfig step{"s", ActionOnFailure::kTerminateCluster, {"sh", "-c", "exit 0"}, std::nullopt};
  json j = StepConfigToJson(step);
  EXPECT_EQ(j, json::parse(R"({"Name": "s", "ActionOnFailure": "TERMINATE_CLUSTER",
      "HadoopJarStep": {"Jar": "command-runner.jar", "Args": ["sh", "-c", "exit 0"]}})"));
  StepConfig back = MustParse(j.dump());
  EXPECT_EQ(back.name, step.name);
  EXPECT_EQ(back.action_on_failure, step.action_on_failure);
  EXPECT_EQ(back.args, step.args);
}

TEST(StepConfigTest, Refused) {
  EXPECT_NE(Error(json::parse(R"({"Name": "s", "ActionOnFailure": "STOP", "Command": ["true"]})"))
                .find("ActionOnFailure must be TERMINATE_CLUSTER, TERMINATE_JOB_FLOW, "
                      "CANCEL_AND_WAIT or CONTINUE, not \"STOP\""),
            std::string::npos);
  EXPECT_NE(Error(json::parse(R"({"Name": "s", "HadoopJarStep":
                {"Jar": "s3://b/my.jar", "Args": ["x"]}})"))
                .find("HadoopJarStep.Jar \"s3://b/my.jar\" is not supported"),
            std::string::npos);
  EXPECT_NE(Error(json::parse(R"({"Name": "s", "HadoopJarStep":
                {"Jar": "command-runner.jar", "MainClass": "Main", "Args": ["x"]}})"))
                .find("MainClass"),
            std::string::npos);
  EXPECT_NE(Error(json::parse(R"({"Name": "s", "Command": []})")).find("the command is empty"),
            std::string::npos);
  EXPECT_NE(Error(json::parse(R"({"Name": "s", "Command": [""]})")).find("the command is empty"),
            std::string::npos);
  EXPECT_NE(Error(json::parse(R"({"Name": "s", "HadoopJarStep": {"Jar": "command-runner.jar"}})"))
                .find("the command is empty"),
            std::string::npos);
  EXPECT_NE(
      Error(json::parse(R"({"Name": "s"})")).find("exactly one of HadoopJarStep, Command and Sql"),
      std::string::npos);
  EXPECT_NE(Error(json::parse(R"({"Name": "s", "Command": ["true"],
                "HadoopJarStep": {"Jar": "command-runner.jar", "Args": ["true"]}})"))
                .find("exactly one of HadoopJarStep, Command and Sql"),
            std::string::npos);
  EXPECT_NE(Error(json::parse(R"({"Command": ["true"]})")).find("Name"), std::string::npos);
  EXPECT_NE(Error(json::parse(R"({"Name": "s", "Command": ["true"], "Args": []})"))
                .find("unknown field Args"),
            std::string::npos);
  EXPECT_NE(Error(json::parse(R"({"Name": "s", "Command": "true"})")).find("Command has the wrong"),
            std::string::npos);
}

TEST(StepConfigTest, ArgumentsUpTo10240Characters) {
  json at_limit = {{"Name", "s"}, {"Command", {"echo", std::string(10240 - 4, 'x')}}};
  EXPECT_EQ(Error(at_limit), "(accepted)");
  json over = {{"Name", "s"}, {"Command", {"echo", std::string(10240 - 3, 'x')}}};
  EXPECT_NE(Error(over).find("exceed 10240 characters"), std::string::npos);
}

}  // namespace
}  // namespace sluice::clusters

namespace sluice::clusters {
namespace {

TEST(StepConfigTest, SqlStepsRoundTripAndReportTheirProblems) {
  auto step =
      StepConfigFromJson(json::parse(R"({"Name": "daily", "ActionOnFailure": "CANCEL_AND_WAIT",
      "Sql": {"inputs": {"o": "s3://lake/raw/o.csv"}, "query": "SELECT 1 AS x FROM o",
              "output": "s3://lake/out/x.csv"}})"));
  ASSERT_TRUE(step.ok()) << step.status().ToString();
  ASSERT_TRUE(step->sql.has_value());
  EXPECT_TRUE(step->args.empty());
  EXPECT_EQ(step->sql->inputs[0].uri, "s3://lake/raw/o.csv");
  auto again = StepConfigFromJson(StepConfigToJson(*step));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(StepConfigToJson(*again), StepConfigToJson(*step));
  auto bad = StepConfigFromJson(json::parse(
      R"({"Name": "daily", "Sql": {"query": "SELECT 1", "output": "s3://lake/out/"}})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("step daily: output: s3://lake/out/ names a folder"),
            std::string::npos)
      << bad.status().message();
}

}  // namespace
}  // namespace sluice::clusters
