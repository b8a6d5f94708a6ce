#include "applications.h"

#include <unistd.h>

#include <array>
#include <cstdlib>
#include <filesystem>

#include "sluice/common/subprocess.h"

namespace sluice::clusters {
namespace {

struct Requirement {
  std::string_view application;
  std::string_view program;        // on the PATH, or under $<home_variable>/bin
  std::string_view home_variable;  // "" when there is none
};

// EMR's application names (case-insensitive there; matched exactly here, as EMR lists them).
// `DuckDB` is sluice's embedded engine and always present.
constexpr std::array<Requirement, 12> kRequirements{{
    {"Spark", "spark-submit", "SPARK_HOME"},
    {"Hadoop", "hadoop", "HADOOP_HOME"},
    {"Hive", "hive", "HIVE_HOME"},
    {"Pig", "pig", "PIG_HOME"},
    {"Flink", "flink", "FLINK_HOME"},
    {"Trino", "trino", ""},
    {"Presto", "presto-cli", ""},
    {"HBase", "hbase", "HBASE_HOME"},
    {"Sqoop", "sqoop", "SQOOP_HOME"},
    {"Livy", "livy-server", "LIVY_HOME"},
    {"ZooKeeper", "zkServer.sh", "ZOOKEEPER_HOME"},
    {"DuckDB", "", ""},
}};

bool Available(const Requirement& r) {
  if (r.program.empty()) return true;
  if (!FindProgram(std::string(r.program)).empty()) return true;
  if (r.home_variable.empty()) return false;
  const char* home = std::getenv(std::string(r.home_variable).c_str());
  if (home == nullptr || *home == '\0') return false;
  auto program = std::filesystem::path(home) / "bin" / std::string(r.program);
  return ::access(program.c_str(), X_OK) == 0;
}

}  // namespace

Status CheckApplications(const std::vector<std::string>& applications) {
  for (const std::string& name : applications) {
    const Requirement* found = nullptr;
    for (const Requirement& r : kRequirements) {
      if (r.application == name) found = &r;
    }
    if (found == nullptr) {
      return Status::FailedPrecondition("The local provider cannot provide application " + name +
                                        "; it knows Spark, Hadoop, Hive, Pig, Flink, Trino, "
                                        "Presto, HBase, Sqoop, Livy, ZooKeeper and DuckDB");
    }
    if (!Available(*found)) {
      std::string needs =
          "Application " + name + " needs " + std::string(found->program) + " on the PATH";
      if (!found->home_variable.empty()) {
        needs += " or " + std::string(found->home_variable) + " set to its installation";
      }
      return Status::FailedPrecondition(needs + "; neither was found on this machine");
    }
  }
  return Status::Ok();
}

}  // namespace sluice::clusters
