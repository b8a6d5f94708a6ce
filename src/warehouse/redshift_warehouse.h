// The Redshift warehouse: the PostgreSQL protocol (and PgWarehouse's load transaction) with
// Redshift's types, and rows that come from the lake: each of the source's lake CSV objects is
// loaded by Redshift itself with COPY ... FROM 's3://…' IAM_ROLE … (see redshift_sql.h). How the
// rows get in is a seam, RedshiftBulkCopy, so tests can run the whole load against PostgreSQL
// with COPY ... FROM STDIN of the same files in place of the S3 COPY.
#pragma once

#include <memory>
#include <string>

#include "sluice/warehouse/warehouse.h"
#include "warehouse/pg_connection.h"
#include "warehouse/redshift_sql.h"

namespace sluice::warehouse {

class RedshiftBulkCopy {
 public:
  virtual ~RedshiftBulkCopy() = default;
  // Loads `copy.uris` into `copy.table` inside the open transaction.
  virtual Status Copy(PgConnection& connection, const RedshiftCopy& copy) = 0;
};

// Runs RedshiftCopyStatements one by one.
std::unique_ptr<RedshiftBulkCopy> MakeS3BulkCopy();

struct RedshiftTarget {
  std::string conninfo;  // the postgresql:// URI libpq connects with
  std::string display;   // the redshift:// URL without its password
  std::string iam_role;
  std::string region;
};

std::unique_ptr<Warehouse> MakeRedshiftWarehouse(RedshiftTarget target,
                                                 std::unique_ptr<RedshiftBulkCopy> bulk_copy);

}  // namespace sluice::warehouse
