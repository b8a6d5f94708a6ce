// Named monotonic counters kept in the state store (S3 sequencers, ...).
#pragma once

#include <cstdint>
#include <string_view>

#include "sluice/common/result.h"
#include "sluice/store/transaction.h"

namespace sluice::store {

// Increments the named counter inside `tx` and returns its new value (the first call returns 1).
Result<int64_t> NextCounterValue(Transaction& tx, std::string_view name);

}  // namespace sluice::store
