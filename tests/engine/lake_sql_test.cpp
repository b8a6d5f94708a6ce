#include "sluice/engine/lake_sql.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::engine {
namespace {

// Replaces s3://x by '/data/x' and keeps every other literal.
Result<std::optional<std::string>> ToLocal(std::string_view value, LiteralPlace) {
  if (value.substr(0, 5) != "s3://") return std::optional<std::string>();
  std::string quoted = "'/data/";
  for (char c : value.substr(5))
    quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return std::optional<std::string>(quoted + "'");
}

struct Case {
  const char* sql;
  const char* expected;  // nullptr: `sql` unchanged
};

const Case kCases[] = {
    // After FROM or JOIN.
    {"SELECT * FROM 's3://lake/a.csv'", "SELECT * FROM '/data/lake/a.csv'"},
    {"select * from 's3://lake/a.csv' AS t", "select * from '/data/lake/a.csv' AS t"},
    {"FROM 's3://l/a.parquet' SELECT 1", "FROM '/data/l/a.parquet' SELECT 1"},
    {"SELECT * FROM t JOIN 's3://l/b.csv' USING (id)",
     "SELECT * FROM t JOIN '/data/l/b.csv' USING (id)"},
    {"SELECT * FROM t LEFT OUTER join 's3://l/b' b ON t.id = b.id",
     "SELECT * FROM t LEFT OUTER join '/data/l/b' b ON t.id = b.id"},
    {"SELECT * FROM t ASOF JOIN 's3://l/q' USING (ts)",
     "SELECT * FROM t ASOF JOIN '/data/l/q' USING (ts)"},
    {"SELECT * FROM t POSITIONAL JOIN 's3://l/p'", "SELECT * FROM t POSITIONAL JOIN '/data/l/p'"},
    {"SELECT * FROM t NATURAL JOIN 's3://l/n'", "SELECT * FROM t NATURAL JOIN '/data/l/n'"},
    {"SELECT * FROM t CROSS JOIN 's3://l/c'", "SELECT * FROM t CROSS JOIN '/data/l/c'"},
    {"SELECT * FROM\n  -- the orders\n  's3://l/o.csv'",
     "SELECT * FROM\n  -- the orders\n  '/data/l/o.csv'"},
    {"SELECT * FROM /* inline */ 's3://l/o'", "SELECT * FROM /* inline */ '/data/l/o'"},
    {"SELECT * FROM (SELECT * FROM 's3://l/in') s", "SELECT * FROM (SELECT * FROM '/data/l/in') s"},
    {"COPY t FROM 's3://l/x.csv'", "COPY t FROM '/data/l/x.csv'"},
    // First argument of a file-reading table function, in any case.
    {"SELECT count(*) FROM read_csv('s3://lake/raw/orders/*.csv')",
     "SELECT count(*) FROM read_csv('/data/lake/raw/orders/*.csv')"},
    {"SELECT * FROM READ_CSV_AUTO ( 's3://a' )", "SELECT * FROM READ_CSV_AUTO ( '/data/a' )"},
    {"SELECT * FROM Read_Parquet('s3://a')", "SELECT * FROM Read_Parquet('/data/a')"},
    {"SELECT * FROM parquet_scan('s3://a')", "SELECT * FROM parquet_scan('/data/a')"},
    {"SELECT * FROM read_json('s3://a')", "SELECT * FROM read_json('/data/a')"},
    {"SELECT * FROM read_json_auto('s3://a')", "SELECT * FROM read_json_auto('/data/a')"},
    {"SELECT * FROM read_ndjson('s3://a')", "SELECT * FROM read_ndjson('/data/a')"},
    {"SELECT * FROM read_ndjson_auto('s3://a')", "SELECT * FROM read_ndjson_auto('/data/a')"},
    {"SELECT * FROM read_json_objects('s3://a')", "SELECT * FROM read_json_objects('/data/a')"},
    {"SELECT * FROM read_text('s3://a')", "SELECT * FROM read_text('/data/a')"},
    {"SELECT * FROM read_blob('s3://a')", "SELECT * FROM read_blob('/data/a')"},
    {"SELECT * FROM \"read_csv\"('s3://a')", "SELECT * FROM \"read_csv\"('/data/a')"},
    {"SELECT * FROM t JOIN read_parquet('s3://a') p USING (k)",
     "SELECT * FROM t JOIN read_parquet('/data/a') p USING (k)"},
    // Only the first argument.
    {"SELECT * FROM read_csv('s3://a', header = true, delim = ',', names = ['s3://n'])",
     "SELECT * FROM read_csv('/data/a', header = true, delim = ',', names = ['s3://n'])"},
    {"SELECT * FROM read_csv('local.csv', sep = 's3://not-a-file')", nullptr},
    // A list of literals as the first argument: each element.
    {"SELECT * FROM read_parquet(['s3://a', 'local.parquet', 's3://b'])",
     "SELECT * FROM read_parquet(['/data/a', 'local.parquet', '/data/b'])"},
    {"SELECT * FROM read_csv(['s3://a', 's3://b',], union_by_name = true)",
     "SELECT * FROM read_csv(['/data/a', '/data/b',], union_by_name = true)"},
    {"SELECT * FROM read_csv([])", nullptr},
    {"SELECT * FROM read_csv(['s3://a', f()])", nullptr},
    {"SELECT * FROM read_csv(['s3://a'][1])", nullptr},
    // Everything else is left alone.
    {"SELECT 's3://x'", nullptr},
    {"SELECT * FROM t WHERE path = 's3://x'", nullptr},
    {"SELECT * FROM read_csv('s3://a' || 'b')", nullptr},
    {"SELECT * FROM read_csv_x('s3://a')", nullptr},
    {"SELECT * FROM read_xlsx('s3://a')", nullptr},
    {"SELECT * FROM glob('s3://a/*')", nullptr},
    {"SELECT read_csv, 's3://a' FROM t", nullptr},
    {"SELECT * FROM t -- FROM 's3://a'\nWHERE 1", nullptr},
    {"SELECT 1 /* FROM 's3://a' /* nested */ read_csv('s3://b') */ FROM t", nullptr},
    {"SELECT \"FROM 's3://a'\" FROM t", nullptr},
    {"SELECT \"a\"\" FROM 's3://a'\" FROM t", nullptr},
    {"SELECT $$ FROM 's3://a' $$ FROM t", nullptr},
    {"SELECT $q$ FROM 's3://a' $$ read_csv('s3://b') $q$", nullptr},
    {"SELECT 'it''s FROM ''s3://a''' FROM t", nullptr},
    {"SELECT E'\\' FROM ''s3://a''' FROM t", nullptr},
    {"SELECT * FROM \"s3://a\"", nullptr},
    {"SELECT * FROM $$s3://a$$", nullptr},
    {"SELECT * FROM X's3'", nullptr},
    {"SELECT extract(year FROM '2024-01-01')", nullptr},
    {"SELECT EXTRACT(year FROM 's3://a'::DATE)", nullptr},
    {"SELECT trim(both 's' FROM 's3://a'), substring('s3://a' FROM 2), "
     "overlay('ab' PLACING 'x' FROM 's3://a')",
     nullptr},
    {"SELECT a IS DISTINCT FROM 's3://a', a IS NOT DISTINCT FROM 's3://b' FROM t", nullptr},
    {"SELECT extract(year FROM (SELECT max(d) FROM 's3://a'))",
     "SELECT extract(year FROM (SELECT max(d) FROM '/data/a'))"},
    {"SELECT a$$b FROM 's3://a'", "SELECT a$$b FROM '/data/a'"},
    {"SELECT $1, $name FROM 's3://a'", "SELECT $1, $name FROM '/data/a'"},
    // E'' strings, and strings continued on the next line.
    {"SELECT * FROM E's3://a\\tb'", "SELECT * FROM '/data/a\tb'"},
    {"SELECT * FROM read_csv(e's3://it\\'s')", "SELECT * FROM read_csv('/data/it''s')"},
    {"SELECT * FROM 's3://it''s'", "SELECT * FROM '/data/it''s'"},
    {"SELECT * FROM 's3://a\\b'", "SELECT * FROM '/data/a\\b'"},
    {"SELECT * FROM 's3://lake/'\n  'a.csv' t", "SELECT * FROM '/data/lake/a.csv' t"},
    {"SELECT * FROM 's3://lake/' -- folder\n-- file\n'a.csv'", "SELECT * FROM '/data/lake/a.csv'"},
    {"SELECT * FROM 's3://lake/' 'a.csv'", "SELECT * FROM '/data/lake/' 'a.csv'"},
    {"SELECT * FROM 's3://lake/' /* c */\n'a.csv'", "SELECT * FROM '/data/lake/' /* c */\n'a.csv'"},
    // Several literals and statements.
    {"SELECT * FROM 's3://a' JOIN 's3://b' USING (k) JOIN read_json(['s3://c', 's3://d']) USING "
     "(k)",
     "SELECT * FROM '/data/a' JOIN '/data/b' USING (k) JOIN read_json(['/data/c', '/data/d']) "
     "USING (k)"},
    {"CREATE TABLE t AS SELECT * FROM 's3://a';\nINSERT INTO t SELECT * FROM read_csv('s3://b');",
     "CREATE TABLE t AS SELECT * FROM '/data/a';\nINSERT INTO t SELECT * FROM "
     "read_csv('/data/b');"},
    // Unicode is copied byte for byte.
    {"SELECT 'é' AS \"ü\" FROM 's3://lake/ünï/çødé.csv' -- ✓",
     "SELECT 'é' AS \"ü\" FROM "
     "'/data/lake/ünï/çødé.csv' -- ✓"},
    {"", nullptr},
    {"-- only a comment", nullptr},
};

TEST(LakeSqlTest, ReplacesFileLiteralsAndNothingElse) {
  for (const Case& c : kCases) {
    auto result = ReplaceFileLiterals(c.sql, ToLocal);
    ASSERT_TRUE(result.ok()) << c.sql << ": " << result.status().ToString();
    EXPECT_EQ(*result, c.expected ? c.expected : c.sql) << c.sql;
  }
}

TEST(LakeSqlTest, PassesEachLiteralsValueInOrder) {
  std::vector<std::string> seen;
  auto record = [&](std::string_view value, LiteralPlace) -> Result<std::optional<std::string>> {
    seen.emplace_back(value);
    return std::optional<std::string>();
  };
  std::string sql =
      "SELECT * FROM 'a''b' JOIN read_csv(E'c\\x41\\101\\u00e9\\U0001F600\\n\\q''') "
      "JOIN read_parquet(['d', e'\\\\']) JOIN 'f'\n'g'";
  auto result = ReplaceFileLiterals(sql, record);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(*result, sql);
  EXPECT_EQ(seen, (std::vector<std::string>{"a'b", "cAAé😀\nq'", "d", "\\", "fg"}));
}

TEST(LakeSqlTest, TellsTableNamesFromReaderArguments) {
  std::vector<LiteralPlace> places;
  auto record = [&](std::string_view, LiteralPlace place) -> Result<std::optional<std::string>> {
    places.push_back(place);
    return std::optional<std::string>();
  };
  ASSERT_TRUE(
      ReplaceFileLiterals("SELECT * FROM 'a.csv' JOIN read_csv(['b', 'c']) USING (x)", record)
          .ok());
  EXPECT_EQ(places,
            (std::vector<LiteralPlace>{LiteralPlace::kTableName, LiteralPlace::kReaderArgument,
                                       LiteralPlace::kReaderArgument}));
}

TEST(LakeSqlTest, ReportsWhereAnUnterminatedTokenStarts) {
  struct ErrorCase {
    const char* sql;
    const char* message;
  };
  const ErrorCase errors[] = {
      {"SELECT 'abc", "unterminated string starting at line 1, column 8"},
      {"SELECT 1;\nSELECT 'é', 'ab", "unterminated string starting at line 2, column 13"},
      {"SELECT E'\\'", "unterminated string starting at line 1, column 8"},
      {"SELECT 'a'\n'b", "unterminated string starting at line 1, column 8"},
      {"SELECT X'41", "unterminated string starting at line 1, column 8"},
      {"SELECT\n\n  \"ünï", "unterminated quoted identifier starting at line 3, column 3"},
      {"SELECT 1 /* a /* b */", "unterminated comment starting at line 1, column 10"},
      {"SELECT $q$ x $$", "unterminated dollar-quoted string starting at line 1, column 8"},
  };
  auto keep = [](std::string_view, LiteralPlace) -> Result<std::optional<std::string>> {
    return std::optional<std::string>();
  };
  for (const ErrorCase& e : errors) {
    auto result = ReplaceFileLiterals(e.sql, keep);
    ASSERT_FALSE(result.ok()) << e.sql;
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << e.sql;
    EXPECT_EQ(result.status().message(), e.message) << e.sql;
  }
}

TEST(LakeSqlTest, ReplacesNothingInSqlThatDoesNotLex) {
  int calls = 0;
  auto count = [&](std::string_view, LiteralPlace) -> Result<std::optional<std::string>> {
    ++calls;
    return std::optional<std::string>("'x'");
  };
  EXPECT_FALSE(ReplaceFileLiterals("SELECT * FROM 's3://a'; SELECT 'b", count).ok());
  EXPECT_EQ(calls, 0);
}

TEST(LakeSqlTest, StopsAtTheReplacersError) {
  std::vector<std::string> seen;
  auto fail = [&](std::string_view value, LiteralPlace) -> Result<std::optional<std::string>> {
    seen.emplace_back(value);
    if (value == "s3://missing") return Status::NotFound("no object s3://missing");
    return std::optional<std::string>("'x'");
  };
  auto result = ReplaceFileLiterals(
      "SELECT * FROM 's3://a' JOIN 's3://missing' USING (k) JOIN 's3://c' USING (k)", fail);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(result.status().message(), "no object s3://missing");
  EXPECT_EQ(seen, (std::vector<std::string>{"s3://a", "s3://missing"}));
}

}  // namespace
}  // namespace sluice::engine
