// The dispatcher on simulated time: routing, retries and backoff, maximum age, dead letters and
// redrive, batching windows, schedules, and recovery of interrupted deliveries.
#include <gtest/gtest.h>

#include "bus/bus_fixture.h"

namespace sluice::bus {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kOrdersRule = R"({
  "Name": "orders", "EventPattern": {"source": ["shop"], "detail-type": ["Order Placed"]},
  "Targets": [{"Id": "t1", "Action": "test"}]})";

TEST_F(BusTest, RoutesMatchingEventsToEachTargetOnce) {
  PutRuleJson(R"({"Name": "orders", "EventPattern": {"source": ["shop"]},
                  "Targets": [{"Id": "a", "Action": "test"}, {"Id": "b", "Action": "test"}]})");
  std::string id = Publish("shop", "Order Placed", R"({"n": 1})");
  Publish("other", "Order Placed", R"({"n": 2})");
  RoundStats stats = Round();
  EXPECT_EQ(stats.events_routed, 2);
  EXPECT_EQ(stats.deliveries_created, 2);
  ASSERT_EQ(invoker_.calls.size(), 2u);
  EXPECT_EQ(invoker_.calls[0].key, id + "/orders/a");
  EXPECT_EQ(invoker_.calls[1].key, id + "/orders/b");
  EXPECT_EQ(nlohmann::json::parse(invoker_.calls[0].input)["detail"]["n"], 1);
  EXPECT_EQ(invoker_.calls[0].attempt, 1);
  Round();
  EXPECT_EQ(invoker_.calls.size(), 2u);  // nothing runs twice
  EXPECT_EQ(Counts().succeeded, 2);
  EXPECT_TRUE(*dispatcher_->Idle());
}

TEST_F(BusTest, DisabledAndDeletedRulesGetNothing) {
  PutRuleJson(kOrdersRule);
  ASSERT_TRUE(db_->Write([](store::Transaction& tx) {
                   return SetRuleState(tx, "orders", RuleState::kDisabled);
                 })
                  .ok());
  Publish("shop", "Order Placed", "{}");
  Round();
  EXPECT_TRUE(invoker_.calls.empty());
  ASSERT_TRUE(db_->Write([](store::Transaction& tx) {
                   return SetRuleState(tx, "orders", RuleState::kEnabled);
                 })
                  .ok());
  Publish("shop", "Order Placed", "{}");
  Round();
  EXPECT_EQ(invoker_.calls.size(), 1u);  // only the event published while enabled
  ASSERT_TRUE(db_->Write([](store::Transaction& tx) { return DeleteRule(tx, "orders"); }).ok());
  Publish("shop", "Order Placed", "{}");
  Round();
  EXPECT_EQ(invoker_.calls.size(), 1u);
}

TEST_F(BusTest, RetriesWithExponentialBackoffAndJitter) {
  PutRuleJson(kOrdersRule);
  invoker_.script = [](const ScriptedInvoker::Call& call) {
    return call.attempt < 4 ? InvokeResult::Retry("THROTTLING", "busy") : InvokeResult::Ok();
  };
  Publish("shop", "Order Placed", "{}");
  RunUntilIdle();
  ASSERT_EQ(invoker_.calls.size(), 4u);
  for (size_t i = 1; i < invoker_.calls.size(); ++i) {
    EXPECT_EQ(invoker_.calls[i].key, invoker_.calls[0].key);  // one idempotency key
    EXPECT_EQ(invoker_.calls[i].attempt, static_cast<int>(i) + 1);
    auto gap = invoker_.calls[i].at - invoker_.calls[i - 1].at;
    auto full = milliseconds(1000) * (1 << (i - 1));  // 1 s, 2 s, 4 s
    EXPECT_GE(gap, full / 2) << "retry " << i;
    EXPECT_LE(gap, full) << "retry " << i;
  }
  EXPECT_EQ(Counts().succeeded, 1);
  EXPECT_TRUE(DeadLetters().empty());
}

TEST_F(BusTest, ExhaustedRetriesAreDeadLetteredAndCanBeRedriven) {
  PutRuleJson(R"({"Name": "orders", "EventPattern": {"source": ["shop"]},
                  "Targets": [{"Id": "t1", "Action": "test",
                               "RetryPolicy": {"MaximumRetryAttempts": 2}}]})");
  invoker_.script = [](const ScriptedInvoker::Call&) {
    return InvokeResult::Retry("TIMEOUT", "target timed out");
  };
  std::string id = Publish("shop", "Order Placed", "{}");
  RunUntilIdle();
  EXPECT_EQ(invoker_.calls.size(), 3u);  // the first attempt and two retries
  std::vector<DeadLetter> letters = DeadLetters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].rule, "orders");
  EXPECT_EQ(letters[0].target_id, "t1");
  EXPECT_EQ(letters[0].error_code, "TIMEOUT");
  EXPECT_EQ(letters[0].error_message, "target timed out");
  EXPECT_EQ(letters[0].exhausted_condition, "MaximumRetryAttempts");
  EXPECT_EQ(letters[0].retry_attempts, 2);
  EXPECT_EQ(letters[0].event_ids, std::vector<std::string>{id});

  invoker_.script = nullptr;  // the target works again
  ASSERT_TRUE(db_->Write([&](store::Transaction& tx) {
                   return RedriveDeadLetter(tx, letters[0].delivery_id, clock_.Now()).status();
                 })
                  .ok());
  RunUntilIdle();
  EXPECT_EQ(invoker_.calls.size(), 4u);
  EXPECT_EQ(invoker_.calls.back().attempt, 1);
  EXPECT_TRUE(DeadLetters().empty());
  EXPECT_EQ(Counts().succeeded, 1);
  EXPECT_EQ(Counts().dead_lettered, 1);  // the original delivery keeps its history
}

