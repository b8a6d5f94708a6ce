#include "warehouse/redshift_sql.h"

#include "warehouse/source_type.h"

namespace sluice::warehouse {

Result<std::string> RedshiftColumnType(const SourceColumn& column) {
  SourceType type = ClassifyType(column.type);
  switch (type.kind) {
    case TypeKind::kBoolean:
      return std::string("BOOLEAN");
    case TypeKind::kTinyint:
    case TypeKind::kSmallint:
    case TypeKind::kUtinyint:
      return std::string("SMALLINT");
    case TypeKind::kInteger:
    case TypeKind::kUsmallint:
      return std::string("INTEGER");
    case TypeKind::kBigint:
    case TypeKind::kUinteger:
      return std::string("BIGINT");
    case TypeKind::kUbigint:
      return std::string("DECIMAL(20,0)");
    case TypeKind::kHugeint:
    case TypeKind::kUhugeint:
      return std::string("DECIMAL(38,0)");
    case TypeKind::kFloat:
      return std::string("REAL");
    case TypeKind::kDouble:
      return std::string("DOUBLE PRECISION");
    case TypeKind::kDecimal:
      return "DECIMAL(" + std::to_string(type.precision) + "," + std::to_string(type.scale) + ")";
    case TypeKind::kVarchar:
    case TypeKind::kEnum:
      return std::string("VARCHAR(65535)");
    case TypeKind::kUuid:
      return std::string("VARCHAR(36)");
    case TypeKind::kDate:
      return std::string("DATE");
    case TypeKind::kTime:
      return std::string("TIME");
    case TypeKind::kTimeTz:
      return std::string("TIMETZ");
    case TypeKind::kTimestamp:
      return std::string("TIMESTAMP");
    case TypeKind::kTimestampTz:
      return std::string("TIMESTAMPTZ");
    case TypeKind::kBlob:
      return std::string("VARBYTE");
    case TypeKind::kJson:
    case TypeKind::kNested:
      return std::string("SUPER");
    case TypeKind::kInterval:
    case TypeKind::kOther:
      break;
  }
  return Status::InvalidArgument("column \"" + column.name + "\" has DuckDB type " + column.type +
                                 ", which has no Redshift equivalent: cast it in the query "
                                 "(e.g. to VARCHAR)");
}

std::vector<std::string> RedshiftCopyStatements(const RedshiftCopy& copy) {
  std::string columns;
  for (const std::string& column : copy.columns) {
    columns += (columns.empty() ? "" : ", ") + duckdb::QuoteIdentifier(column);
  }
  std::string options = " IAM_ROLE " + duckdb::QuoteLiteral(copy.iam_role) +
                        " FORMAT AS CSV IGNOREHEADER 1 DATEFORMAT 'auto' TIMEFORMAT 'auto'";
  if (!copy.region.empty()) options += " REGION " + duckdb::QuoteLiteral(copy.region);
  std::vector<std::string> statements;
  for (const std::string& uri : copy.uris) {
    statements.push_back("COPY " + copy.table + " (" + columns + ") FROM " +
                         duckdb::QuoteLiteral(uri) + options);
  }
  return statements;
}

}  // namespace sluice::warehouse
