// DuckDB → PostgreSQL: the column type a new table gets for each DuckDB type, and the DuckDB
// expression that writes a value as text PostgreSQL's COPY (FORMAT csv) reads back unchanged.
//
//   BOOLEAN → boolean            TINYINT, SMALLINT, UTINYINT → smallint
//   INTEGER, USMALLINT → integer  BIGINT, UINTEGER → bigint
//   UBIGINT, HUGEINT, UHUGEINT → numeric                FLOAT → real   DOUBLE → double precision
//   DECIMAL(p,s) → numeric(p,s)  VARCHAR, ENUM → text   DATE → date    TIME → time
//   TIME WITH TIME ZONE → timetz
//   TIMESTAMP, TIMESTAMP_S/_MS/_NS → timestamp   TIMESTAMP WITH TIME ZONE → timestamptz
//   INTERVAL → interval           UUID → uuid           BLOB → bytea (written as \x + hex)
//   LIST, ARRAY, STRUCT, MAP, UNION, JSON → jsonb (written with to_json)
//   anything else (BIT, BIGNUM, ...) → an error naming the column and its type
//
// Pure functions; any thread.
#pragma once

#include <string>

#include "sluice/common/result.h"
#include "warehouse/load_input.h"

namespace sluice::warehouse {

Result<std::string> PostgresColumnType(const SourceColumn& column);

// A DuckDB SELECT-list expression for the column's CSV text.
std::string PostgresCsvExpression(const SourceColumn& column);

}  // namespace sluice::warehouse