TEST_F(BusTest, ZeroRetriesMeansOneAttempt) {
  PutRuleJson(R"({"Name": "orders", "EventPattern": {"source": ["shop"]},
                  "Targets": [{"Id": "t1", "Action": "test",
                               "RetryPolicy": {"MaximumRetryAttempts": 0}}]})");
  invoker_.script = [](const ScriptedInvoker::Call&) { return InvokeResult::Retry("X", "no"); };
  Publish("shop", "Order Placed", "{}");
  RunUntilIdle();
  EXPECT_EQ(invoker_.calls.size(), 1u);
  EXPECT_EQ(DeadLetters().size(), 1u);
}

TEST_F(BusTest, PermanentFailuresSkipRetries) {
  PutRuleJson(kOrdersRule);
  invoker_.script = [](const ScriptedInvoker::Call&) {
    return InvokeResult::Fail("NO_RESOURCE", "cluster template gone");
  };
  Publish("shop", "Order Placed", "{}");
  RunUntilIdle();
  EXPECT_EQ(invoker_.calls.size(), 1u);
  ASSERT_EQ(DeadLetters().size(), 1u);
  EXPECT_EQ(DeadLetters()[0].exhausted_condition, "");
  EXPECT_EQ(DeadLetters()[0].error_code, "NO_RESOURCE");
}

TEST_F(BusTest, MaximumEventAgeEndsRetries) {
  PutRuleJson(R"({"Name": "orders", "EventPattern": {"source": ["shop"]},
                  "Targets": [{"Id": "t1", "Action": "test",
                               "RetryPolicy": {"MaximumEventAgeInSeconds": 60}}]})");
  invoker_.script = [](const ScriptedInvoker::Call&) { return InvokeResult::Retry("X", "busy"); };
  Publish("shop", "Order Placed", "{}");
  RunUntilIdle();
  // Backoff 1+2+4+8+16 s fits in 60 s; the next wait would not.
  ASSERT_EQ(DeadLetters().size(), 1u);
  EXPECT_EQ(DeadLetters()[0].exhausted_condition, "MaximumEventAgeInSeconds");
  EXPECT_LE(invoker_.calls.back().at - invoker_.calls.front().at, seconds(60));
  EXPECT_GE(invoker_.calls.size(), 5u);
  EXPECT_LE(invoker_.calls.size(), 7u);
}

TEST_F(BusTest, AnEventTooOldWhenItsTurnComesIsNotDelivered) {
  PutRuleJson(R"({"Name": "orders", "EventPattern": {"source": ["shop"]},
                  "Targets": [{"Id": "t1", "Action": "test",
                               "RetryPolicy": {"MaximumEventAgeInSeconds": 60}}]})");
  Publish("shop", "Order Placed", "{}");
  clock_.Advance(seconds(120));  // the engine was down: the event waited in the log
  Round();
  EXPECT_TRUE(invoker_.calls.empty());
  ASSERT_EQ(DeadLetters().size(), 1u);
  EXPECT_EQ(DeadLetters()[0].exhausted_condition, "MaximumEventAgeInSeconds");
}

TEST_F(BusTest, AnEventsAgeCountsFromReceiptNotFromItsTime) {
  PutRuleJson(R"({"Name": "orders", "EventPattern": {"source": ["shop"]},
                  "Targets": [{"Id": "t1", "Action": "test",
                               "RetryPolicy": {"MaximumEventAgeInSeconds": 60}}]})");
  // A producer may date an event in the past (a backfill); it is as young as its receipt.
  auto ids = PutEvents(*db_, {{"shop", "Order Placed", "{}", {}, clock_.Now() - seconds(120)}}, {},
                       clock_);
  ASSERT_TRUE(ids.ok());
  Round();
  EXPECT_EQ(invoker_.calls.size(), 1u);
  EXPECT_TRUE(DeadLetters().empty());
}

