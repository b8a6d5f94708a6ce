// Warehouse URLs: which warehouse each names, what libpq gets, what messages show, and the
// malformed ones OpenWarehouse refuses. Also the load mode names.
#include "warehouse/warehouse_url.h"

#include <gtest/gtest.h>

#include "sluice/warehouse/warehouse.h"

namespace sluice::warehouse {
namespace {

struct UrlCase {
  std::string url;
  WarehouseKind kind;
  std::string path_or_conninfo;
  std::string display;
  std::string iam_role = "";
  std::string region = "";
};

const UrlCase kUrls[] = {
    {"duckdb://warehouse.duckdb", WarehouseKind::kDuckDb, "warehouse.duckdb",
     "duckdb://warehouse.duckdb"},
    {"duckdb://sub/dir/w.duckdb", WarehouseKind::kDuckDb, "sub/dir/w.duckdb",
     "duckdb://sub/dir/w.duckdb"},
    {"duckdb:///srv/w.duckdb", WarehouseKind::kDuckDb, "/srv/w.duckdb", "duckdb:///srv/w.duckdb"},
    {"postgresql://ana:s3cret@db.example:5433/sales?sslmode=require", WarehouseKind::kPostgres,
     "postgresql://ana:s3cret@db.example:5433/sales?sslmode=require",
     "postgresql://ana:***@db.example:5433/sales?sslmode=require"},
    {"postgres://ana@localhost/sales", WarehouseKind::kPostgres, "postgres://ana@localhost/sales",
     "postgres://ana@localhost/sales"},
    {"postgresql://h/db?user=ana&password=pw", WarehouseKind::kPostgres,
     "postgresql://h/db?user=ana&password=pw", "postgresql://h/db?user=ana&password=***"},
    {"redshift://ana:pw@cluster.example:5440/dev?iam_role=arn:aws:iam::123:role/Load&region=eu-"
     "west-1",
     WarehouseKind::kRedshift, "postgresql://ana:pw@cluster.example:5440/dev",
     "redshift://ana:***@cluster.example:5440/dev?iam_role=arn:aws:iam::123:role/"
     "Load&region=eu-west-1",
     "arn:aws:iam::123:role/Load", "eu-west-1"},
    {"redshift://ana:pw@cluster.example/dev?sslmode=require&iam_role=arn%3Aaws%3Aiam%3A%3A1%3Arole%"
     "2FR",
     WarehouseKind::kRedshift, "postgresql://ana:pw@cluster.example:5439/dev?sslmode=require",
     "redshift://ana:***@cluster.example/dev?sslmode=require&iam_role=arn%3Aaws%3Aiam%3A%3A1%"
     "3Arole%2FR",
     "arn:aws:iam::1:role/R", ""},
};

TEST(WarehouseUrlTest, ParsesEachScheme) {
  for (const UrlCase& c : kUrls) {
    SCOPED_TRACE(c.url);
    Result<WarehouseUrl> parsed = ParseWarehouseUrl(c.url);
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    EXPECT_EQ(parsed->kind, c.kind);
    EXPECT_EQ(c.kind == WarehouseKind::kDuckDb ? parsed->path : parsed->conninfo,
              c.path_or_conninfo);
    EXPECT_EQ(parsed->display, c.display);
    EXPECT_EQ(parsed->iam_role, c.iam_role);
    EXPECT_EQ(parsed->region, c.region);
  }
}

TEST(WarehouseUrlTest, RefusesMalformedUrlsNamingThemWithoutPasswords) {
  const std::pair<std::string, std::string> cases[] = {
      {"warehouse.duckdb", "malformed warehouse URL \"warehouse.duckdb\""},
      {"duckdb://", "no database file"},
      {"mysql://u:pw@h/db", "unsupported warehouse URL \"mysql://u:***@h/db\""},
      {"redshift://u:pw@h/dev", "needs iam_role=ARN"},
      {"redshift://u:pw@h:port/dev?iam_role=r", "the port is not a number"},
      {"redshift://u:pw@/dev?iam_role=r", "no host"},
      {"postgresql://u:pw@h/db?nosuchoption=1", "invalid URI query parameter"},
  };
  for (const auto& [url, expected] : cases) {
    SCOPED_TRACE(url);
    Result<std::unique_ptr<Warehouse>> opened = OpenWarehouse(url, {});
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(opened.status().message().find(expected), std::string::npos)
        << opened.status().message();
    EXPECT_EQ(opened.status().message().find("pw@"), std::string::npos)
        << opened.status().message();
  }
}

TEST(WarehouseUrlTest, DisplayUrlHidesThePassword) {
  Result<std::unique_ptr<Warehouse>> opened =
      OpenWarehouse("postgresql://ana:s3cret@127.0.0.1:1/db", {});
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  EXPECT_EQ((*opened)->DisplayUrl(), "postgresql://ana:***@127.0.0.1:1/db");
  EXPECT_EQ(RedactUrl("redshift://u:p:q@h/d?password=x&iam_role=r"),
            "redshift://u:***@h/d?password=***&iam_role=r");
  EXPECT_EQ(RedactUrl("duckdb://w.duckdb"), "duckdb://w.duckdb");
}

TEST(WarehouseUrlTest, OpeningContactsNothing) {
  // Nothing listens on port 1: the error comes with the first use, naming the server.
  Result<std::unique_ptr<Warehouse>> opened =
      OpenWarehouse("postgresql://ana:s3cret@127.0.0.1:1/db?connect_timeout=2", {});
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  Result<std::vector<TableInfo>> tables = (*opened)->ListTables();
  ASSERT_FALSE(tables.ok());
  EXPECT_EQ(tables.status().code(), StatusCode::kIoError);
  EXPECT_NE(tables.status().message().find("cannot connect to postgresql://ana:***@127.0.0.1:1/db"),
            std::string::npos)
      << tables.status().message();
}

TEST(WarehouseUrlTest, OnlyRedshiftLoadsFromTheLake) {
  const std::pair<std::string, bool> cases[] = {
      {"duckdb://w.duckdb", false},
      {"postgresql://u@h/db", false},
      {"redshift://u@h/dev?iam_role=arn:aws:iam::1:role/R", true},
  };
  for (const auto& [url, from_lake] : cases) {
    Result<std::unique_ptr<Warehouse>> opened = OpenWarehouse(url, {});
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    EXPECT_EQ((*opened)->LoadsFromLake(), from_lake) << url;
  }
}

TEST(LoadModeTest, NamesRoundTrip) {
  for (LoadMode mode : {LoadMode::kAppend, LoadMode::kReplace, LoadMode::kMerge}) {
    Result<LoadMode> parsed = ParseLoadMode(LoadModeName(mode));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, mode);
  }
  Result<LoadMode> bad = ParseLoadMode("upsert");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("append, replace or merge"), std::string::npos);
}

}  // namespace
}  // namespace sluice::warehouse
