// Cluster templates (cluster_template.h): a full template survives JSON and back; RunJobFlow's
// shorthands are understood; each broken template is refused with a message naming the field.
#include "sluice/clusters/cluster_template.h"

#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <string>

namespace sluice::clusters {
namespace {

using nlohmann::json;

json FullTemplate() {
  return json::parse(R"({
    "Name": "orders-etl", "Provider": "local", "ReleaseLabel": "emr-7.5.0",
    "Applications": [{"Name": "DuckDB"}],
    "Instances": {
      "InstanceGroups": [
        {"Name": "Master", "InstanceRole": "MASTER", "InstanceType": "m5.xlarge", "InstanceCount": 1},
        {"Name": "Core", "InstanceRole": "CORE", "InstanceType": "r5.xlarge", "InstanceCount": 2,
         "Market": "SPOT"},
        {"Name": "Task", "InstanceRole": "TASK", "InstanceType": "c5.xlarge", "InstanceCount": 0}],
      "KeepJobFlowAliveWhenNoSteps": true, "TerminationProtected": true},
    "BootstrapActions": [{"Name": "setup", "ScriptBootstrapAction":
                           {"Path": "s3://lake/bootstrap/setup.sh", "Args": ["--quiet", "x"]}}],
    "Configurations": [{"Classification": "spark-defaults", "Properties": {"k": "v"}}],
    "Tags": [{"Key": "team", "Value": "data"}, {"Key": "sluice:pipeline", "Value": "orders"}],
    "LogUri": "s3://lake/logs/", "StepConcurrencyLevel": 4,
    "AutoTerminationPolicy": {"IdleTimeout": 600}, "MaximumLifetimeSeconds": 7200
  })");
}

ClusterTemplate MustParse(const json& j) {
  Result<ClusterTemplate> t = TemplateFromJson(j);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? *t : ClusterTemplate{};
}

TEST(ClusterTemplateTest, FullTemplateParses) {
  ClusterTemplate t = MustParse(FullTemplate());
  EXPECT_EQ(t.name, "orders-etl");
  EXPECT_EQ(t.release_label, "emr-7.5.0");
  EXPECT_EQ(t.applications, std::vector<std::string>{"DuckDB"});
  ASSERT_EQ(t.instance_groups.size(), 3u);
  EXPECT_EQ(t.instance_groups[1].role, "CORE");
  EXPECT_EQ(t.instance_groups[1].instance_type, "r5.xlarge");
  EXPECT_EQ(t.instance_groups[1].count, 2);
  EXPECT_EQ(t.instance_groups[1].market, "SPOT");
  EXPECT_EQ(t.instance_groups[0].market, "ON_DEMAND");
  EXPECT_EQ(NodeCount(t), 3);
  ASSERT_EQ(t.bootstrap_actions.size(), 1u);
  EXPECT_EQ(t.bootstrap_actions[0].path, "s3://lake/bootstrap/setup.sh");
  EXPECT_EQ(t.bootstrap_actions[0].args, (std::vector<std::string>{"--quiet", "x"}));
  EXPECT_EQ(t.tags.at("sluice:pipeline"), "orders");
  EXPECT_EQ(t.log_uri, "s3://lake/logs/");
  EXPECT_EQ(t.step_concurrency, 4);
  EXPECT_TRUE(t.keep_alive);
  EXPECT_TRUE(t.termination_protected);
  EXPECT_EQ(t.idle_timeout_seconds, 600);
  EXPECT_EQ(t.max_lifetime_seconds, 7200);
  EXPECT_EQ(t.configurations[0]["Classification"], "spark-defaults");
}

TEST(ClusterTemplateTest, RoundTripsThroughJson) {
  ClusterTemplate t = MustParse(FullTemplate());
  json once = TemplateToJson(t);
  ClusterTemplate back = MustParse(once);
  EXPECT_EQ(TemplateToJson(back), once);
  EXPECT_EQ(back.name, t.name);
  EXPECT_EQ(back.tags, t.tags);
  EXPECT_EQ(back.idle_timeout_seconds, t.idle_timeout_seconds);
  EXPECT_EQ(back.instance_groups.size(), t.instance_groups.size());
  // Without an idle policy the round trip keeps it absent.
  json no_policy = FullTemplate();
  no_policy.erase("AutoTerminationPolicy");
  ClusterTemplate plain = MustParse(no_policy);
  EXPECT_EQ(plain.idle_timeout_seconds, std::nullopt);
  EXPECT_EQ(MustParse(TemplateToJson(plain)).idle_timeout_seconds, std::nullopt);
}

TEST(ClusterTemplateTest, ShorthandsAndDefaults) {
  ClusterTemplate t = MustParse(json::parse(R"({
    "Name": "small", "Instances": {"MasterInstanceType": "m5.xlarge",
                                   "SlaveInstanceType": "m5.large", "InstanceCount": 3},
    "Applications": ["DuckDB"], "Tags": {"team": "data"},
    "AutoTerminationPolicy": {}})"));
  ASSERT_EQ(t.instance_groups.size(), 2u);
  EXPECT_EQ(t.instance_groups[0].role, "MASTER");
  EXPECT_EQ(t.instance_groups[0].count, 1);
  EXPECT_EQ(t.instance_groups[1].role, "CORE");
  EXPECT_EQ(t.instance_groups[1].instance_type, "m5.large");
  EXPECT_EQ(t.instance_groups[1].count, 2);
  EXPECT_EQ(t.tags.at("team"), "data");
  EXPECT_EQ(t.idle_timeout_seconds, 3600);  // EMR's default when the policy gives no value
  EXPECT_EQ(t.provider, "local");
  EXPECT_EQ(t.step_concurrency, 1);
  EXPECT_FALSE(t.keep_alive);  // the API's default
  EXPECT_FALSE(t.termination_protected);
  EXPECT_EQ(t.max_lifetime_seconds, 24 * 3600);
}

struct InvalidCase {
  std::string name;
  std::function<void(json&)> change;
  std::string message;  // a part of the error's message: the field it names
};
void PrintTo(const InvalidCase& c, std::ostream* os) {
  *os << c.name;
}

const InvalidCase kInvalid[] = {
    {"NoMaster", [](json& j) { j["Instances"]["InstanceGroups"].erase(0); },
     "exactly one MASTER instance group"},
    {"TwoCoreGroups",
     [](json& j) {
       j["Instances"]["InstanceGroups"].push_back(
           {{"InstanceRole", "CORE"}, {"InstanceType", "m5.xlarge"}, {"InstanceCount", 1}});
     },
     "at most one CORE instance group"},
    {"GroupsAndShorthand", [](json& j) { j["Instances"]["MasterInstanceType"] = "m5.xlarge"; },
     "give InstanceGroups or MasterInstanceType, not both"},
    {"ConcurrencyZero", [](json& j) { j["StepConcurrencyLevel"] = 0; },
     "StepConcurrencyLevel must be between 1 and 256"},
    {"Concurrency257", [](json& j) { j["StepConcurrencyLevel"] = 257; },
     "StepConcurrencyLevel must be between 1 and 256"},
    {"Idle59", [](json& j) { j["AutoTerminationPolicy"]["IdleTimeout"] = 59; },
     "AutoTerminationPolicy.IdleTimeout"},
    {"Idle604801", [](json& j) { j["AutoTerminationPolicy"]["IdleTimeout"] = 604801; },
     "AutoTerminationPolicy.IdleTimeout"},
    {"BadLogUri", [](json& j) { j["LogUri"] = "https://lake/logs/"; }, "LogUri"},
    {"BootstrapNotS3",
     [](json& j) { j["BootstrapActions"][0]["ScriptBootstrapAction"]["Path"] = "/tmp/setup.sh"; },
     "bootstrap action setup: Path must be s3://bucket/key"},
    {"UnknownField", [](json& j) { j["KeepAlive"] = true; }, "unknown field KeepAlive"},
    {"UnknownInstancesField", [](json& j) { j["Instances"]["Spot"] = true; }, "unknown field Spot"},
    {"MasterOfTwo", [](json& j) { j["Instances"]["InstanceGroups"][0]["InstanceCount"] = 2; },
     "a MASTER group has 1 or 3 nodes"},
    {"BadRole", [](json& j) { j["Instances"]["InstanceGroups"][2]["InstanceRole"] = "WORKER"; },
     "InstanceRole must be MASTER, CORE or TASK"},
    {"WrongType", [](json& j) { j["StepConcurrencyLevel"] = "two"; },
     "StepConcurrencyLevel has the wrong type"},
    {"OtherProvider", [](json& j) { j["Provider"] = "emr"; }, "Provider \"emr\""},
    {"NoInstances", [](json& j) { j.erase("Instances"); }, "Instances is required"},
    {"LifetimeTooShort", [](json& j) { j["MaximumLifetimeSeconds"] = 59; },
     "MaximumLifetimeSeconds"},
};

class InvalidTemplateTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidTemplateTest, RefusedNamingTheField) {
  json j = FullTemplate();
  GetParam().change(j);
  Result<ClusterTemplate> t = TemplateFromJson(j);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t.status().aws_code(), "ValidationException");
  EXPECT_NE(t.status().message().find(GetParam().message), std::string::npos)
      << t.status().message();
  EXPECT_NE(t.status().message().find("orders-etl"), std::string::npos)
      << "names the template: " << t.status().message();
}

INSTANTIATE_TEST_SUITE_P(Cases, InvalidTemplateTest, ::testing::ValuesIn(kInvalid),
                         [](const auto& info) { return info.param.name; });

TEST(ClusterTemplateTest, ValidateTemplateChecksStructs) {
  ClusterTemplate t = MustParse(FullTemplate());
  EXPECT_TRUE(ValidateTemplate(t).ok());
  t.name = "";
  EXPECT_NE(ValidateTemplate(t).message().find("Name"), std::string::npos);
  t = MustParse(FullTemplate());
  t.tags[""] = "x";
  EXPECT_NE(ValidateTemplate(t).message().find("tag keys"), std::string::npos);
}

}  // namespace
}  // namespace sluice::clusters