TEST_F(BusTest, BatchesCloseWhenFullOrWhenTheWindowPasses) {
  PutRuleJson(R"({"Name": "files", "EventPattern": {"source": ["shop"]},
                  "Targets": [{"Id": "t1", "Action": "test", "InputPath": "$.detail",
                               "Batch": {"Size": 3, "WindowSeconds": 60}}]})");
  for (int i = 0; i < 5; ++i)
    Publish("shop", "File", R"({"n": )" + std::to_string(i) + "}");
  Round();
  ASSERT_EQ(invoker_.calls.size(), 1u);  // the first three, at once
  EXPECT_EQ(nlohmann::json::parse(invoker_.calls[0].input),
            nlohmann::json::parse(R"([{"n":0},{"n":1},{"n":2}])"));
  clock_.Advance(seconds(59));
  Round();
  EXPECT_EQ(invoker_.calls.size(), 1u);  // the window is still open
  clock_.Advance(seconds(1));
  Round();
  ASSERT_EQ(invoker_.calls.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(invoker_.calls[1].input),
            nlohmann::json::parse(R"([{"n":3},{"n":4}])"));
  EXPECT_TRUE(*dispatcher_->Idle());
}

TEST_F(BusTest, SchedulesFireScheduledEventsForTheirRuleOnly) {
  PutRuleJson(R"json({"Name": "every5", "ScheduleExpression": "rate(5 minutes)",
                      "Targets": [{"Id": "t1", "Action": "test"}]})json");
  PutRuleJson(R"({"Name": "listener", "EventPattern": {"source": ["aws.events"]},
                  "Targets": [{"Id": "t1", "Action": "test"}]})");
  Round();
  EXPECT_TRUE(invoker_.calls.empty());
  clock_.Advance(std::chrono::minutes(5));
  Round();
  ASSERT_EQ(invoker_.calls.size(), 1u);
  EXPECT_EQ(invoker_.calls[0].rule, "every5");
  auto event = nlohmann::json::parse(invoker_.calls[0].input);
  EXPECT_EQ(event["source"], "aws.events");
  EXPECT_EQ(event["detail-type"], "Scheduled Event");
  EXPECT_EQ(event["resources"][0], "arn:aws:events:us-east-1:000000000000:rule/every5");
  EXPECT_EQ(event["detail"], nlohmann::json::object());
  // A long outage fires once, then the schedule resumes its cadence.
  clock_.Advance(std::chrono::hours(1));
  Round();
  EXPECT_EQ(invoker_.calls.size(), 2u);
  clock_.Advance(std::chrono::minutes(5));
  Round();
  EXPECT_EQ(invoker_.calls.size(), 3u);
}

TEST_F(BusTest, InterruptedDeliveriesRunAgainWithTheSameKey) {
  PutRuleJson(kOrdersRule);
  Publish("shop", "Order Placed", "{}");
  Round();
  ASSERT_EQ(invoker_.calls.size(), 1u);
  // As if the dispatcher had died after claiming the delivery, before recording the outcome.
  ASSERT_TRUE(db_->Write([&](store::Transaction& tx) {
                   return tx.Execute("UPDATE deliveries SET state = 'RUNNING'").status();
                 })
                  .ok());
  auto recovered = dispatcher_->Recover();
  ASSERT_TRUE(recovered.ok());
  EXPECT_EQ(*recovered, 1);
  Round();
  ASSERT_EQ(invoker_.calls.size(), 2u);
  EXPECT_EQ(invoker_.calls[1].key, invoker_.calls[0].key);
  EXPECT_EQ(invoker_.calls[1].attempt, 2);
}

TEST_F(BusTest, ReroutingAfterACrashMakesNoSecondDelivery) {
  PutRuleJson(kOrdersRule);
  Publish("shop", "Order Placed", "{}");
  Round();
  // As if the cursor update had been lost: the same events are routed again.
  ASSERT_TRUE(
      db_->Write([](store::Transaction& tx) { return store::WriteLogCursor(tx, "bus", 0); }).ok());
  RoundStats stats = Round();
  EXPECT_EQ(stats.events_routed, 1);
  EXPECT_EQ(stats.deliveries_created, 0);
  EXPECT_EQ(invoker_.calls.size(), 1u);
}

TEST_F(BusTest, LakeEventsReachRulesOnS3Patterns) {
  PutRuleJson(R"({"Name": "raw", "EventPattern": {"source": ["aws.s3"],
                    "detail": {"object": {"key": [{"prefix": "raw/"}]}}},
                  "Targets": [{"Id": "t1", "Action": "test"}]})");
  ASSERT_TRUE(db_->Write([&](store::Transaction& tx) -> Status {
                   store::EventSpec spec;
                   spec.source = "aws.s3";
                   spec.detail_type = "Object Created";
                   spec.detail = {{"object", {{"key", "raw/a.csv"}}}};
                   spec.time = clock_.Now();
                   return store::AppendEvent(tx, store::BuildEvent(spec)).status();
                 })
                  .ok());
  Round();
  EXPECT_EQ(invoker_.calls.size(), 1u);
}

}  // namespace
}  // namespace sluice::bus
