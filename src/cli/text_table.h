// How query results print: an aligned table for people (numbers right-aligned, NULL as "NULL"),
// CSV (RFC 4180; NULL as an empty field) or JSON (an array of objects; numbers as numbers).
#pragma once

#include <string_view>

#include "sluice/common/result.h"
#include "sluice/duckdb/database.h"

namespace sluice::cli {

enum class TableFormat { kTable, kCsv, kJson };
Result<TableFormat> ParseTableFormat(std::string_view text);  // table | csv | json

void PrintTextTable(const duckdb::TextTable& table, TableFormat format);

}  // namespace sluice::cli
