// Crash safety of delivery: a dispatcher process is killed with SIGKILL at random moments and
// restarted until all work is done. Every delivery must have run, and none may run again after
// it was recorded as done.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "sluice/actions/builtin_actions.h"
#include "sluice/bus/deliveries.h"
#include "sluice/bus/dispatcher.h"
#include "sluice/bus/put_events.h"
#include "sluice/bus/rule_store.h"
#include "sluice/store/database.h"
#include "support/temp_dir.h"

namespace sluice::bus {
namespace {

constexpr int kEvents = 300;

// Runs a dispatcher with the real built-in actions until idle, in this (child) process.
[[noreturn]] void RunDispatcherChild(const std::filesystem::path& db_path) {
  auto db = store::Database::Open(db_path);
  if (!db.ok()) ::_exit(3);
  ActionRegistry actions;
  actions::ActionContext context;
  context.db = db->get();
  actions::RegisterBuiltinActions(actions, context);
  DispatcherOptions options;
  options.backoff_base = std::chrono::milliseconds(1);
  options.backoff_cap = std::chrono::milliseconds(5);
  Dispatcher dispatcher(**db, actions, options);
  if (!dispatcher.Recover().ok()) ::_exit(4);
  Status run = dispatcher.Run([&] {
    auto idle = dispatcher.Idle();
    return idle.ok() && *idle;
  });
  ::_exit(run.ok() ? 0 : 5);
}

TEST(DispatcherCrashTest, KillsAtRandomMomentsLoseNothingAndRepeatNothingDone) {
  sluice::testing::TempDir dir;
  const auto db_path = dir / "state.db";
  const auto log_path = dir / "deliveries.jsonl";
  {
    auto db = std::move(store::Database::Open(db_path)).value();
    for (const char* name : {"first", "second"}) {
      auto rule = RuleFromJson(nlohmann::json::parse(
          std::string(R"({"Name": ")") + name +
          R"(", "EventPattern": {"source": ["crash"]}, "Targets": [{"Id": "log",
              "Action": "write_log", "Parameters": {"Path": ")" +
          log_path.string() + R"("}}]})"));
      ASSERT_TRUE(rule.ok()) << rule.status().ToString();
      ASSERT_TRUE(db->Write([&](store::Transaction& tx) {
                      return PutRule(tx, *rule, SystemClock::Instance().Now());
                    }).ok());
    }
    for (int i = 0; i < kEvents; ++i) {
      ASSERT_TRUE(
          PutEvents(*db,
                    {{"crash", "Test", R"({"n": )" + std::to_string(i) + "}", {}, std::nullopt}},
                    {}, SystemClock::Instance())
              .ok());
    }
  }

  std::mt19937 rng(11);
  int killed_mid_work = 0;
  for (int round = 0;; ++round) {
    ASSERT_LT(round, 400) << "the dispatcher never finished";
    pid_t pid = ::fork();
    if (pid == 0) RunDispatcherChild(db_path);
    // The first rounds are all cut short; after that, every fourth may run to the end.
    bool let_finish = round >= 12 && round % 4 == 3;
    if (!let_finish) {
      std::this_thread::sleep_for(std::chrono::microseconds(2000 + rng() % 30000));
      ::kill(pid, SIGKILL);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status)) ++killed_mid_work;
    if (WIFEXITED(status)) {
      ASSERT_EQ(WEXITSTATUS(status), 0);
      break;  // idle: all done
    }
  }
  EXPECT_GE(killed_mid_work, 5);

  // What the target saw: delivery key -> attempts it ran.
  std::map<std::string, std::vector<int>> runs;
  std::ifstream in(log_path);
  std::string line;
  while (std::getline(in, line)) {
    auto entry = nlohmann::json::parse(line, nullptr, false);
    if (entry.is_discarded()) continue;  // a line torn by a kill mid-write
    runs[entry["delivery"].get<std::string>()].push_back(entry["attempt"].get<int>());
  }
  // What the store recorded.
  auto db = std::move(store::Database::Open(db_path)).value();
  std::vector<std::pair<std::string, int>> done;
  ASSERT_TRUE(db->Read([&](store::Transaction& tx) -> Status {
                  SLUICE_ASSIGN_OR_RETURN(
                      store::Cursor rows,
                      tx.Query("SELECT delivery_key, attempts, state FROM deliveries"));
                  while (true) {
                    SLUICE_ASSIGN_OR_RETURN(bool more, rows.Next());
                    if (!more) return Status::Ok();
                    EXPECT_EQ(rows.Text(2), "SUCCEEDED") << rows.Text(0);
                    done.emplace_back(rows.Text(0), static_cast<int>(rows.Int(1)));
                  }
                }).ok());
  ASSERT_EQ(done.size(), 2u * kEvents);  // one delivery per (event, rule)
  for (const auto& [key, attempts] : done) {
    const std::vector<int>& seen = runs[key];
    ASSERT_FALSE(seen.empty()) << key << " never ran";
    // The recorded attempt is the last one that ran: nothing ran after it was recorded done.
    EXPECT_EQ(*std::max_element(seen.begin(), seen.end()), attempts) << key;
    EXPECT_EQ(std::set<int>(seen.begin(), seen.end()).size(), seen.size())
        << key << " ran one attempt twice";
  }
  EXPECT_EQ(runs.size(), done.size());
}

}  // namespace
}  // namespace sluice::bus
