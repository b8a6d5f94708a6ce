// Warehouse URLs taken apart: which kind of warehouse, where, and the text that may be shown.
//
//   duckdb://PATH                   a file; relative to the data dir unless PATH starts with '/'
//   postgresql://… and postgres://  handed to libpq as written (libpq parses its own URIs)
//   redshift://USER:PASS@HOST[:PORT]/DB?iam_role=ARN[&region=R][&libpq parameters]
//                                   rewritten as a postgresql:// URI (port 5439 by default)
//                                   without sluice's own iam_role and region parameters
//
// Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>

#include "sluice/common/result.h"

namespace sluice::warehouse {

enum class WarehouseKind { kDuckDb, kPostgres, kRedshift };

struct WarehouseUrl {
  WarehouseKind kind = WarehouseKind::kDuckDb;
  std::string display;   // the URL with its password replaced by "***"
  std::string path;      // kDuckDb: the file, as written (relative or absolute)
  std::string conninfo;  // kPostgres, kRedshift: the URI given to libpq
  std::string iam_role;  // kRedshift: the role COPY assumes to read the lake
  std::string region;    // kRedshift: the lake bucket's region; empty: the cluster's own
};

// A malformed URL or an unknown scheme is InvalidArgument naming the (redacted) URL.
Result<WarehouseUrl> ParseWarehouseUrl(std::string_view url);

// `url` with the password of its user info and any `password=` query parameter as "***".
std::string RedactUrl(std::string_view url);

}  // namespace sluice::warehouse
