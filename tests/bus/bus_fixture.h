// A store, a manual clock and a scripted target for dispatcher tests.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "sluice/bus/deliveries.h"
#include "sluice/bus/dispatcher.h"
#include "sluice/bus/put_events.h"
#include "sluice/bus/rule_store.h"
#include "sluice/store/database.h"
#include "sluice/store/event_log.h"
#include "support/temp_dir.h"

namespace sluice::bus {

// A target double: records every invocation and answers with `script` (default: success).
class ScriptedInvoker final : public TargetInvoker {
 public:
  struct Call {
    std::string key;
    std::string rule;
    std::string target;
    std::string input;
    int attempt;
    TimePoint at;
  };

  explicit ScriptedInvoker(const Clock& clock) : clock_(clock) {}
  Status CheckTarget(const Target&) const override { return Status::Ok(); }
  InvokeResult Invoke(const Invocation& i) override {
    calls.push_back({std::string(i.delivery_key), std::string(i.rule), i.target.id,
                     std::string(i.input), i.attempt, clock_.Now()});
    return script ? script(calls.back()) : InvokeResult::Ok();
  }

  std::function<InvokeResult(const Call&)> script;
  std::vector<Call> calls;

 private:
  const Clock& clock_;
};

class BusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.Set(FromUnixMillis(1'700'000'000'000));
    auto db = store::Database::Open(dir_ / "state.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    DispatcherOptions options;
    options.clock = &clock_;
    options.jitter_seed = 42;
    dispatcher_ = std::make_unique<Dispatcher>(*db_, invoker_, options);
  }

  void PutRuleJson(const std::string& json) {
    auto rule = RuleFromJson(nlohmann::json::parse(json));
    ASSERT_TRUE(rule.ok()) << rule.status().ToString();
    ASSERT_TRUE(ValidateRule(*rule).ok()) << ValidateRule(*rule).ToString();
    ASSERT_TRUE(
        db_->Write([&](store::Transaction& tx) { return PutRule(tx, *rule, clock_.Now()); }).ok());
  }

  std::string Publish(const std::string& source, const std::string& detail_type,
                      const std::string& detail) {
    auto ids = PutEvents(*db_, {{source, detail_type, detail, {}, std::nullopt}}, {}, clock_);
    EXPECT_TRUE(ids.ok()) << ids.status().ToString();
    return ids.ok() ? (*ids)[0] : "";
  }

  RoundStats Round() {
    auto stats = dispatcher_->RunOnce();
    EXPECT_TRUE(stats.ok()) << stats.status().ToString();
    return stats.ok() ? *stats : RoundStats{};
  }

  // Rounds until the dispatcher is idle, moving the clock to each next wakeup.
  void RunUntilIdle(int max_rounds = 10000) {
    for (int i = 0; i < max_rounds; ++i) {
      Round();
      auto idle = dispatcher_->Idle();
      ASSERT_TRUE(idle.ok());
      if (*idle) return;
      auto wake = dispatcher_->NextWakeup();
      ASSERT_TRUE(wake.ok());
      if (*wake && **wake > clock_.Now()) clock_.Set(**wake);
    }
    FAIL() << "not idle after " << max_rounds << " rounds";
  }

  std::vector<DeadLetter> DeadLetters() {
    std::vector<DeadLetter> letters;
    EXPECT_TRUE(db_->Read([&](store::Transaction& tx) -> Status {
                     SLUICE_ASSIGN_OR_RETURN(letters, ListDeadLetters(tx, 0, 1000));
                     return Status::Ok();
                   })
                    .ok());
    return letters;
  }

  DeliveryCounts Counts() {
    DeliveryCounts counts;
    EXPECT_TRUE(db_->Read([&](store::Transaction& tx) -> Status {
                     SLUICE_ASSIGN_OR_RETURN(counts, CountDeliveries(tx));
                     return Status::Ok();
                   })
                    .ok());
    return counts;
  }

  sluice::testing::TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<store::Database> db_;
  ScriptedInvoker invoker_{clock_};
  std::unique_ptr<Dispatcher> dispatcher_;
};

}  // namespace sluice::bus
