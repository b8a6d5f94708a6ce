// Runs the spec cases in tests/pipeline/specs/: each NAME.yaml with a sibling NAME.expected must
// produce exactly the diagnostics listed there, one `LINE:COLUMN: message` a line, in order; one
// without must be valid. The valid ones that mirror documented examples are then checked against
// the objects they must produce.
#include "sluice/pipeline/pipeline_spec.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace sluice::pipeline {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<fs::path> SpecFiles() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(SLUICE_PIPELINE_SPECS_DIR)) {
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string Render(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics)
    out += std::to_string(d.line) + ":" + std::to_string(d.column) + ": " + d.message + "\n";
  return out;
}

// Read as `sluice validate` reads them: `files` relative to the spec's folder.
PipelineSpec ParseValid(const fs::path& path) {
  std::vector<Diagnostic> diagnostics;
  PipelineSpec spec = LoadPipelineSpec(path.string(), diagnostics).value();
  EXPECT_EQ(Render(diagnostics), "") << path;
  return spec;
}

TEST(PipelineSpecCases, EveryCase) {
  std::vector<fs::path> files = SpecFiles();
  ASSERT_GE(files.size(), 21u);
  size_t invalid = 0;
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    fs::path expected_file = fs::path(file).replace_extension(".expected");
    std::vector<Diagnostic> diagnostics;
    ASSERT_TRUE(LoadPipelineSpec(file.string(), diagnostics).ok());
    if (!fs::exists(expected_file)) {
      EXPECT_EQ(Render(diagnostics), "");
      continue;
    }
    ++invalid;
    EXPECT_FALSE(diagnostics.empty());
    EXPECT_EQ(Render(diagnostics), ReadText(expected_file));
  }
  EXPECT_GE(invalid, 16u);
}

