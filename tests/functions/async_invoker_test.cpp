// The asynchronous queue run by the AsyncInvoker with real Python functions and simulated time:
// Lambda's retry schedule (about 1 and 2 minutes), MaximumRetryAttempts, event age, reserved
// concurrency 0, throttles that wait rather than fail, dead letters in Lambda's destination
// record, one event per delivery key, and crash recovery.
#include "sluice/functions/async_invoker.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "sluice/common/ids.h"
#include "sluice/functions/function_targets.h"
#include "support/temp_dir.h"

namespace sluice::functions {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr char kHandlers[] = R"(import os, time
def ok(event, context):
    return {"got": event}
def fail(event, context):
    raise RuntimeError("always")
def once(event, context):
    # Fails the first time for each event, then succeeds: a marker file per request id.
    marker = os.path.join(os.environ["LAMBDA_TASK_ROOT"], context.aws_request_id)
    if not os.path.exists(marker):
        open(marker, "w").close()
        raise RuntimeError("first try")
    return "second try"
def slow(event, context):
    time.sleep(0.5)
    return "slow"
)";

class AsyncInvokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.Set(FromUnixMillis(1'800'000'000'000));
    auto db = store::Database::Open(dir_ / "state.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    PoolOptions options;
    options.functions_root = dir_ / "functions";
    options.clock = &clock_;
    auto pool = FunctionPool::Create(options);
    ASSERT_TRUE(pool.ok());
    pool_ = std::move(pool).value();
    AsyncInvokerOptions invoker_options;
    invoker_options.clock = &clock_;
    invoker_ = std::make_unique<AsyncInvoker>(*db_, *pool_, invoker_options);
  }

  void Put(const std::string& name, const std::string& handler,
           std::function<void(FunctionConfig&)> tweak = nullptr) {
    StoredFunction function;
    function.config.name = name;
    function.config.runtime = "python3";
    function.config.handler = "app." + handler;
    function.config.code = "-";
    if (tweak) tweak(function.config);
    function.revision_id = NewUuid();
    function.code.folder = name + "/" + function.revision_id;
    std::filesystem::create_directories(dir_ / "functions" / function.code.folder);
    std::ofstream(dir_ / "functions" / function.code.folder / "app.py") << kHandlers;
    ASSERT_TRUE(db_->Write([&](store::Transaction& tx) { return PutFunction(tx, function); }).ok());
  }

  std::string Enqueue(const std::string& function, const std::string& payload = R"({"n":1})",
                      const std::string& dedupe = "") {
    std::string id;
    EXPECT_TRUE(db_->Write([&](store::Transaction& tx) -> Status {
                     SLUICE_ASSIGN_OR_RETURN(
                         id, EnqueueAsync(tx, {function, payload, "test", dedupe}, clock_.Now()));
                     return Status::Ok();
                   })
                    .ok());
    return id;
  }

  // Runs what is due and waits for it.
  AsyncRound Round() {
    auto round = invoker_->RunDue();
    EXPECT_TRUE(round.ok()) << round.status().ToString();
    invoker_->Drain();
    return round.ok() ? *round : AsyncRound{};
  }

  std::vector<AsyncInvocation> All() {
    std::vector<AsyncInvocation> all;
    EXPECT_TRUE(db_->Read([&](store::Transaction& tx) -> Status {
                     SLUICE_ASSIGN_OR_RETURN(all, ListAsync(tx, {}));
                     return Status::Ok();
                   })
                    .ok());
    return all;
  }
  AsyncInvocation Only() {
    auto all = All();
    EXPECT_EQ(all.size(), 1u);
    return all.empty() ? AsyncInvocation{} : all[0];
  }

  testing::TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<FunctionPool> pool_;
  std::unique_ptr<AsyncInvoker> invoker_;
};

TEST_F(AsyncInvokerTest, AQueuedEventRunsOnceAndSucceeds) {
  Put("f", "ok");
  std::string id = Enqueue("f");
  EXPECT_EQ(Round().started, 1);
  AsyncInvocation done = Only();
  EXPECT_EQ(done.request_id, id);
  EXPECT_EQ(done.state, AsyncState::kSucceeded);
  EXPECT_EQ(done.attempts, 1);
  EXPECT_EQ(json::parse(done.response), json({{"got", {{"n", 1}}}}));
  EXPECT_EQ(Round().started, 0);
  EXPECT_TRUE(*invoker_->Idle());
}

