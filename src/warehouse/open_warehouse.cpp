// OpenWarehouse: the URL's scheme picks the implementation. Nothing is contacted here: a
// PostgreSQL or Redshift server is connected to on first use, a DuckDB file created on the first
// load.
#include <filesystem>

#include "sluice/warehouse/warehouse.h"
#include "warehouse/duckdb_warehouse.h"
#include "warehouse/postgres_warehouse.h"
#include "warehouse/redshift_warehouse.h"
#include "warehouse/warehouse_url.h"

namespace sluice::warehouse {

Result<LoadMode> ParseLoadMode(std::string_view text) {
  if (text == "append") return LoadMode::kAppend;
  if (text == "replace") return LoadMode::kReplace;
  if (text == "merge") return LoadMode::kMerge;
  return Status::InvalidArgument("unknown load mode \"" + std::string(text) +
                                 "\": expected append, replace or merge");
}

std::string_view LoadModeName(LoadMode mode) {
  switch (mode) {
    case LoadMode::kAppend:
      return "append";
    case LoadMode::kReplace:
      return "replace";
    case LoadMode::kMerge:
      return "merge";
  }
  return "append";
}

Result<std::unique_ptr<Warehouse>> OpenWarehouse(std::string_view url,
                                                 const WarehouseOptions& options) {
  SLUICE_ASSIGN_OR_RETURN(WarehouseUrl parsed, ParseWarehouseUrl(url));
  switch (parsed.kind) {
    case WarehouseKind::kDuckDb: {
      std::filesystem::path path = parsed.path;
      if (path.is_relative() && !options.base_dir.empty()) path = options.base_dir / path;
      return MakeDuckDbWarehouse(path.string(), parsed.display, options.lock_wait_ms);
    }
    case WarehouseKind::kPostgres:
      return MakePostgresWarehouse(parsed.conninfo, parsed.display);
    case WarehouseKind::kRedshift:
      return MakeRedshiftWarehouse(
          {parsed.conninfo, parsed.display, parsed.iam_role, parsed.region}, MakeS3BulkCopy());
  }
  return Status::Internal("unhandled warehouse kind");
}

}  // namespace sluice::warehouse
