#include "warehouse/postgres_types.h"

#include "warehouse/source_type.h"

namespace sluice::warehouse {

namespace {

// DuckDB writes dates before the common era as "0044-03-15 (BC)"; PostgreSQL reads
// "0044-03-15 BC". Only those values pay for the rewrite.
std::string BeforeCommonEra(const std::string& name, const std::string& first_day,
                            const std::string& comparable = "") {
  return "CASE WHEN " + (comparable.empty() ? name : comparable) + " < " + first_day +
         " THEN replace(CAST(" + name + " AS VARCHAR), ' (BC)', ' BC') ELSE CAST(" + name +
         " AS VARCHAR) END";
}

}  // namespace

Result<std::string> PostgresColumnType(const SourceColumn& column) {
  SourceType type = ClassifyType(column.type);
  switch (type.kind) {
    case TypeKind::kBoolean:
      return std::string("boolean");
    case TypeKind::kTinyint:
    case TypeKind::kSmallint:
    case TypeKind::kUtinyint:
      return std::string("smallint");
    case TypeKind::kInteger:
    case TypeKind::kUsmallint:
      return std::string("integer");
    case TypeKind::kBigint:
    case TypeKind::kUinteger:
      return std::string("bigint");
    case TypeKind::kUbigint:
    case TypeKind::kHugeint:
    case TypeKind::kUhugeint:
      return std::string("numeric");
    case TypeKind::kFloat:
      return std::string("real");
    case TypeKind::kDouble:
      return std::string("double precision");
    case TypeKind::kDecimal:
      return "numeric(" + std::to_string(type.precision) + "," + std::to_string(type.scale) + ")";
    case TypeKind::kVarchar:
    case TypeKind::kEnum:
      return std::string("text");
    case TypeKind::kDate:
      return std::string("date");
    case TypeKind::kTime:
      return std::string("time");
    case TypeKind::kTimeTz:
      return std::string("timetz");
    case TypeKind::kTimestamp:
      return std::string("timestamp");
    case TypeKind::kTimestampTz:
      return std::string("timestamptz");
    case TypeKind::kInterval:
      return std::string("interval");
    case TypeKind::kUuid:
      return std::string("uuid");
    case TypeKind::kBlob:
      return std::string("bytea");
    case TypeKind::kJson:
    case TypeKind::kNested:
      return std::string("jsonb");
    case TypeKind::kOther:
      break;
  }
  return Status::InvalidArgument("column \"" + column.name + "\" has DuckDB type " + column.type +
                                 ", which has no PostgreSQL equivalent: cast it in the query "
                                 "(e.g. to VARCHAR)");
}

std::string PostgresCsvExpression(const SourceColumn& column) {
  std::string name = duckdb::QuoteIdentifier(column.name);
  switch (ClassifyType(column.type).kind) {
    case TypeKind::kBlob:
      return "'\\x' || hex(" + name + ")";  // bytea's hex format
    case TypeKind::kNested:
      return "to_json(" + name + ")";
    case TypeKind::kDate:
      return BeforeCommonEra(name, "DATE '0001-01-01'");
    case TypeKind::kTimestamp:
      // TIMESTAMP_NS spans 1677 to 2262 only (and cannot be compared with year 1).
      if (column.type == "TIMESTAMP_NS") return "CAST(" + name + " AS VARCHAR)";
      return BeforeCommonEra(name, "TIMESTAMP '0001-01-01'", "CAST(" + name + " AS TIMESTAMP)");
    case TypeKind::kTimestampTz:
      return BeforeCommonEra(name, "TIMESTAMPTZ '0001-01-01 00:00:00+00'");
    default:
      return name;
  }
}

}  // namespace sluice::warehouse
