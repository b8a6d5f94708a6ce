// Warehouses that speak the PostgreSQL protocol: PostgreSQL itself and Redshift. They share the
// connection, queries, table listing and the shape of a load (one transaction: claim the load
// id, create or check the table, copy the rows in, merge through a staging table); a
// PgDialect supplies what differs: column types and how rows reach the server.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sluice/warehouse/warehouse.h"
#include "warehouse/load_input.h"
#include "warehouse/pg_connection.h"

namespace sluice::warehouse {

// A load's rows, made ready before its transaction begins.
class PreparedRows {
 public:
  virtual ~PreparedRows() = default;
  virtual int64_t count() const = 0;
  // Copies the rows into `table` (quoted: the target or the staging table), naming `columns`
  // (the source's, in its order), inside the load's transaction.
  virtual Status CopyInto(PgConnection& connection, const std::string& table,
                          const std::vector<SourceColumn>& columns) = 0;
};

class PgDialect {
 public:
  virtual ~PgDialect() = default;
  // The warehouse's type for a source column, for CREATE TABLE; InvalidArgument naming the
  // column and its DuckDB type when there is none.
  virtual Result<std::string> ColumnType(const SourceColumn& column) const = 0;
  // Readies the source's rows (PostgreSQL: exports them as CSV; Redshift: checks the lake URIs).
  virtual Result<std::unique_ptr<PreparedRows>> PrepareRows(LoadSource& source,
                                                            const LoadInput& input) = 0;
  // The first statement of a load's transaction: makes loads into `table` wait for each other.
  virtual std::string SerializeLoadsSql(const TableName& table) const = 0;
  // INSERT ... ON CONFLICT exists (PostgreSQL), or a load id is looked up first (Redshift).
  virtual bool HasOnConflict() const = 0;
  // Warehouse::LoadsFromLake: the rows come from LoadSource::lake_csv_uris (Redshift).
  virtual bool LoadsFromLake() const = 0;
};

std::unique_ptr<Warehouse> MakePgWarehouse(std::string conninfo, std::string display,
                                           std::unique_ptr<PgDialect> dialect);

}  // namespace sluice::warehouse
