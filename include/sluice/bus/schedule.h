// Schedule: when a scheduled rule fires, parsed from EventBridge's ScheduleExpression.
//
// Two forms, both in UTC and at whole minutes:
//   rate(5 minutes)      every period, counted from the rule's creation time (its anchor);
//                        the unit is minute|hour|day, singular exactly when the value is 1.
//   cron(0 12 * * ? *)   Minutes Hours Day-of-month Month Day-of-week Year, with EventBridge's
//                        wildcards (, - * ? / L W #); exactly one of the two day fields is `?`.
// Ranges must run low to high: EventBridge does not document wrap-around ranges (FRI-MON), so
// they are rejected rather than guessed at.
//
// A Schedule is immutable; copies share their parsed form, and any thread may call any method.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "sluice/common/clock.h"
#include "sluice/common/result.h"

namespace sluice::bus {

class Schedule {
 public:
  // The first time strictly after `after` at which the schedule fires. For rate(), firings are
  // anchored at `anchor` (the rule's creation time): anchor + k*period, k >= 1; cron() ignores
  // the anchor. TimePoint::max() when the schedule never fires again (a cron year in the past).
  TimePoint NextAfter(TimePoint after, TimePoint anchor) const;

  // The expression exactly as given to ParseSchedule.
  const std::string& expression() const { return expression_; }

 private:
  struct Form;  // the parsed rate or cron; defined in schedule.cpp

  friend Result<Schedule> ParseSchedule(std::string_view expression);
  Schedule(std::string expression, std::shared_ptr<const Form> form)
      : expression_(std::move(expression)), form_(std::move(form)) {}

  std::string expression_;
  std::shared_ptr<const Form> form_;
};

// Parses "rate(5 minutes)" or "cron(0 12 * * ? *)". Fails with Status::InvalidArgument, AWS code
// "ValidationException", and EventBridge's message "Parameter ScheduleExpression is not valid."
// followed by " (<reason>)" naming the field and what is wrong with it.
Result<Schedule> ParseSchedule(std::string_view expression);

}  // namespace sluice::bus
