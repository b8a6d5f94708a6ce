// The embedded warehouse: a DuckDB database file. A load attaches the file to the source's own
// DuckDB connection, so rows go from the step's result to the warehouse without leaving DuckDB,
// and detaches it afterwards; queries open the file read-only. Either waits (up to
// WarehouseOptions::lock_wait_ms) while another process holds the file.
#pragma once

#include <memory>
#include <string>

#include "sluice/warehouse/warehouse.h"

namespace sluice::warehouse {

// `path`: the database file (created on the first load, with its folder); `display`: the URL.
std::unique_ptr<Warehouse> MakeDuckDbWarehouse(std::string path, std::string display,
                                               int lock_wait_ms);

}  // namespace sluice::warehouse
