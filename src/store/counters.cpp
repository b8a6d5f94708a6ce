#include "sluice/store/counters.h"

#include <string>

namespace sluice::store {

Result<int64_t> NextCounterValue(Transaction& tx, std::string_view name) {
  SLUICE_ASSIGN_OR_RETURN(
      Cursor row, tx.Query("INSERT INTO counters (name, value) VALUES (?, 1) "
                           "ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
                           name));
  SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
  if (!found) return Status::Internal("counter " + std::string(name) + " returned no value");
  int64_t value = row.Int(0);
  // Step to the end so the upsert is complete before the cursor resets the statement.
  SLUICE_RETURN_IF_ERROR(row.Next().status());
  return value;
}

}  // namespace sluice::store
