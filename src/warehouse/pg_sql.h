// The SQL a load into PostgreSQL or Redshift runs, as pure functions so tests can read it. Both
// servers accept every statement here (Redshift lacks ON CONFLICT, hence the flag). Names are
// always quoted; literals always escaped.
//
// A load is one transaction:
//   SerializeLoads (dialect)  ClaimLoad / LoadRecorded   TableColumns
//   replace: DROP TABLE IF EXISTS, CreateTable, copy into the table
//   append:  CreateTable when missing, copy into the table
//   merge:   CreateTable when missing, CreateStage, copy into the stage, MergeDelete, MergeInsert,
//            DROP TABLE sluice_stage
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sluice/warehouse/warehouse.h"
#include "warehouse/load_input.h"

namespace sluice::warehouse {

inline constexpr std::string_view kStageTable = "sluice_stage";

// The exactly-once bookkeeping table; load ids are at most 512 characters.
std::string CreateLoadsTableSql();
// Records the load; with `on_conflict` (PostgreSQL) a load id already recorded inserts nothing
// (the statement reports 0 rows), and a concurrent load with the same id waits for this one.
std::string ClaimLoadSql(const LoadRequest& request, int64_t rows, bool on_conflict);
// One row, one column: how many times the load id was recorded (0 or 1).
std::string LoadRecordedSql(const std::string& load_id);

// The existing table's columns in order; no rows when there is no such table. An unqualified
// name is looked up in current_schema().
std::string TableColumnsSql(const TableName& table);

// CREATE TABLE with the columns' warehouse types: pairs of (name, type).
std::string CreateTableSql(const TableName& table,
                           const std::vector<std::pair<std::string, std::string>>& columns);
// The merge's staging table: the target's types for the source's columns, no rows.
std::string CreateStageSql(const TableName& table, const std::vector<SourceColumn>& columns);
// Deletes the target rows whose keys match a staged row.
std::string MergeDeleteSql(const TableName& table, const std::vector<std::string>& keys);
// Inserts every staged row.
std::string MergeInsertSql(const TableName& table, const std::vector<SourceColumn>& columns);
std::string DropStageSql();

// Base tables outside the system schemas, by schema then name, sluice_loads left out.
std::string ListTablesSql();

}  // namespace sluice::warehouse
