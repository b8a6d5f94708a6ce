#include "sluice/bus/dispatcher.h"

#include <spdlog/spdlog.h>

#include <map>
#include <random>

#include "bus/batches.h"
#include "sluice/bus/deliveries.h"
#include "sluice/bus/input_transformer.h"
#include "sluice/bus/rule_machine.h"
#include "sluice/bus/rule_store.h"
#include "sluice/bus/schedule.h"
#include "sluice/store/event_log.h"

namespace sluice::bus {
namespace {

constexpr std::string_view kCursor = "bus";

// What a target receives for one event: the whole event, or what Input, InputPath or
// InputTransformer make of it.
Result<std::string> ShapeInput(const Target& target, const std::string& event_json,
                               const TransformContext& context) {
  if (target.input_transformer) {
    return ApplyInputTransformer(*target.input_transformer, event_json, context);
  }
  if (target.input_path) return ApplyInputPath(*target.input_path, event_json);
  if (target.input) return *target.input;
  return event_json;
}

std::optional<TimePoint> Earliest(std::optional<TimePoint> a, std::optional<TimePoint> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

}  // namespace

struct Dispatcher::State {
  RuleMachine machine;
  std::map<std::string, StoredRule, std::less<>> rules;
  int64_t rules_version = -1;
  FlatEvent flat;
  std::mt19937_64 rng;
};

Dispatcher::Dispatcher(store::Database& db, TargetInvoker& invoker, DispatcherOptions options)
    : db_(db), invoker_(invoker), options_(std::move(options)), state_(std::make_unique<State>()) {
  state_->rng.seed(options_.jitter_seed != 0 ? options_.jitter_seed : std::random_device{}());
}

Dispatcher::~Dispatcher() = default;

Result<int> Dispatcher::Recover() {
  int reset = 0;
  SLUICE_RETURN_IF_ERROR(db_.Write([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(reset, ResetRunningDeliveries(tx, options_.clock->Now()));
    return Status::Ok();
  }));
  if (reset > 0) spdlog::info("bus: {} interrupted deliveries will run again", reset);
  return reset;
}

Result<RoundStats> Dispatcher::RunOnce() {
  RoundStats stats;
  State& s = *state_;
  const Clock& clock = *options_.clock;

  // 1. Rules.
  SLUICE_RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(int64_t version, RulesVersion(tx));
    if (version == s.rules_version) return Status::Ok();
    SLUICE_ASSIGN_OR_RETURN(std::vector<StoredRule> rules, ListRules(tx));
    s.machine = RuleMachine();
    s.rules.clear();
    for (StoredRule& stored : rules) {
      const Rule& rule = stored.rule;
      if (rule.state == RuleState::kEnabled && !rule.event_pattern.empty()) {
        auto pattern = CompilePattern(rule.event_pattern);
        if (!pattern.ok()) {  // validated when put; only a hand-edited store gets here
          spdlog::error("bus: rule {} skipped: {}", rule.name, pattern.status().message());
          continue;
        }
        s.machine.Add(rule.name, *pattern);
      }
      s.rules.emplace(rule.name, std::move(stored));
    }
    s.rules_version = version;
    return Status::Ok();
  }));

  // 2. Schedules that are due: one Scheduled Event each (missed firings collapse into one).
  for (auto& [name, stored] : s.rules) {
    const Rule& rule = stored.rule;
    TimePoint now = clock.Now();
    if (rule.state != RuleState::kEnabled || !stored.next_fire || *stored.next_fire > now) continue;
    SLUICE_ASSIGN_OR_RETURN(Schedule schedule, ParseSchedule(rule.schedule_expression));
    TimePoint fired_at = *stored.next_fire;
    TimePoint next = schedule.NextAfter(now, stored.created);
    SLUICE_RETURN_IF_ERROR(db_.Write([&](store::Transaction& tx) -> Status {
      store::EventSpec spec;
      spec.source = "aws.events";
      spec.detail_type = "Scheduled Event";
      spec.resources = {RuleArn(options_.identity.region, options_.identity.account_id, name)};
      spec.time = fired_at;
      spec.received = now;
      spec.account = options_.identity.account_id;
      spec.region = options_.identity.region;
      store::LoggedEvent event = store::BuildEvent(spec);
      event.only_rule = name;
      SLUICE_RETURN_IF_ERROR(store::AppendEvent(tx, event).status());
      return SetNextFire(tx, name, next);
    }));
    stored.next_fire = next;
    ++stats.schedules_fired;
  }

  // 3. Route new events into deliveries, advancing the cursor in the same transaction.
  SLUICE_RETURN_IF_ERROR(db_.Write([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(int64_t cursor, store::ReadLogCursor(tx, kCursor));
    SLUICE_ASSIGN_OR_RETURN(std::vector<store::LoggedEvent> events,
                            store::ReadEvents(tx, cursor, options_.route_batch));
    if (events.empty()) return Status::Ok();
    TimePoint now = clock.Now();
    for (const store::LoggedEvent& event : events) {
      std::vector<std::string> matched;
      if (!event.only_rule.empty()) {
        matched.push_back(event.only_rule);
      } else if (Status parsed = s.flat.Parse(event.body); parsed.ok()) {
        matched = s.machine.Match(s.flat);
      } else {
        spdlog::error("bus: event {} skipped: {}", event.id, parsed.message());
      }
      for (const std::string& name : matched) {
        auto it = s.rules.find(name);
        if (it == s.rules.end() || it->second.rule.state != RuleState::kEnabled) continue;
        // As on EventBridge, a rule sees the events that arrive after it was made, not the log's
        // history (scheduled events are made for their rule).
        if (event.only_rule.empty() && event.received < it->second.created) continue;
        const Rule& rule = it->second.rule;
        TransformContext context{
            rule.name, RuleArn(options_.identity.region, options_.identity.account_id, rule.name),
            event.received};
        for (const Target& target : rule.targets) {
          auto input = ShapeInput(target, event.body, context);
          NewDelivery delivery{event.id + "/" + rule.name + "/" + target.id,
                               rule.name,
                               target,
                               {event.id},
                               input.ok() ? *input : event.body,
                               event.received};
          if (!input.ok()) {
            // The input cannot be made: no attempt can succeed, so dead-letter it at once.
            SLUICE_ASSIGN_OR_RETURN(bool inserted, InsertDelivery(tx, delivery, now));
            if (!inserted) continue;
            Delivery made{};
            made.id = tx.LastInsertRowId();
            made.rule = rule.name;
            made.target = target;
            SLUICE_RETURN_IF_ERROR(
                MarkDeadLettered(tx, made, kInvalidInput, input.status().message(), "", now));
            ++stats.dead_lettered;
            continue;
          }
          if (target.batch) {
            SLUICE_ASSIGN_OR_RETURN(
                bool closed,
                AddToBatch(tx, rule.name, target, {event.id, event.received, *input}, now));
            stats.batches_closed += closed ? 1 : 0;
            continue;
          }
          SLUICE_ASSIGN_OR_RETURN(bool inserted, InsertDelivery(tx, delivery, now));
          stats.deliveries_created += inserted ? 1 : 0;
        }
      }
    }
    stats.events_routed = static_cast<int>(events.size());
    return store::WriteLogCursor(tx, kCursor, events.back().seq);
  }));

  // 4. Batches whose window has passed.
  SLUICE_RETURN_IF_ERROR(db_.Write([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(int closed, CloseDueBatches(tx, clock.Now()));
    stats.batches_closed += closed;
    return Status::Ok();
  }));

  // 5. Deliveries that are due.
  std::vector<Delivery> due;
  SLUICE_RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(due, DueDeliveries(tx, clock.Now(), options_.run_batch));
    return Status::Ok();
  }));
  for (Delivery& d : due) {
    const RetryPolicy& policy = d.target.retry_policy;
    const auto max_age = std::chrono::seconds(policy.maximum_event_age_seconds);
    TimePoint now = clock.Now();
    if (now - d.event_time > max_age) {
      SLUICE_RETURN_IF_ERROR(db_.Write([&](store::Transaction& tx) {
        return MarkDeadLettered(tx, d, "EVENT_EXPIRED",
                                "the event is older than MaximumEventAgeInSeconds",
                                "MaximumEventAgeInSeconds", now);
      }));
      ++stats.dead_lettered;
      continue;
    }
    bool claimed = false;
    SLUICE_RETURN_IF_ERROR(db_.Write([&](store::Transaction& tx) -> Status {
      SLUICE_ASSIGN_OR_RETURN(claimed, ClaimDelivery(tx, d.id, now));
      return Status::Ok();
    }));
    if (!claimed) continue;
    ++d.attempts;
    ++stats.deliveries_run;

    InvokeResult result;
    try {
      result = invoker_.Invoke({d.key, d.rule, d.target, d.input, d.attempts});
    } catch (const std::exception& e) {
      result = InvokeResult::Retry("INTERNAL_ERROR", e.what());
    }

    now = clock.Now();
    SLUICE_RETURN_IF_ERROR(db_.Write([&](store::Transaction& tx) -> Status {
      switch (result.outcome) {
        case InvokeOutcome::kSucceeded:
          ++stats.succeeded;
          return MarkSucceeded(tx, d.id, now);
        case InvokeOutcome::kFail:
          ++stats.dead_lettered;
          return MarkDeadLettered(tx, d, result.error_code, result.message, "", now);
        case InvokeOutcome::kRetry:
          break;
      }
      const int retries_done = d.attempts - 1;
      if (retries_done >= policy.maximum_retry_attempts) {
        ++stats.dead_lettered;
        return MarkDeadLettered(tx, d, result.error_code, result.message, "MaximumRetryAttempts",
                                now);
      }
      auto delay = options_.backoff_base * (int64_t{1} << std::min(retries_done, 20));
      delay = std::min(delay, options_.backoff_cap);
      std::uniform_int_distribution<int64_t> jitter(delay.count() / 2, delay.count());
      TimePoint next = now + std::chrono::milliseconds(jitter(s.rng));
      if (next - d.event_time > max_age) {
        ++stats.dead_lettered;
        return MarkDeadLettered(tx, d, result.error_code, result.message,
                                "MaximumEventAgeInSeconds", now);
      }
      ++stats.retried;
      return ScheduleRetry(tx, d.id, next, result.error_code + ": " + result.message, now);
    }));
  }
  return stats;
}