TEST(PipelineSpecCases, DesignExampleMakesTheTemplateAndRules) {
  PipelineSpec spec = ParseValid(fs::path(SLUICE_PIPELINE_SPECS_DIR) / "design_example.yaml");
  EXPECT_EQ(spec.name, "orders");
  EXPECT_EQ(spec.warehouse, "duckdb://warehouse.duckdb");
  ASSERT_EQ(spec.templates.size(), 1u);
  EXPECT_EQ(clusters::TemplateToJson(spec.templates[0]),
            clusters::TemplateToJson(clusters::TemplateFromJson(json::parse(R"({
      "Name": "orders-etl", "Provider": "local", "ReleaseLabel": "emr-7.5.0",
      "Applications": [{"Name": "Spark"}],
      "Instances": {"InstanceGroups": [
          {"Name": "Master", "InstanceRole": "MASTER", "InstanceType": "m5.xlarge", "InstanceCount": 1},
          {"Name": "Core", "InstanceRole": "CORE", "InstanceType": "m5.xlarge", "InstanceCount": 2}],
        "KeepJobFlowAliveWhenNoSteps": false},
      "BootstrapActions": [{"Name": "setup", "ScriptBootstrapAction":
          {"Path": "s3://lake/bootstrap/setup.sh", "Args": ["--quiet"]}}],
      "AutoTerminationPolicy": {"IdleTimeout": 600}})"))
                                         .value()));
  ASSERT_EQ(spec.rules.size(), 2u);
  const bus::Rule& arrived = spec.rules[0];
  EXPECT_EQ(arrived.name, "raw-orders-arrived");
  EXPECT_EQ(json::parse(arrived.event_pattern),
            json::parse(R"({"source": ["aws.s3"], "detail-type": ["Object Created"],
              "detail": {"bucket": {"name": ["lake"]}, "object": {"key": [{"prefix": "raw/orders/"}]}}})"));
  ASSERT_EQ(arrived.targets.size(), 1u);
  EXPECT_EQ(arrived.targets[0].id, "create_cluster");
  EXPECT_EQ(arrived.targets[0].action, "create_cluster");
  // The template's `reuse: true` is create_cluster's default.
  EXPECT_EQ(arrived.targets[0].parameters, json::parse(R"({"Template": "orders-etl", "Reuse": true,
                            "Tags": {"source_key": "${detail.object.key}"}})"));
  const bus::Target& add = spec.rules[1].targets.at(0);
  EXPECT_EQ(add.action, "add_steps");
  EXPECT_EQ(add.parameters["Unique"], true);
  EXPECT_EQ(add.parameters["Steps"][0]["Name"], "sparkSubmitOrderList");
  EXPECT_EQ(add.parameters["Steps"][0]["ActionOnFailure"], "CONTINUE");
  EXPECT_EQ(add.parameters["Steps"][0]["Sql"]["inputs"],
            json::parse(R"({"orders": "s3://lake/${cluster.tags.source_key}"})"));
  EXPECT_EQ(add.parameters["Steps"][0]["Sql"]["load"],
            json::parse(R"({"table": "daily_revenue", "mode": "append"})"));
  EXPECT_EQ(spec.StepCount(), 1u);
}

TEST(PipelineSpecCases, FilesAreResolvedAgainstTheSpecsFolder) {
  PipelineSpec spec = ParseValid(fs::path(SLUICE_PIPELINE_SPECS_DIR) / "files.yaml");
  ASSERT_EQ(spec.files.size(), 1u);
  EXPECT_EQ(spec.files[0].uri, "s3://lake/bootstrap/setup.sh");
  EXPECT_EQ(spec.files[0].source,
            (fs::path(SLUICE_PIPELINE_SPECS_DIR) / "files" / "setup.sh").string());
}

TEST(PipelineSpecCases, FullExampleMapsEveryKey) {
  PipelineSpec spec = ParseValid(fs::path(SLUICE_PIPELINE_SPECS_DIR) / "full.yaml");
  EXPECT_EQ(spec.buckets, (std::vector<std::string>{"lake", "archive"}));
  ASSERT_EQ(spec.templates.size(), 2u);
  const clusters::ClusterTemplate& etl = spec.templates[0];
  EXPECT_EQ(etl.name, "etl");
  EXPECT_EQ(etl.instance_groups.size(), 3u);
  EXPECT_EQ(etl.instance_groups[2].market, "SPOT");
  EXPECT_EQ(etl.instance_groups[2].count, 4);
  EXPECT_EQ(etl.bootstrap_actions.at(1).name, "tools");
  EXPECT_TRUE(etl.keep_alive);
  EXPECT_EQ(etl.idle_timeout_seconds, 5400);
  EXPECT_EQ(etl.max_lifetime_seconds, 7200);
  EXPECT_EQ(etl.step_concurrency, 4);
  EXPECT_EQ(etl.tags.at("cost-center"), "42");
  EXPECT_EQ(etl.configurations[0]["Classification"], "spark-defaults");
  EXPECT_EQ(spec.templates[1].idle_timeout_seconds, 600);
  ASSERT_EQ(spec.rules.size(), 3u);
  const bus::Target& launch = spec.rules[0].targets.at(0);
  EXPECT_EQ(launch.id, "launch");
  EXPECT_EQ(launch.retry_policy.maximum_retry_attempts, 3);
  EXPECT_EQ(launch.retry_policy.maximum_event_age_seconds, 3600);
  EXPECT_EQ(launch.parameters["Reuse"], true);
  EXPECT_EQ(spec.rules[0].targets.at(2).parameters,
            json::parse(R"({"Source": "sluice.orders", "DetailType": "Orders Arrived"})"));
  EXPECT_EQ(spec.rules[0].targets.at(2).input_path, "$.detail");
  const bus::Target& log = spec.rules[0].targets.at(3);
  ASSERT_TRUE(log.batch.has_value());
  EXPECT_EQ(log.batch->window_seconds, 30);
  ASSERT_TRUE(log.input_transformer.has_value());
  EXPECT_EQ(log.input_transformer->input_template, R"({"key": <key>})");
  EXPECT_EQ(spec.rules[1].state, bus::RuleState::kDisabled);
  EXPECT_EQ(spec.rules[1].schedule_expression, "cron(0 2 * * ? *)");
  const bus::Target& rollup = spec.rules[1].targets.at(0);
  EXPECT_EQ(rollup.parameters["Name"], "nightly-rollup");
  EXPECT_EQ(rollup.parameters["query"], "SELECT 1 AS one");
  EXPECT_EQ(rollup.input, R"({"reason":"nightly"})");
  // Two targets of one action get distinct ids.
  EXPECT_EQ(spec.rules[1].targets.at(1).id, "terminate_cluster");
  EXPECT_EQ(spec.rules[1].targets.at(2).id, "terminate_cluster-2");
  EXPECT_EQ(spec.StepCount(), 4u);
}

TEST(PipelineSpecCases, FunctionsAndTheTargetsThatNameThem) {
  const fs::path specs(SLUICE_PIPELINE_SPECS_DIR);
  PipelineSpec spec = ParseValid(specs / "functions.yaml");
  ASSERT_EQ(spec.functions.size(), 3u);
  // Every key, in the form `sluice functions put --file` takes; the folder resolved against the
  // spec's.
  EXPECT_EQ(functions::FunctionConfigToJson(spec.functions[0]), json::parse(R"({
      "FunctionName": "greet", "Runtime": "python3.12", "Handler": "app.handler",
      "Code": ")" + (specs / "functions" / "hello").string() + R"(",
      "Description": "Says hello",
      "Environment": {"Variables": {"GREETING": "hello", "LEVEL": "2"}},
      "Timeout": 30, "MemorySize": 256, "ReservedConcurrentExecutions": 5,
      "MaximumRetryAttempts": 1, "MaximumEventAgeInSeconds": 3600, "DeadLetter": false})"));
  const functions::FunctionConfig& tool = spec.functions[1];
  EXPECT_EQ(tool.name, "tool");
  EXPECT_EQ(tool.code, "s3://lake/functions/tool.zip");
  EXPECT_EQ(tool.command, (std::vector<std::string>{"python3", "tool.py", "--verbose"}));
  EXPECT_EQ(tool.handler, "");
  EXPECT_EQ(tool.timeout_seconds, 90);  // a plain number is seconds
  // What is not given is FunctionConfig's default, as `sluice functions put` leaves it.
  const functions::FunctionConfig& defaults = spec.functions[2];
  EXPECT_EQ(defaults.code, (specs / "functions" / "hello").string());
  EXPECT_EQ(defaults.timeout_seconds, 3);
  EXPECT_EQ(defaults.memory_mb, 128);
  EXPECT_FALSE(defaults.reserved_concurrency.has_value());
  EXPECT_EQ(defaults.async.maximum_retry_attempts, 2);
  EXPECT_EQ(defaults.async.maximum_event_age_seconds, 21600);
  EXPECT_TRUE(defaults.async.dead_letter);

  ASSERT_EQ(spec.rules.size(), 2u);
  const std::vector<bus::Target>& arrived = spec.rules[0].targets;
  ASSERT_EQ(arrived.size(), 3u);
  EXPECT_EQ(bus::TargetToJson(arrived[0]), json::parse(R"({
      "Id": "greet", "Function": "greet", "InputPath": "$.detail",
      "RetryPolicy": {"MaximumRetryAttempts": 1, "MaximumEventAgeInSeconds": 600}})"));
  EXPECT_EQ(arrived[1].id, "run-tool");
  EXPECT_EQ(arrived[1].function, "tool");
  EXPECT_EQ(arrived[1].action, "");
  EXPECT_EQ(arrived[1].input, R"({"mode":"full"})");
  EXPECT_EQ(arrived[2].action, "write_log");
  const std::vector<bus::Target>& nightly = spec.rules[1].targets;
  ASSERT_EQ(nightly.size(), 2u);
  EXPECT_EQ(nightly[0].function, "defaults");
  ASSERT_TRUE(nightly[0].batch.has_value());
  EXPECT_EQ(nightly[0].batch->size, 10);
  EXPECT_EQ(nightly[0].batch->window_seconds, 60);
  EXPECT_EQ(nightly[1].function, "greet");
  ASSERT_TRUE(nightly[1].input_transformer.has_value());
  EXPECT_EQ(nightly[1].input_transformer->input_template, R"({"name": <key>})");
}

TEST(PipelineSpecCases, OrdersExampleIsValid) {
  PipelineSpec spec = ParseValid(SLUICE_ORDERS_EXAMPLE);
  EXPECT_EQ(spec.rules.size(), 2u);
  EXPECT_EQ(spec.templates.size(), 1u);
}

TEST(PipelineSpecFiles, MissingFileIsAnErrorNotADiagnostic) {
  std::vector<Diagnostic> diagnostics;
  auto spec = LoadPipelineSpec("/nonexistent/pipeline.yaml", diagnostics);
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(diagnostics.empty());
}

}  // namespace
}  // namespace sluice::pipeline
