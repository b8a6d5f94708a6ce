// DuckDB column types, as DESCRIBE names them ("DECIMAL(18,2)", "VARCHAR[]",
// "TIMESTAMP WITH TIME ZONE"), sorted into the kinds the warehouses map to their own types.
// Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>

namespace sluice::warehouse {

enum class TypeKind {
  kBoolean,
  kTinyint,
  kSmallint,
  kInteger,
  kBigint,
  kHugeint,
  kUtinyint,
  kUsmallint,
  kUinteger,
  kUbigint,
  kUhugeint,
  kFloat,
  kDouble,
  kDecimal,  // precision and scale in SourceType
  kVarchar,
  kEnum,  // ENUM('a', 'b'): its values are text
  kJson,  // DuckDB's JSON (text holding JSON)
  kBlob,
  kDate,
  kTime,         // TIME, TIME_NS
  kTimeTz,       // TIME WITH TIME ZONE
  kTimestamp,    // TIMESTAMP, TIMESTAMP_S, TIMESTAMP_MS, TIMESTAMP_NS
  kTimestampTz,  // TIMESTAMP WITH TIME ZONE
  kInterval,
  kUuid,
  kNested,  // LIST (T[]), ARRAY (T[n]), STRUCT, MAP, UNION
  kOther,   // BIT, BIGNUM, anything newer: no warehouse type
};

struct SourceType {
  TypeKind kind = TypeKind::kOther;
  int precision = 0;  // kDecimal
  int scale = 0;      // kDecimal
};

SourceType ClassifyType(std::string_view duckdb_type);

}  // namespace sluice::warehouse
