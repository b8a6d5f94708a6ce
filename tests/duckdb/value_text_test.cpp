#include "sluice/duckdb/value_text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sluice/duckdb/database.h"

// The reference for every rendering is DuckDB itself: for each expression the test asks DuckDB
// for the value and for CAST(value AS VARCHAR), and the first, rendered by ValueText, must equal
// the second.
namespace sluice::duckdb {
namespace {

struct Case {
  const char* expr;
  const char* type;  // TypeName of the value's column
};

const Case kCases[] = {
    // Booleans and integers.
    {"true", "BOOLEAN"},
    {"false", "BOOLEAN"},
    {"NULL::BOOLEAN", "BOOLEAN"},
    {"NULL", "INTEGER"},
    {"(-128)::TINYINT", "TINYINT"},
    {"127::TINYINT", "TINYINT"},
    {"(-32768)::SMALLINT", "SMALLINT"},
    {"(-2147483648)::INTEGER", "INTEGER"},
    {"(-9223372036854775808)::BIGINT", "BIGINT"},
    {"9223372036854775807::BIGINT", "BIGINT"},
    {"255::UTINYINT", "UTINYINT"},
    {"65535::USMALLINT", "USMALLINT"},
    {"4294967295::UINTEGER", "UINTEGER"},
    {"18446744073709551615::UBIGINT", "UBIGINT"},
    {"0::HUGEINT", "HUGEINT"},
    {"(-1)::HUGEINT", "HUGEINT"},
    {"170141183460469231731687303715884105727::HUGEINT", "HUGEINT"},
    {"(-170141183460469231731687303715884105727 - 1)::HUGEINT", "HUGEINT"},
    {"18446744073709551616::HUGEINT", "HUGEINT"},
    {"(-18446744073709551616)::HUGEINT", "HUGEINT"},
    {"340282366920938463463374607431768211455::UHUGEINT", "UHUGEINT"},
    {"0::UHUGEINT", "UHUGEINT"},
    {"'123456789012345678901234567890123456789012'::BIGNUM", "BIGNUM"},
    {"(-'123456789012345678901234567890123456789012'::BIGNUM)", "BIGNUM"},
    {"0::BIGNUM", "BIGNUM"},
    {"(-1)::BIGNUM", "BIGNUM"},
    {"255::BIGNUM", "BIGNUM"},
    {"(-256)::BIGNUM", "BIGNUM"},
    {"1000000000::BIGNUM", "BIGNUM"},
    // Floating point: shortest round trip, positional from 1e-4 up to below 1e16.
    {"1e20::DOUBLE", "DOUBLE"},
    {"1.5::DOUBLE", "DOUBLE"},
    {"0.1::DOUBLE", "DOUBLE"},
    {"1.0::DOUBLE", "DOUBLE"},
    {"100.0::DOUBLE", "DOUBLE"},
    {"'inf'::DOUBLE", "DOUBLE"},
    {"'-inf'::DOUBLE", "DOUBLE"},
    {"'nan'::DOUBLE", "DOUBLE"},
    {"-('nan'::DOUBLE)", "DOUBLE"},
    {"-0.0::DOUBLE", "DOUBLE"},
    {"0.0::DOUBLE", "DOUBLE"},
    {"1e15::DOUBLE", "DOUBLE"},
    {"1e16::DOUBLE", "DOUBLE"},
    {"1e16::DOUBLE - 2", "DOUBLE"},
    {"1e15::DOUBLE + 0.5", "DOUBLE"},
    {"123456789012345678.0::DOUBLE", "DOUBLE"},
    {"0.0001::DOUBLE", "DOUBLE"},
    {"0.00012::DOUBLE", "DOUBLE"},
    {"1e-5::DOUBLE", "DOUBLE"},
    {"1.5e-5::DOUBLE", "DOUBLE"},
    {"-1.25e-100::DOUBLE", "DOUBLE"},
    {"1e100::DOUBLE", "DOUBLE"},
    {"5e-324::DOUBLE", "DOUBLE"},
    {"1.7976931348623157e308::DOUBLE", "DOUBLE"},
    {"(1 / 3)::DOUBLE", "DOUBLE"},
    {"9007199254740993::DOUBLE", "DOUBLE"},
    {"0.1::FLOAT", "FLOAT"},
    {"(1 / 3)::FLOAT", "FLOAT"},
    {"1e20::FLOAT", "FLOAT"},
    {"3.4e38::FLOAT", "FLOAT"},
    {"123456.7::FLOAT", "FLOAT"},
    {"123456789012::FLOAT", "FLOAT"},
    {"1e16::FLOAT", "FLOAT"},
    {"0.00001::FLOAT", "FLOAT"},
    {"-0.0::FLOAT", "FLOAT"},
    {"'nan'::FLOAT", "FLOAT"},
    {"'-inf'::FLOAT", "FLOAT"},
    // FLOATs whose shortest digits tie or sit on the rounding edge: DuckDB writes more digits.
    {"2329973.75::FLOAT", "FLOAT"},
    {"276.265625::FLOAT", "FLOAT"},
    {"63251352::FLOAT", "FLOAT"},
    {"732923648::FLOAT", "FLOAT"},
    {"1916049536::FLOAT", "FLOAT"},
    {"3.4028235e38::FLOAT", "FLOAT"},
    {"1.4e-45::FLOAT", "FLOAT"},
    // Decimals of every storage width.
    {"1.5::DECIMAL(4,1)", "DECIMAL(4,1)"},
    {"(-0.05)::DECIMAL(4,2)", "DECIMAL(4,2)"},
    {"123.45::DECIMAL(9,2)", "DECIMAL(9,2)"},
    {"(-123.45)::DECIMAL(18,2)", "DECIMAL(18,2)"},
    {"1::DECIMAL(18,3)", "DECIMAL(18,3)"},
    {"(-12345678901234567890.123456)::DECIMAL(38,6)", "DECIMAL(38,6)"},
    {"99999999999999999999999999999999999999::DECIMAL(38,0)", "DECIMAL(38,0)"},
    {"(-0.00000000000000000000000000000000000001)::DECIMAL(38,38)", "DECIMAL(38,38)"},
    {"0::DECIMAL(10,0)", "DECIMAL(10,0)"},
    {"0::DECIMAL(3,1)", "DECIMAL(3,1)"},
    {"0.5::DECIMAL(1,1)", "DECIMAL(1,1)"},
    {"(-0.5)::DECIMAL(1,1)", "DECIMAL(1,1)"},
    {"0::DECIMAL(2,2)", "DECIMAL(2,2)"},
    {"0.05::DECIMAL(2,2)", "DECIMAL(2,2)"},
    {"5::DECIMAL(1,0)", "DECIMAL(1,0)"},
    {"1.5", "DECIMAL(2,1)"},
    // Strings and bytes.
    {"'hello'", "VARCHAR"},
    {"''", "VARCHAR"},
    {"'exactly twelve'", "VARCHAR"},
    {"'a string longer than twelve bytes, kept out of line'", "VARCHAR"},
    {"'a' || chr(0) || 'b'", "VARCHAR"},
    {"'héllo wörld Ω 😀'", "VARCHAR"},
    {"'it''s'", "VARCHAR"},
    {"'{\"a\": 1}'::JSON", "JSON"},
    {R"('\x00\xFF abc'::BLOB)", "BLOB"},
    {R"('\x5C\x27\x22\x7F\x1F\x20\x7E'::BLOB)", "BLOB"},
    {"''::BLOB", "BLOB"},
    {"'a longer blob that does not fit inline'::BLOB", "BLOB"},
    {"'101'::BIT", "BIT"},
    {"'1'::BIT", "BIT"},
    {"'0000000011'::BIT", "BIT"},
    {"'1111111100000000'::BIT", "BIT"},
    {"'00000000-0000-0000-0000-000000000000'::UUID", "UUID"},
    {"'ffffffff-ffff-ffff-ffff-ffffffffffff'::UUID", "UUID"},
    {"'12345678-1234-5678-9abc-def012345678'::UUID", "UUID"},
    {"'7fffffff-ffff-ffff-8000-000000000000'::UUID", "UUID"},
    {"'80000000-0000-0000-0000-000000000001'::UUID", "UUID"},
    // Dates and times.
    {"'1992-09-20'::DATE", "DATE"},
    {"'1970-01-01'::DATE", "DATE"},
    {"'1969-12-31'::DATE", "DATE"},
    {"'2000-02-29'::DATE", "DATE"},
    {"'0001-01-01'::DATE", "DATE"},
    {"'0000-01-01'::DATE", "DATE"},
    {"'-0001-01-01'::DATE", "DATE"},
    {"'0044-03-15 (BC)'::DATE", "DATE"},
    {"'5877642-06-25 (BC)'::DATE", "DATE"},
    {"'5881580-07-10'::DATE", "DATE"},
    {"'99999-01-01'::DATE", "DATE"},
    {"'infinity'::DATE", "DATE"},
    {"'-infinity'::DATE", "DATE"},
    {"'12:34:56.789'::TIME", "TIME"},
    {"'00:00:00'::TIME", "TIME"},
    {"'24:00:00'::TIME", "TIME"},
    {"'23:59:59.000001'::TIME", "TIME"},
    {"'12:34:56.1'::TIME", "TIME"},
    {"'12:34:56+05:30'::TIMETZ", "TIME WITH TIME ZONE"},
    {"'12:34:56.5-08'::TIMETZ", "TIME WITH TIME ZONE"},
    {"'12:34:56+00'::TIMETZ", "TIME WITH TIME ZONE"},
    {"'12:34:56+05:30:15'::TIMETZ", "TIME WITH TIME ZONE"},
    {"'12:34:56-00:00:01'::TIMETZ", "TIME WITH TIME ZONE"},
    {"'12:34:56-01:00:30'::TIMETZ", "TIME WITH TIME ZONE"},
    {"'24:00:00-15:59:59'::TIMETZ", "TIME WITH TIME ZONE"},
    {"'00:00:00+15:59:59'::TIMETZ", "TIME WITH TIME ZONE"},
    {"'1992-09-20 11:30:00.123456'::TIMESTAMP", "TIMESTAMP"},
    {"'1992-09-20 11:30:00'::TIMESTAMP", "TIMESTAMP"},
    {"'1969-12-31 23:59:59.999999'::TIMESTAMP", "TIMESTAMP"},
    {"'-0044-03-15 12:00:00'::TIMESTAMP", "TIMESTAMP"},
    {"'290309-12-22 (BC) 00:00:00'::TIMESTAMP", "TIMESTAMP"},
    {"'294247-01-10 04:00:54.775806'::TIMESTAMP", "TIMESTAMP"},
    {"'infinity'::TIMESTAMP", "TIMESTAMP"},
    {"'-infinity'::TIMESTAMP", "TIMESTAMP"},
    {"'1992-09-20 11:30:00.5'::TIMESTAMP_S", "TIMESTAMP_S"},
    {"'1900-01-01 00:00:01'::TIMESTAMP_S", "TIMESTAMP_S"},
    {"'infinity'::TIMESTAMP_S", "TIMESTAMP_S"},
    {"'1992-09-20 11:30:00.5'::TIMESTAMP_MS", "TIMESTAMP_MS"},
    {"'1969-12-31 23:59:59.999'::TIMESTAMP_MS", "TIMESTAMP_MS"},
    {"'-infinity'::TIMESTAMP_MS", "TIMESTAMP_MS"},
    {"'1992-09-20 11:30:00.123456789'::TIMESTAMP_NS", "TIMESTAMP_NS"},
    {"'1992-09-20 11:30:00.100000000'::TIMESTAMP_NS", "TIMESTAMP_NS"},
    {"'1969-12-31 23:59:59.999999999'::TIMESTAMP_NS", "TIMESTAMP_NS"},
    {"'1677-09-22 00:00:00'::TIMESTAMP_NS", "TIMESTAMP_NS"},
    {"'infinity'::TIMESTAMP_NS", "TIMESTAMP_NS"},
    {"'1992-09-20 11:30:00.123'::TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE"},
    {"'1992-09-20 11:30:00+05'::TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE"},
    {"'1969-12-31 23:59:59.999999+00'::TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE"},
    {"'0045-03-15 (BC) 12:00:00.123456+00'::TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE"},
    {"'infinity'::TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE"},
    {"'-infinity'::TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE"},
    {"INTERVAL '1 year 2 months 3 days 04:05:06.789'", "INTERVAL"},
    {"INTERVAL '0 seconds'", "INTERVAL"},
    {"INTERVAL '-1 year'", "INTERVAL"},
    {"INTERVAL '14 months'", "INTERVAL"},
    {"INTERVAL '1 month -1 day'", "INTERVAL"},
    {"INTERVAL '-1 second'", "INTERVAL"},
    {"INTERVAL '-04:05:06.5'", "INTERVAL"},
    {"INTERVAL '100 hours'", "INTERVAL"},
    {"INTERVAL '1 day'", "INTERVAL"},
    {"INTERVAL '1 microsecond'", "INTERVAL"},
    {"INTERVAL '3 days -00:00:01'", "INTERVAL"},
    {"to_months(-13)", "INTERVAL"},
    {"to_days(-1)", "INTERVAL"},
    {"to_days(-2)", "INTERVAL"},
    {"to_months(2147483647)", "INTERVAL"},
    {"to_months(-2147483647 - 1)", "INTERVAL"},
    {"to_microseconds(9223372036854775807)", "INTERVAL"},
    {"to_microseconds(-9223372036854775807 - 1)", "INTERVAL"},
    // Enums.
    {"'b'::ENUM('a', 'b')", "ENUM('a', 'b')"},
    {"'it''s'::ENUM('it''s', 'b\\c', '')", "ENUM('it''s', 'b\\c', '')"},
    {"['so so', 'a,b', '']::ENUM('so so', 'a,b', '')[]", "ENUM('so so', 'a,b', '')[]"},
    // Lists and arrays.
    {"[1, 2, NULL]", "INTEGER[]"},
    {"[]::INTEGER[]", "INTEGER[]"},
    {"[NULL]", "INTEGER[]"},
    {"[[1, 2], [3], [], NULL]", "INTEGER[][]"},
    {"['a', 'b c', NULL, '', 'it''s', 'x,y', '[z]', 'NULL', 'null', 'Null', 'NULLx']", "VARCHAR[]"},
    {R"(['a"b', 'e\f', 'a\b(', ' lead', 'trail ', 'a=b', 'p:q', '{g}', '(h)', 'é', 'Ω'])",
     "VARCHAR[]"},
    {"[chr(9) || 'x', 'x' || chr(10), 'x' || chr(13), chr(11), chr(12) || 'y', chr(0)]",
     "VARCHAR[]"},
    {"[1.5::DOUBLE, 0.1, 'nan', '-inf', -0.0]", "DOUBLE[]"},
    {"[1.5::DECIMAL(3,1), NULL]", "DECIMAL(3,1)[]"},
    {"['1992-01-01'::DATE, '0045-03-15 (BC)', 'infinity']", "DATE[]"},
    {"[INTERVAL '1 day', INTERVAL '-1 second']", "INTERVAL[]"},
    {"[true, false, NULL]", "BOOLEAN[]"},
    {R"(['\xAA'::BLOB, 'a,b'::BLOB, ''::BLOB, 'NULL'::BLOB])", "BLOB[]"},
    {"['101'::BIT, NULL]", "BIT[]"},
    {"['12345678-1234-5678-9abc-def012345678'::UUID]", "UUID[]"},
    {"['12:34:56+05:30'::TIMETZ]", "TIME WITH TIME ZONE[]"},
    {"['1992-09-20 11:30:00'::TIMESTAMPTZ]", "TIMESTAMP WITH TIME ZONE[]"},
    {R"(['"x"'::JSON, 'null'::JSON, '[1,2]'::JSON, ' 1'::JSON, NULL])", "JSON[]"},
    {"[1, 2, 3]::INTEGER[3]", "INTEGER[3]"},
    {"['a,b', '', NULL]::VARCHAR[3]", "VARCHAR[3]"},
    {"[[1, 2]::INTEGER[2], NULL]", "INTEGER[2][]"},
    {"[[1, 2], [3, 4], [5, 6]]::INTEGER[2][3]", "INTEGER[2][3]"},
    {"[[1], [2, 3]]::INTEGER[][2]", "INTEGER[][2]"},
    {"NULL::INTEGER[3]", "INTEGER[3]"},
    // Structs.
    {"{'a': 1, 'b': 'text'}", "STRUCT(a INTEGER, b VARCHAR)"},
    {"{'a': 1, 'b': 'x y', 'c': [1, 2], 'd': 'x,y', 'e': '', 'f': NULL::VARCHAR}",
     "STRUCT(a INTEGER, b VARCHAR, c INTEGER[], d VARCHAR, e VARCHAR, f VARCHAR)"},
    {"{'s': {'t': 'u'}, 'l': [{'a': 'x'}]}", "STRUCT(s STRUCT(t VARCHAR), l STRUCT(a VARCHAR)[])"},
    {R"(struct_pack("it's" := 1, "x\y" := 2, " " := 3, "a,b" := 4, "NULL" := 5, "q""r" := 6))",
     R"(STRUCT("it's" INTEGER, "x\y" INTEGER, " " INTEGER, "a,b" INTEGER, "NULL" INTEGER, "q""r" INTEGER))"},
    {R"(struct_pack("A" := 1, "select" := 2, "1a" := 3, _x := 4, "name" := 5, "Type" := 6, "é" := 7, "a-b" := 8, x1 := 9, "_" := 10))",
     R"(STRUCT(A INTEGER, "select" INTEGER, "1a" INTEGER, _x INTEGER, "name" INTEGER, "Type" INTEGER, "é" INTEGER, "a-b" INTEGER, x1 INTEGER, _ INTEGER))"},
    {"row(1, 'a,b', '', NULL, 'x')", "STRUCT(INTEGER, VARCHAR, VARCHAR, INTEGER, VARCHAR)"},
    {"[row(1, 'x')]", "STRUCT(INTEGER, VARCHAR)[]"},
    {R"({'b': '"s"'::JSON, 'c': NULL::JSON})", "STRUCT(b JSON, c JSON)"},
    {R"({'x': '\x00'::BLOB, 'd': '0045-03-15 (BC)'::DATE, 'i': INTERVAL ' 1 day'})",
     "STRUCT(x BLOB, d DATE, i INTERVAL)"},
    {"NULL::STRUCT(a INTEGER)", "STRUCT(a INTEGER)"},
    {"{'a': NULL::INTEGER}", "STRUCT(a INTEGER)"},
    // Maps.
    {"MAP {'k': 1, 'v': NULL}", "MAP(VARCHAR, INTEGER)"},
    {"MAP {'a b': 'x y', 'c': '', 'a=b': 'c=d', 'e,f': '{g}'}", "MAP(VARCHAR, VARCHAR)"},
    {"MAP {1: [1, 2]}", "MAP(INTEGER, INTEGER[])"},
    {"MAP {}::MAP(VARCHAR, INTEGER)", "MAP(VARCHAR, INTEGER)"},
    {"MAP {['a,b']: {'c': 'd,e'}}", "MAP(VARCHAR[], STRUCT(c VARCHAR))"},
    {R"(MAP {'k,1': '{"z":  2}'::JSON})", "MAP(VARCHAR, JSON)"},
    {"[MAP {'a': 'b'}, NULL]", "MAP(VARCHAR, VARCHAR)[]"},
    // Unions: the member's value, never quoted.
    {"union_value(num := 2)", "UNION(num INTEGER)"},
    {"union_value(str := 'a b')", "UNION(str VARCHAR)"},
    {"[union_value(str := 'a,b')]", "UNION(str VARCHAR)[]"},
    {"MAP {'a': union_value(s := 'x,y')}", "MAP(VARCHAR, UNION(s VARCHAR))"},
    {"[union_value(s := {'a': 'b,c'})]", "UNION(s STRUCT(a VARCHAR))[]"},
    {"union_value(a := [1, 2])", "UNION(a INTEGER[])"},
    {R"('x'::UNION(n INTEGER, "b c" VARCHAR))", R"(UNION(n INTEGER, "b c" VARCHAR))"},
    {R"(42::UNION(n INTEGER, "b c" VARCHAR))", R"(UNION(n INTEGER, "b c" VARCHAR))"},
    {"NULL::UNION(n INTEGER, s VARCHAR)", "UNION(n INTEGER, s VARCHAR)"},
};

class ValueTextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto database = Database::Open("");
    ASSERT_TRUE(database.ok()) << database.status().ToString();
    auto connection = Connection::Open(*database);
    ASSERT_TRUE(connection.ok()) << connection.status().ToString();
    connection_.emplace(std::move(*connection));
    // TIMESTAMP WITH TIME ZONE is rendered in UTC; DuckDB's cast uses the session's zone.
    ASSERT_TRUE(connection_->Execute("SET TimeZone = 'UTC'").ok());
  }

  Result<TextTable> Query(const std::string& sql) { return connection_->Query(sql); }

  std::optional<Connection> connection_;
};

TEST_F(ValueTextTest, RendersEveryTypeAsDuckDBCastsItToVarchar) {
  for (const Case& c : kCases) {
    std::string sql =
        std::string("SELECT v, CAST(v AS VARCHAR) AS s FROM (SELECT ") + c.expr + " AS v)";
    auto table = Query(sql);
    ASSERT_TRUE(table.ok()) << c.expr << ": " << table.status().ToString();
    ASSERT_EQ(table->rows.size(), 1u) << c.expr;
    EXPECT_EQ(table->rows[0][0], table->rows[0][1]) << c.expr;
    EXPECT_EQ(table->columns[0].type, c.type) << c.expr;
  }
}

// Every row of `sql`'s result: the first column, rendered, equals the second (DuckDB's cast).
void ExpectColumnsAgree(Connection& connection, const std::string& sql) {
  auto table = connection.Query(sql);
  ASSERT_TRUE(table.ok()) << sql << ": " << table.status().ToString();
  for (size_t i = 0; i < table->rows.size(); ++i) {
    ASSERT_EQ(table->rows[i][0], table->rows[i][1]) << sql << ", row " << i;
  }
}

TEST_F(ValueTextTest, AgreesWithDuckDBOnGeneratedValues) {
  const char* queries[] = {
      // Doubles and floats across many magnitudes, signs and digit counts.
      "SELECT v, v::VARCHAR FROM (SELECT (i * 7919 % 100003) * pow(10, i % 45 - 22) * "
      "(CASE WHEN i % 2 = 0 THEN 1 ELSE -1 END) AS v FROM range(3000) t(i))",
      "SELECT v, v::VARCHAR FROM (SELECT ((i * 7919 % 100003) * pow(10, i % 30 - 15))::FLOAT AS "
      "v FROM range(3000) t(i))",
      "SELECT v, v::VARCHAR FROM (SELECT 1 / (i + 1)::DOUBLE AS v FROM range(2500) t(i))",
      // FLOATs spread over every binade, subnormals included: 2^23..2^24 times a power of two.
      "SELECT v, v::VARCHAR FROM (SELECT ((8388608 + i * 1048583 % 8388608) * "
      "pow(2, i % 277 - 172))::FLOAT AS v FROM range(20000) t(i))",
      // Dates and timestamps on both sides of the epoch and of year 0.
      "SELECT v, v::VARCHAR FROM (SELECT DATE '1970-01-01' + (i * 86413 - 100000000)::INTEGER "
      "AS v FROM range(2500) t(i))",
      "SELECT v, v::VARCHAR FROM (SELECT make_timestamp((i * 7777777777777 - 9000000000000000)) "
      "AS v FROM range(2500) t(i))",
      "SELECT v, v::VARCHAR FROM (SELECT epoch_ns(TIMESTAMP '2000-01-01') AS v)",
      "SELECT v, v::VARCHAR FROM (SELECT make_timestamp_ns(i * 777777777777777 - "
      "900000000000000000) AS v FROM range(2500) t(i))",
      // Decimals of each width, with NULLs between.
      "SELECT v, v::VARCHAR FROM (SELECT CASE WHEN i % 5 = 0 THEN NULL ELSE "
      "((i - 1250) * 0.37)::DECIMAL(9,3) END AS v FROM range(2500) t(i))",
      "SELECT v, v::VARCHAR FROM (SELECT ((i - 1250) * 12345678901.123)::DECIMAL(38,10) AS v "
      "FROM range(2500) t(i))",
      "SELECT v, v::VARCHAR FROM (SELECT ((i - 1250)::HUGEINT * 1000000007 * 1000000009 * "
      "(i % 1000000021))::BIGNUM * (i - 1250)::BIGNUM AS v FROM range(2500) t(i))",
      "SELECT v, v::VARCHAR FROM (SELECT to_microseconds((i - 1250) * 987654321987) + "
      "to_days((i % 70)::INTEGER - 35) + to_months((i % 30)::INTEGER - 15) AS v "
      "FROM range(2500) t(i))",
  };
  for (const char* sql : queries)
    ExpectColumnsAgree(*connection_, sql);
}

TEST_F(ValueTextTest, ReadsEveryChunkOfALongResult) {
  auto table = Query(
      "SELECT i, [i, NULL], 'row ' || i || ' of a string long enough not to be inlined' "
      "FROM range(5000) t(i) ORDER BY i");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  ASSERT_EQ(table->rows.size(), 5000u);
  for (size_t i = 0; i < table->rows.size(); ++i) {
    const auto& row = table->rows[i];
    ASSERT_EQ(row[0], std::to_string(i));
    ASSERT_EQ(row[1], "[" + std::to_string(i) + ", NULL]");
    ASSERT_EQ(row[2], "row " + std::to_string(i) + " of a string long enough not to be inlined");
  }
  ExpectColumnsAgree(*connection_,
                     "SELECT l, l::VARCHAR FROM (SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE "
                     "[i::VARCHAR, NULL, 'x,' || i] END AS l FROM range(6000) t(i))");
}

TEST_F(ValueTextTest, QueryStopsAtMaxRows) {
  auto table = connection_->Query("SELECT i FROM range(10000) t(i) ORDER BY i", 2500);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  ASSERT_EQ(table->rows.size(), 2500u);
  EXPECT_EQ(table->rows.front()[0], "0");
  EXPECT_EQ(table->rows.back()[0], "2499");
  auto none = connection_->Query("SELECT i FROM range(10) t(i)", 0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->rows.empty());
  ASSERT_EQ(none->columns.size(), 1u);
  EXPECT_EQ(none->columns[0].name, "i");
  EXPECT_EQ(connection_->QueryValue("SELECT NULL").value(), std::nullopt);
  EXPECT_EQ(connection_->QueryInt("SELECT count(*) FROM range(4097)").value(), 4097);
}

TEST_F(ValueTextTest, ColumnsSayWhichTypesAreNumbers) {
  auto table = Query(
      "SELECT 1::TINYINT, 1::UBIGINT, 1::HUGEINT, 1::UHUGEINT, 1.5::FLOAT, 1.5::DOUBLE, "
      "1.5::DECIMAL(4,1), 1::BIGNUM, 'x', DATE '2000-01-01', INTERVAL '1 day', [1], true");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  std::vector<bool> numeric;
  for (const Column& column : table->columns)
    numeric.push_back(column.numeric);
  EXPECT_EQ(numeric, (std::vector<bool>{true, true, true, true, true, true, true, true, false,
                                        false, false, false, false}));
}

// Field names DuckDB treats as keywords are quoted in type names; the list is DuckDB's own.
TEST_F(ValueTextTest, QuotesEveryKeywordFieldName) {
  auto keywords = Query("SELECT keyword_name FROM duckdb_keywords()");
  ASSERT_TRUE(keywords.ok()) << keywords.status().ToString();
  ASSERT_GT(keywords->rows.size(), 400u);
  duckdb_logical_type integer = duckdb_create_logical_type(DUCKDB_TYPE_INTEGER);
  for (const auto& row : keywords->rows) {
    const char* name = row[0]->c_str();
    duckdb_logical_type type = duckdb_create_struct_type(&integer, &name, 1);
    EXPECT_EQ(TypeName(type), "STRUCT(\"" + *row[0] + "\" INTEGER)");
    duckdb_destroy_logical_type(&type);
  }
  duckdb_destroy_logical_type(&integer);
}

TEST_F(ValueTextTest, NamesTypesBuiltThroughTheCApi) {
  duckdb_logical_type varchar = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
  duckdb_logical_type list = duckdb_create_list_type(varchar);
  duckdb_logical_type array = duckdb_create_array_type(list, 4);
  duckdb_logical_type map = duckdb_create_map_type(varchar, array);
  EXPECT_EQ(TypeName(map), "MAP(VARCHAR, VARCHAR[][4])");
  duckdb_logical_type json = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
  duckdb_logical_type_set_alias(json, "JSON");
  EXPECT_EQ(TypeName(json), "JSON");
  duckdb_logical_type invalid = duckdb_create_logical_type(DUCKDB_TYPE_INVALID);
  EXPECT_EQ(TypeName(invalid), "INVALID");
  EXPECT_FALSE(IsNumeric(invalid));
  for (duckdb_logical_type* type : {&varchar, &list, &array, &map, &json, &invalid}) {
    duckdb_destroy_logical_type(type);
  }
}

// Types the C API does not describe (VARIANT, TIME_NS in 1.4) come back as a placeholder.
TEST_F(ValueTextTest, MarksTypesItCannotRead) {
  auto table = Query("SELECT 1::VARIANT AS v");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->columns[0].type, "INVALID");
  EXPECT_EQ(table->rows[0][0], "<unsupported INVALID>");
}

}  // namespace
}  // namespace sluice::duckdb
