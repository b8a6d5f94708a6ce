// The column types new tables get, one row per DuckDB type: PostgreSQL's and Redshift's (empty:
// an error naming the column and the type). Also the CSV text expressions for PostgreSQL loads.
#include <gtest/gtest.h>

#include "warehouse/postgres_types.h"
#include "warehouse/redshift_sql.h"

namespace sluice::warehouse {
namespace {

struct TypeCase {
  std::string duckdb;
  std::string postgres;
  std::string redshift;
};

const TypeCase kTypes[] = {
    {"BOOLEAN", "boolean", "BOOLEAN"},
    {"TINYINT", "smallint", "SMALLINT"},
    {"SMALLINT", "smallint", "SMALLINT"},
    {"UTINYINT", "smallint", "SMALLINT"},
    {"INTEGER", "integer", "INTEGER"},
    {"USMALLINT", "integer", "INTEGER"},
    {"BIGINT", "bigint", "BIGINT"},
    {"UINTEGER", "bigint", "BIGINT"},
    {"UBIGINT", "numeric", "DECIMAL(20,0)"},
    {"HUGEINT", "numeric", "DECIMAL(38,0)"},
    {"UHUGEINT", "numeric", "DECIMAL(38,0)"},
    {"FLOAT", "real", "REAL"},
    {"DOUBLE", "double precision", "DOUBLE PRECISION"},
    {"DECIMAL(18,2)", "numeric(18,2)", "DECIMAL(18,2)"},
    {"DECIMAL(38,10)", "numeric(38,10)", "DECIMAL(38,10)"},
    {"VARCHAR", "text", "VARCHAR(65535)"},
    {"ENUM('a', 'b')", "text", "VARCHAR(65535)"},
    {"DATE", "date", "DATE"},
    {"TIME", "time", "TIME"},
    {"TIME WITH TIME ZONE", "timetz", "TIMETZ"},
    {"TIMESTAMP", "timestamp", "TIMESTAMP"},
    {"TIMESTAMP_S", "timestamp", "TIMESTAMP"},
    {"TIMESTAMP_MS", "timestamp", "TIMESTAMP"},
    {"TIMESTAMP_NS", "timestamp", "TIMESTAMP"},
    {"TIMESTAMP WITH TIME ZONE", "timestamptz", "TIMESTAMPTZ"},
    {"INTERVAL", "interval", ""},
    {"UUID", "uuid", "VARCHAR(36)"},
    {"BLOB", "bytea", "VARBYTE"},
    {"JSON", "jsonb", "SUPER"},
    {"INTEGER[]", "jsonb", "SUPER"},
    {"INTEGER[3]", "jsonb", "SUPER"},
    {"STRUCT(a INTEGER, b VARCHAR)", "jsonb", "SUPER"},
    {"MAP(VARCHAR, INTEGER)", "jsonb", "SUPER"},
    {"UNION(n INTEGER, s VARCHAR)", "jsonb", "SUPER"},
    {"STRUCT(a INTEGER)[]", "jsonb", "SUPER"},
    {"BIT", "", ""},
    {"BIGNUM", "", ""},
};

TEST(TypeMappingTest, EachDuckDbTypeMapsOrIsRefusedByName) {
  for (const TypeCase& c : kTypes) {
    SCOPED_TRACE(c.duckdb);
    SourceColumn column{"Col", c.duckdb};
    for (bool postgres : {true, false}) {
      Result<std::string> type = postgres ? PostgresColumnType(column) : RedshiftColumnType(column);
      const std::string& expected = postgres ? c.postgres : c.redshift;
      if (expected.empty()) {
        ASSERT_FALSE(type.ok()) << *type;
        EXPECT_EQ(type.status().code(), StatusCode::kInvalidArgument);
        EXPECT_NE(type.status().message().find("column \"Col\" has DuckDB type " + c.duckdb),
                  std::string::npos)
            << type.status().message();
      } else {
        ASSERT_TRUE(type.ok()) << type.status().message();
        EXPECT_EQ(*type, expected);
      }
    }
  }
}

TEST(TypeMappingTest, CsvExpressionsConvertWhatPostgresReadsDifferently) {
  EXPECT_EQ(PostgresCsvExpression({"b", "BLOB"}), "'\\x' || hex(\"b\")");
  EXPECT_EQ(PostgresCsvExpression({"l", "INTEGER[]"}), "to_json(\"l\")");
  EXPECT_EQ(PostgresCsvExpression({"d", "DATE"}),
            "CASE WHEN \"d\" < DATE '0001-01-01' THEN replace(CAST(\"d\" AS VARCHAR), ' (BC)', "
            "' BC') ELSE CAST(\"d\" AS VARCHAR) END");
  EXPECT_EQ(PostgresCsvExpression({"t", "TIMESTAMP_NS"}), "CAST(\"t\" AS VARCHAR)");
  EXPECT_EQ(PostgresCsvExpression({"j", "JSON"}), "\"j\"");
  EXPECT_EQ(PostgresCsvExpression({"a\"b", "BIGINT"}), "\"a\"\"b\"");
}

}  // namespace
}  // namespace sluice::warehouse