Result<std::optional<TimePoint>> Dispatcher::NextWakeup() {
  std::optional<TimePoint> wake;
  SLUICE_RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(int64_t cursor, store::ReadLogCursor(tx, kCursor));
    SLUICE_ASSIGN_OR_RETURN(int64_t last, store::LastEventSeq(tx));
    if (last > cursor) wake = options_.clock->Now();
    SLUICE_ASSIGN_OR_RETURN(std::optional<TimePoint> delivery, NextDueTime(tx));
    SLUICE_ASSIGN_OR_RETURN(std::optional<TimePoint> batch, NextBatchClose(tx));
    wake = Earliest(Earliest(wake, delivery), batch);
    return Status::Ok();
  }));
  for (const auto& [name, stored] : state_->rules) {
    if (stored.rule.state == RuleState::kEnabled) wake = Earliest(wake, stored.next_fire);
  }
  return wake;
}

Result<bool> Dispatcher::Idle() {
  bool idle = false;
  SLUICE_RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(int64_t cursor, store::ReadLogCursor(tx, kCursor));
    SLUICE_ASSIGN_OR_RETURN(int64_t last, store::LastEventSeq(tx));
    SLUICE_ASSIGN_OR_RETURN(DeliveryCounts counts, CountDeliveries(tx));
    SLUICE_ASSIGN_OR_RETURN(int64_t batches, CountOpenBatches(tx));
    idle = last == cursor && counts.pending == 0 && counts.running == 0 && batches == 0;
    return Status::Ok();
  }));
  return idle;
}

Status Dispatcher::Run(const std::function<bool()>& should_stop,
                       const std::function<void(const RoundStats&)>& on_round,
                       std::chrono::milliseconds poll) {
  while (!should_stop()) {
    uint64_t seen = db_.commit_count();
    auto round = RunOnce();
    if (!round.ok()) {
      spdlog::error("bus: dispatcher round failed: {}", round.status().ToString());
    } else if (round->did_work()) {
      if (on_round) on_round(*round);
      continue;  // more may be waiting
    }
    auto wake = NextWakeup();
    auto timeout = poll;
    if (wake.ok() && *wake) {
      auto until =
          std::chrono::duration_cast<std::chrono::milliseconds>(**wake - options_.clock->Now());
      timeout = std::clamp(until, std::chrono::milliseconds(0), poll);
    }
    db_.WaitForCommit(seen, timeout);
  }
  return Status::Ok();
}

}  // namespace sluice::bus
