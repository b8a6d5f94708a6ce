// SqlStep specs: what is accepted, what each refusal says.
#include "sluice/engine/sql_step.h"

#include <gtest/gtest.h>

namespace sluice::engine {
namespace {

using nlohmann::json;

Result<SqlStep> Parse(const std::string& text) {
  return SqlStepFromJson(json::parse(text), "step s");
}

TEST(SqlStepTest, ShortFormsTellFormatsFromExtensions) {
  auto step = Parse(R"({"inputs": {"orders": "s3://lake/raw/*.csv.gz", "dim": "s3://lake/d.parquet",
                                   "events": "s3://lake/e.ndjson"},
                        "query": "SELECT 1", "output": "s3://lake/out/r.parquet"})");
  ASSERT_TRUE(step.ok()) << step.status().ToString();
  ASSERT_EQ(step->inputs.size(), 3u);
  EXPECT_EQ(step->inputs[0].name, "dim");  // by name
  EXPECT_EQ(step->inputs[0].format, FileFormat::kParquet);
  EXPECT_EQ(step->inputs[1].format, FileFormat::kJson);
  EXPECT_EQ(step->inputs[2].format, FileFormat::kCsv);
  EXPECT_EQ(step->output->format, FileFormat::kParquet);
  EXPECT_FALSE(step->load);
  EXPECT_EQ(step->on_bad_rows, BadRows::kFail);
}

TEST(SqlStepTest, TemplatedUrisAreToldTheirFormatOnceFilledIn) {
  // As a rule target's parameters hold them before the event fills them in.
  auto step = Parse(R"({"inputs": {"orders": "s3://lake/${cluster.tags.source_key}"},
                        "query": "SELECT 1", "output": "s3://lake/out/${detail.object.key}"})");
  ASSERT_TRUE(step.ok()) << step.status().ToString();
  auto filled = Parse(R"({"inputs": {"orders": "s3://lake/raw/orders"},
                          "query": "SELECT 1", "output": "s3://lake/out/x.csv"})");
  EXPECT_NE(filled.status().message().find("input orders: give its format"), std::string::npos);
}

TEST(SqlStepTest, FullFormRoundTripsThroughJson) {
  auto step = Parse(R"({"inputs": {"orders": {"uri": "s3://lake/raw/", "format": "csv",
                        "header": false, "delimiter": ";", "quote": "'", "escape": "\\",
                        "null": "NA", "columns": [{"name": "id", "type": "BIGINT"}, {"x": "DATE"}],
                        "compression": "gzip"}},
                        "query": "SELECT * FROM orders",
                        "output": {"uri": "s3://lake/out/", "format": "csv", "partition_by": ["x"],
                                   "compression": "zstd", "header": false, "delimiter": "|"},
                        "load": {"table": "t", "mode": "merge", "keys": ["id"]},
                        "on_bad_rows": "skip"})");
  ASSERT_TRUE(step.ok()) << step.status().ToString();
  const InputSpec& in = step->inputs[0];
  EXPECT_EQ(*in.csv.delimiter, ";");
  EXPECT_EQ(in.columns.size(), 2u);
  EXPECT_EQ(in.columns[1].name, "x");
  EXPECT_EQ(in.columns[1].type, "DATE");
  EXPECT_EQ(step->load->mode, warehouse::LoadMode::kMerge);
  auto again = SqlStepFromJson(SqlStepToJson(*step), "step s");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(SqlStepToJson(*again), SqlStepToJson(*step));
  EXPECT_EQ(RejectsUri(*step->output), "s3://lake/out/_rejects.csv");
}

struct Refusal {
  const char* spec;
  const char* message;  // a part of the error
};

class SqlStepRefusalTest : public ::testing::TestWithParam<Refusal> {};

TEST_P(SqlStepRefusalTest, NamesTheProblem) {
  auto step = Parse(GetParam().spec);
  ASSERT_FALSE(step.ok()) << GetParam().spec;
  EXPECT_NE(step.status().message().find(GetParam().message), std::string::npos)
      << step.status().message();
  EXPECT_EQ(step.status().message().rfind("step s", 0), 0u) << step.status().message();
  EXPECT_EQ(step.status().aws_code(), "ValidationException");
}

INSTANTIATE_TEST_SUITE_P(
    Specs, SqlStepRefusalTest,
    ::testing::Values(
        Refusal{R"({"query": "  ", "output": "s3://l/o.csv"})", "query is missing"},
        Refusal{R"({"query": "SELECT 1"})", "give an output, a load, or both"},
        Refusal{R"({"query": "SELECT 1", "output": "s3://l/o.csv", "extra": 1})",
                "unknown field extra"},
        Refusal{R"({"inputs": {"o": "s3://l/raw/"}, "query": "q", "output": "s3://l/o.csv"})",
                "input o: give its format"},
        Refusal{R"({"inputs": {"o": "/tmp/x.csv"}, "query": "q", "output": "s3://l/o.csv"})",
                "input o"},
        Refusal{
            R"({"inputs": {"bad name": "s3://l/x.csv"}, "query": "q", "output": "s3://l/o.csv"})",
            "letters, digits and _"},
        Refusal{R"({"inputs": {"o": {"uri": "s3://l/x.csv", "format": "xml"}}, "query": "q",
                    "output": "s3://l/o.csv"})",
                "format must be csv, parquet or json"},
        Refusal{R"({"inputs": {"o": {"uri": "s3://l/x.parquet", "header": true}}, "query": "q",
                    "output": "s3://l/o.csv"})",
                "apply to csv only"},
        Refusal{R"({"inputs": {"o": {"uri": "s3://l/x.csv", "columns": [{"a": "INT"}],
                    "types": {"a": "INT"}}}, "query": "q", "output": "s3://l/o.csv"})",
                "not both"},
        Refusal{R"({"inputs": {"o": {"uri": "s3://l/x.csv", "columns": {"a": "INT"}}},
                    "query": "q", "output": "s3://l/o.csv"})",
                "columns must be a list"},
        Refusal{R"({"query": "q", "output": "s3://l/out/"})", "names a folder"},
        Refusal{R"({"query": "q", "output": {"uri": "s3://l/o.csv", "partition_by": ["a"]}})",
                "ends with '/'"},
        Refusal{R"({"query": "q", "output": "s3://l/o.xml"})", "give its format"},
        Refusal{R"({"query": "q", "output": {"uri": "s3://l/o.csv", "compression": "lz4"}})",
                "compression must be one of"},
        Refusal{R"({"query": "q", "load": {"mode": "append"}})", "table is missing"},
        Refusal{R"({"query": "q", "load": {"table": "t", "mode": "upsert"}})", "load"},
        Refusal{R"({"query": "q", "load": {"table": "t", "mode": "merge"}})", "needs keys"},
        Refusal{R"({"query": "q", "load": {"table": "t", "keys": ["a"]}})", "merge only"},
        Refusal{R"({"query": "q", "load": {"table": "t"}, "on_bad_rows": "skip"})",
                "give an output"},
        Refusal{R"({"query": "q", "output": "s3://l/o.csv", "on_bad_rows": "ignore"})",
                "fail or skip"}),
    [](const ::testing::TestParamInfo<Refusal>& info) { return std::to_string(info.index); });

}  // namespace
}  // namespace sluice::engine