TEST_F(AsyncInvokerTest, FunctionErrorsAreRetriedAMinuteThenTwoMinutesLaterThenDeadLettered) {
  Put("f", "fail");
  Enqueue("f");
  EXPECT_EQ(Round().started, 1);
  AsyncInvocation after_first = Only();
  EXPECT_EQ(after_first.state, AsyncState::kPending);
  EXPECT_EQ(after_first.next_attempt, clock_.Now() + 1min);
  EXPECT_EQ(after_first.error_type, "RuntimeError");

  clock_.Advance(59s);
  EXPECT_EQ(Round().started, 0) << "not before its minute";
  clock_.Advance(1s);
  EXPECT_EQ(Round().started, 1);
  EXPECT_EQ(Only().next_attempt, clock_.Now() + 2min);
  clock_.Advance(2min);
  EXPECT_EQ(Round().started, 1);

  AsyncInvocation failed = Only();
  EXPECT_EQ(failed.state, AsyncState::kFailed);
  EXPECT_EQ(failed.attempts, 3);
  EXPECT_EQ(failed.condition, "RetriesExhausted");
  EXPECT_TRUE(failed.dead_lettered);
  json record = DestinationRecord(failed, {});
  EXPECT_EQ(record["version"], "1.0");
  EXPECT_EQ(record["requestContext"]["requestId"], failed.request_id);
  EXPECT_EQ(record["requestContext"]["condition"], "RetriesExhausted");
  EXPECT_EQ(record["requestContext"]["approximateInvokeCount"], 3);
  EXPECT_EQ(record["requestContext"]["functionArn"],
            "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST");
  EXPECT_EQ(record["requestPayload"], json({{"n", 1}}));
  EXPECT_EQ(record["responseContext"]["functionError"], "Unhandled");
  EXPECT_EQ(record["responsePayload"]["errorType"], "RuntimeError");
  clock_.Advance(1h);
  EXPECT_EQ(Round().started, 0) << "a dead letter never runs again";
}

TEST_F(AsyncInvokerTest, ARetryThatSucceedsEndsTheRetries) {
  Put("f", "once");
  Enqueue("f");
  Round();
  clock_.Advance(1min);
  Round();
  AsyncInvocation done = Only();
  EXPECT_EQ(done.state, AsyncState::kSucceeded);
  EXPECT_EQ(done.attempts, 2);
  EXPECT_EQ(done.response, "\"second try\"");
}

TEST_F(AsyncInvokerTest, MaximumRetryAttemptsZeroFailsAtOnceAndNoDeadLetterDropsTheFailure) {
  Put("f", "fail", [](FunctionConfig& c) {
    c.async.maximum_retry_attempts = 0;
    c.async.dead_letter = false;
  });
  Enqueue("f");
  Round();
  AsyncInvocation failed = Only();
  EXPECT_EQ(failed.state, AsyncState::kFailed);
  EXPECT_EQ(failed.attempts, 1);
  EXPECT_FALSE(failed.dead_lettered);
}

TEST_F(AsyncInvokerTest, AnEventOlderThanItsMaximumAgeIsNotTriedAgain) {
  Put("f", "fail", [](FunctionConfig& c) { c.async.maximum_event_age_seconds = 90; });
  Enqueue("f");
  Round();  // first attempt; the retry would fall at +60 s, within 90 s
  clock_.Advance(1min);
  Round();  // second attempt; the next would fall at +180 s, past the event's age
  AsyncInvocation failed = Only();
  EXPECT_EQ(failed.state, AsyncState::kFailed);
  EXPECT_EQ(failed.condition, "EventAgeExceeded");
  EXPECT_EQ(failed.attempts, 2);
}

