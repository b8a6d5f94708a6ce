// The Redshift-only SQL text, as pure functions so tests can read it: column types for new
// tables, and the COPY statements that bulk-load lake CSV objects.
//
//   BOOLEAN → BOOLEAN            TINYINT, SMALLINT, UTINYINT → SMALLINT
//   INTEGER, USMALLINT → INTEGER  BIGINT, UINTEGER → BIGINT      UBIGINT → DECIMAL(20,0)
//   HUGEINT, UHUGEINT → DECIMAL(38,0)  FLOAT → REAL  DOUBLE → DOUBLE PRECISION
//   DECIMAL(p,s) → DECIMAL(p,s)  VARCHAR, ENUM → VARCHAR(65535)  UUID → VARCHAR(36)
//   DATE → DATE   TIME → TIME   TIME WITH TIME ZONE → TIMETZ
//   TIMESTAMP, TIMESTAMP_S/_MS/_NS → TIMESTAMP   TIMESTAMP WITH TIME ZONE → TIMESTAMPTZ
//   BLOB → VARBYTE   LIST, ARRAY, STRUCT, MAP, UNION, JSON → SUPER
//   INTERVAL and anything else (BIT, BIGNUM, ...) → an error naming the column and its type
#pragma once

#include <string>
#include <vector>

#include "sluice/common/result.h"
#include "warehouse/load_input.h"

namespace sluice::warehouse {

Result<std::string> RedshiftColumnType(const SourceColumn& column);

// What one bulk load copies, and where to.
struct RedshiftCopy {
  std::string table;                 // quoted: the target or the staging table
  std::vector<std::string> columns;  // the source's column names, in the files' order
  std::vector<std::string> uris;     // s3:// CSV objects, each with a header line
  std::string iam_role;
  std::string region;  // empty: the cluster's region
};

// One COPY per object:
//   COPY "t" ("a", "b") FROM 's3://…' IAM_ROLE 'arn:…' FORMAT AS CSV IGNOREHEADER 1
//       DATEFORMAT 'auto' TIMEFORMAT 'auto' [REGION 'r']
std::vector<std::string> RedshiftCopyStatements(const RedshiftCopy& copy);

}  // namespace sluice::warehouse
