// The statements PostgreSQL and Redshift loads run, read as text: Redshift is not reachable from
// the tests, so this is where its COPY, staging and merge SQL is checked word for word (the same
// statements also run against PostgreSQL in redshift_warehouse_test.cpp).
#include <gtest/gtest.h>

#include "warehouse/pg_sql.h"
#include "warehouse/redshift_sql.h"

namespace sluice::warehouse {
namespace {

const std::vector<SourceColumn> kColumns = {{"id", "BIGINT"}, {"Name", "VARCHAR"}};

TEST(RedshiftSqlTest, OneCopyPerLakeObject) {
  RedshiftCopy copy{"\"sales\".\"orders\"",
                    {"id", "Name"},
                    {"s3://lake/out/part-0.csv", "s3://lake/out/it's.csv"},
                    "arn:aws:iam::123456789012:role/Load",
                    "eu-west-1"};
  std::vector<std::string> statements = RedshiftCopyStatements(copy);
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_EQ(statements[0],
            "COPY \"sales\".\"orders\" (\"id\", \"Name\") FROM 's3://lake/out/part-0.csv' "
            "IAM_ROLE 'arn:aws:iam::123456789012:role/Load' FORMAT AS CSV IGNOREHEADER 1 "
            "DATEFORMAT 'auto' TIMEFORMAT 'auto' REGION 'eu-west-1'");
  EXPECT_EQ(statements[1],
            "COPY \"sales\".\"orders\" (\"id\", \"Name\") FROM 's3://lake/out/it''s.csv' "
            "IAM_ROLE 'arn:aws:iam::123456789012:role/Load' FORMAT AS CSV IGNOREHEADER 1 "
            "DATEFORMAT 'auto' TIMEFORMAT 'auto' REGION 'eu-west-1'");
  copy.region.clear();
  EXPECT_EQ(RedshiftCopyStatements(copy)[0].find("REGION"), std::string::npos);
}

TEST(LoadSqlTest, TablesAndColumnsAreQuotedAsWritten) {
  TableName table{"Sales", "order\"s"};
  EXPECT_EQ(CreateTableSql(table, {{"id", "BIGINT"}, {"Name", "VARCHAR(65535)"}}),
            "CREATE TABLE \"Sales\".\"order\"\"s\" (\"id\" BIGINT, \"Name\" VARCHAR(65535))");
  EXPECT_EQ(TableColumnsSql(table),
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'Sales' AND "
            "table_name = 'order\"s' ORDER BY ordinal_position");
  EXPECT_EQ(TableColumnsSql({"", "t"}),
            "SELECT column_name FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND table_name = 't' ORDER BY ordinal_position");
}

TEST(LoadSqlTest, MergeStagesDeletesAndInserts) {
  TableName table{"s", "t"};
  EXPECT_EQ(
      CreateStageSql(table, kColumns),
      "CREATE TEMP TABLE sluice_stage AS SELECT \"id\", \"Name\" FROM \"s\".\"t\" WHERE 1 = 0");
  EXPECT_EQ(MergeDeleteSql(table, {"id", "Name"}),
            "DELETE FROM \"s\".\"t\" USING sluice_stage WHERE \"s\".\"t\".\"id\" = "
            "sluice_stage.\"id\" AND \"s\".\"t\".\"Name\" = sluice_stage.\"Name\"");
  EXPECT_EQ(MergeInsertSql(table, kColumns),
            "INSERT INTO \"s\".\"t\" (\"id\", \"Name\") SELECT \"id\", \"Name\" FROM sluice_stage");
  EXPECT_EQ(DropStageSql(), "DROP TABLE sluice_stage");
}

TEST(LoadSqlTest, LoadIdsAreClaimedWithOrWithoutOnConflict) {
  LoadRequest request{"s.t", LoadMode::kMerge, {"id"}, "step-7'retry"};
  std::string postgres = ClaimLoadSql(request, 42, true);
  EXPECT_EQ(postgres.rfind("INSERT INTO sluice_loads (load_id, table_name, mode, \"rows\", "
                           "loaded_at) VALUES ('step-7''retry', 's.t', 'merge', 42, TIMESTAMP '",
                           0),
            0u)
      << postgres;
  EXPECT_NE(postgres.find("') ON CONFLICT (load_id) DO NOTHING"), std::string::npos) << postgres;
  EXPECT_EQ(ClaimLoadSql(request, 42, false).find("ON CONFLICT"), std::string::npos);
  EXPECT_EQ(LoadRecordedSql("a'b"), "SELECT count(*) FROM sluice_loads WHERE load_id = 'a''b'");
}

}  // namespace
}  // namespace sluice::warehouse
