// Runs the pattern cases in tests/bus/patterns/*.test: for each case, the pattern must compile
// (or fail with exactly the expected reason) and the event must match or not as expected, both
// by direct evaluation and through a RuleMachine holding the pattern among others.
//
// Case format, cases separated by blank lines, '#' starting a comment line:
//   name: what the case shows
//   pattern: {"detail":{"key":[{"prefix":"raw/"}]}}
//   event: {"detail":{"key":"raw/a.csv"}}
//   expect: match | no match | error <reason>
// A JSON value may continue on following lines that start with two spaces.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "sluice/bus/event_pattern.h"
#include "sluice/bus/pattern_evaluation.h"
#include "sluice/bus/rule_machine.h"

namespace sluice::bus {
namespace {

struct PatternCase {
  std::string file;
  int line = 0;
  std::map<std::string, std::string> keys;  // name, pattern, event, expect

  std::string Where() const {
    return file + ":" + std::to_string(line) + " (" + keys.at("name") + ")";
  }
};

std::vector<PatternCase> ReadCases(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<PatternCase> cases;
  PatternCase current;
  std::string last_key;
  std::string line;
  int number = 0;
  auto flush = [&] {
    if (!current.keys.empty()) cases.push_back(current);
    current = PatternCase{};
    last_key.clear();
  };
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) {
      flush();
      continue;
    }
    if (line[0] == '#') continue;
    if (line.rfind("  ", 0) == 0 && !last_key.empty()) {
      current.keys[last_key] += line.substr(2);
      continue;
    }
    size_t colon = line.find(": ");
    if (colon == std::string::npos) {
      ADD_FAILURE() << path << ":" << number << ": expected `key: value`, got: " << line;
      continue;
    }
    if (current.keys.empty()) {
      current.file = path.filename().string();
      current.line = number;
    }
    last_key = line.substr(0, colon);
    current.keys[last_key] = line.substr(colon + 2);
  }
  flush();
  return cases;
}

std::vector<std::filesystem::path> CaseFiles() {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(SLUICE_PATTERN_CASES_DIR)) {
    if (e.path().extension() == ".test") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class PatternCasesTest : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(PatternCasesTest, EveryCaseHolds) {
  std::vector<PatternCase> cases = ReadCases(GetParam());
  ASSERT_FALSE(cases.empty()) << GetParam() << " holds no cases";
  // Every compilable pattern of the file goes into one machine, so each case is also checked
  // with many other rules present.
  RuleMachine machine;
  std::vector<std::pair<const PatternCase*, std::string>> in_machine;
  for (const PatternCase& c : cases) {
    for (const char* key : {"name", "pattern", "expect"}) {
      ASSERT_TRUE(c.keys.count(key)) << c.file << ":" << c.line << ": missing `" << key << ":`";
    }
    const std::string& expect = c.keys.at("expect");
    auto pattern = CompilePattern(c.keys.at("pattern"));
    if (expect.rfind("error ", 0) == 0) {
      std::string reason = expect.substr(6);
      if (pattern.ok()) {
        ADD_FAILURE() << c.Where() << ": compiled, expected error: " << reason;
        continue;
      }
      EXPECT_EQ(pattern.status().message(), "Event pattern is not valid. Reason: " + reason)
          << c.Where();
      EXPECT_EQ(pattern.status().aws_code(), kInvalidEventPattern) << c.Where();
      continue;
    }
    if (!pattern.ok()) {
      ADD_FAILURE() << c.Where() << ": " << pattern.status().message();
      continue;
    }
    ASSERT_TRUE(expect == "match" || expect == "no match") << c.Where() << ": bad expect";
    ASSERT_TRUE(c.keys.count("event")) << c.Where() << ": missing `event:`";
    FlatEvent event;
    Status parsed = event.Parse(c.keys.at("event"));
    ASSERT_TRUE(parsed.ok()) << c.Where() << ": " << parsed.message();
    EXPECT_EQ(MatchesPattern(*pattern, event), expect == "match") << c.Where();
    std::string rule_name = "case-" + std::to_string(in_machine.size());
    machine.Add(rule_name, *pattern);
    in_machine.emplace_back(&c, rule_name);
  }
  // The machine must agree with direct evaluation on every case's event.
  for (const auto& [c, name] : in_machine) {
    FlatEvent event;
    ASSERT_TRUE(event.Parse(c->keys.at("event")).ok());
    std::vector<std::string> matched = machine.Match(event);
    bool found = std::find(matched.begin(), matched.end(), name) != matched.end();
    EXPECT_EQ(found, c->keys.at("expect") == "match") << c->Where() << " (rule machine)";
    for (const auto& [other, other_name] : in_machine) {
      auto pattern = CompilePattern(other->keys.at("pattern"));
      bool expected = MatchesPattern(*pattern, event);
      bool got = std::find(matched.begin(), matched.end(), other_name) != matched.end();
      EXPECT_EQ(got, expected) << "machine and evaluation disagree on " << other->Where()
                               << " against the event of " << c->Where();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Files, PatternCasesTest, ::testing::ValuesIn(CaseFiles()),
                         [](const auto& info) {
                           std::string name = info.param.stem().string();
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace sluice::bus