TEST_F(AsyncInvokerTest, ReservedConcurrencyZeroFailsEventsWithoutRunningThem) {
  Put("f", "ok", [](FunctionConfig& c) { c.reserved_concurrency = 0; });
  Enqueue("f");
  AsyncRound round = Round();
  EXPECT_EQ(round.started, 0);
  EXPECT_EQ(round.failed_at_once, 1);
  AsyncInvocation failed = Only();
  EXPECT_EQ(failed.state, AsyncState::kFailed);
  EXPECT_EQ(failed.attempts, 0);
  EXPECT_EQ(failed.error_type, "TooManyRequestsException");
  EXPECT_TRUE(failed.dead_lettered);
}

TEST_F(AsyncInvokerTest, QueuedEventsWaitForReservedConcurrencyRatherThanThrottle) {
  Put("f", "slow", [](FunctionConfig& c) { c.reserved_concurrency = 1; });
  for (int n = 0; n < 3; ++n)
    Enqueue("f", "{\"n\":" + std::to_string(n) + "}");
  auto first = invoker_->RunDue();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->started, 1) << "one at a time";
  invoker_->Drain();
  EXPECT_EQ(Round().started, 1);
  EXPECT_EQ(Round().started, 1);
  for (const AsyncInvocation& invocation : All()) {
    EXPECT_EQ(invocation.state, AsyncState::kSucceeded);
    EXPECT_EQ(invocation.throttles, 0);
  }
}

TEST_F(AsyncInvokerTest, AMissingFunctionDeadLettersItsEvent) {
  Enqueue("ghost");
  EXPECT_EQ(Round().failed_at_once, 1);
  AsyncInvocation failed = Only();
  EXPECT_EQ(failed.state, AsyncState::kFailed);
  EXPECT_EQ(failed.error_type, "ResourceNotFoundException");
}

TEST_F(AsyncInvokerTest, ADeliveryKeyQueuesOneEventHoweverOftenItIsDelivered) {
  Put("f", "ok");
  FunctionTargets targets(*db_, clock_);
  bus::Target target;
  target.id = "t1";
  target.function = "f";
  ASSERT_TRUE(targets.CheckTarget(target).ok());
  for (int attempt = 1; attempt <= 3; ++attempt) {
    bus::InvokeResult result =
        targets.Invoke({"delivery-7", "rule-a", target, R"({"e":1})", attempt});
    EXPECT_EQ(result.outcome, bus::InvokeOutcome::kSucceeded);
  }
  AsyncInvocation queued = Only();
  EXPECT_EQ(queued.source, "rule/rule-a");
  EXPECT_EQ(queued.payload, R"({"e":1})");

  bus::Target ghost = target;
  ghost.function = "ghost";
  bus::InvokeResult gone = targets.Invoke({"delivery-8", "rule-a", ghost, "{}", 1});
  EXPECT_EQ(gone.outcome, bus::InvokeOutcome::kFail);
  EXPECT_EQ(gone.error_code, "RESOURCE_NOT_FOUND");
  bus::InvokeResult big = targets.Invoke(
      {"delivery-9", "rule-a", target, std::string(kMaxAsyncPayloadBytes + 1, ' '), 1});
  EXPECT_EQ(big.outcome, bus::InvokeOutcome::kFail);
  ghost.function = "not a name!";
  EXPECT_FALSE(targets.CheckTarget(ghost).ok());
}

TEST_F(AsyncInvokerTest, InvocationsLeftRunningByACrashRunAgainWithTheirRequestId) {
  Put("f", "ok");
  std::string id = Enqueue("f");
  ASSERT_TRUE(db_->Write([&](store::Transaction& tx) {
                   return ClaimAsync(tx, Only().id, clock_.Now()).status();
                 })
                  .ok());
  EXPECT_EQ(Only().state, AsyncState::kRunning);
  auto reset = invoker_->Recover();
  ASSERT_TRUE(reset.ok());
  EXPECT_EQ(*reset, 1);
  Round();
  AsyncInvocation done = Only();
  EXPECT_EQ(done.state, AsyncState::kSucceeded);
  EXPECT_EQ(done.request_id, id);
  EXPECT_EQ(done.attempts, 2) << "the crashed attempt counts";
}

}  // namespace
}  // namespace sluice::functions
