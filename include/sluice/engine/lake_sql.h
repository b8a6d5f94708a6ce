// Lake URIs in SQL text: `sluice sql --lake` lets a query name lake objects directly,
//
//   SELECT count(*) FROM read_csv('s3://lake/raw/orders/*.csv')
//   SELECT * FROM 's3://lake/results/daily.parquet'
//
// DuckDB cannot open s3:// URIs of the local lake, so before the query runs each such string
// literal is replaced by the local files that hold those objects. This file finds the literals:
// a string literal that is the first argument of a file-reading table function (read_csv,
// read_csv_auto, read_parquet, parquet_scan, read_json, read_json_auto, read_ndjson,
// read_ndjson_auto, read_json_objects, read_text, read_blob; matched case-insensitively), or an
// element of a list literal given as that argument, or a string literal right after FROM or JOIN
// (DuckDB's replacement scan on file names). Literals anywhere else, and text inside comments,
// quoted identifiers and dollar-quoted strings, are left alone.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/common/result.h"

namespace sluice::engine {

// Where a file-name literal stands: a reader's argument (`read_csv('…')`), or a table name
// (`FROM '…'`, where DuckDB picks the reader from the name's extension).
enum class LiteralPlace { kReaderArgument, kTableName };

// Called with a literal's value (quotes removed, '' unescaped) and its place. Returns the SQL
// text to put in place of the whole literal (quotes included), nullopt to keep the literal, or an
// error that aborts the rewrite.
using LiteralReplacer =
    std::function<Result<std::optional<std::string>>(std::string_view value, LiteralPlace place)>;

// Returns `sql` with the file-name literals described above replaced. An unterminated string,
// quoted identifier or block comment is an InvalidArgument naming its position (line:column).
Result<std::string> ReplaceFileLiterals(std::string_view sql, const LiteralReplacer& replace);

}  // namespace sluice::engine
