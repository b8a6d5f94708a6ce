// The PostgreSQL warehouse. A load has DuckDB write the rows as CSV into a private temporary
// folder (in parallel, converting each column to text PostgreSQL reads back exactly; see
// postgres_types.h), then streams the file to COPY ... FROM STDIN (FORMAT csv) in 1 MiB chunks
// inside the load's transaction. The connection is made on first use and again after the server
// drops it.
#pragma once

#include <memory>
#include <string>

#include "sluice/warehouse/warehouse.h"

namespace sluice::warehouse {

// `conninfo`: what libpq connects with; `display`: the URL without its password.
std::unique_ptr<Warehouse> MakePostgresWarehouse(std::string conninfo, std::string display);

}  // namespace sluice::warehouse
