#include "warehouse/redshift_warehouse.h"

#include "warehouse/pg_warehouse.h"

namespace sluice::warehouse {
namespace {

class S3BulkCopy final : public RedshiftBulkCopy {
 public:
  Status Copy(PgConnection& connection, const RedshiftCopy& copy) override {
    for (const std::string& statement : RedshiftCopyStatements(copy)) {
      SLUICE_RETURN_IF_ERROR(connection.Execute(statement));
    }
    return Status::Ok();
  }
};

// The rows as lake objects; Redshift reads them itself.
class LakeRows final : public PreparedRows {
 public:
  LakeRows(RedshiftBulkCopy& bulk_copy, const RedshiftTarget& target, std::vector<std::string> uris,
           int64_t count)
      : bulk_copy_(bulk_copy), target_(target), uris_(std::move(uris)), count_(count) {}

  int64_t count() const override { return count_; }

  Status CopyInto(PgConnection& connection, const std::string& table,
                  const std::vector<SourceColumn>& columns) override {
    RedshiftCopy copy{table, {}, uris_, target_.iam_role, target_.region};
    for (const SourceColumn& column : columns)
      copy.columns.push_back(column.name);
    return bulk_copy_.Copy(connection, copy);
  }

 private:
  RedshiftBulkCopy& bulk_copy_;
  const RedshiftTarget& target_;
  std::vector<std::string> uris_;
  int64_t count_;
};

class RedshiftDialect final : public PgDialect {
 public:
  RedshiftDialect(RedshiftTarget target, std::unique_ptr<RedshiftBulkCopy> bulk_copy)
      : target_(std::move(target)), bulk_copy_(std::move(bulk_copy)) {}

  Result<std::string> ColumnType(const SourceColumn& column) const override {
    return RedshiftColumnType(column);
  }

  Result<std::unique_ptr<PreparedRows>> PrepareRows(LoadSource& source, const LoadInput&) override {
    if (source.lake_csv_uris.empty()) {
      return Status::InvalidArgument(
          "Redshift loads from the lake, and the source names no lake CSV objects");
    }
    for (const std::string& uri : source.lake_csv_uris) {
      if (uri.rfind("s3://", 0) != 0) {
        return Status::InvalidArgument("Redshift copies from s3:// URIs, not " + uri);
      }
    }
    SLUICE_ASSIGN_OR_RETURN(int64_t count, source.connection->QueryInt("SELECT count(*) FROM " +
                                                                       SourceSubquery(source)));
    return std::unique_ptr<PreparedRows>(
        new LakeRows(*bulk_copy_, target_, source.lake_csv_uris, count));
  }

  // Redshift runs transactions serializably and aborts one of two that conflict; an explicit
  // lock makes concurrent loads wait instead, and keeps two loads of one id from both running.
  std::string SerializeLoadsSql(const TableName&) const override { return "LOCK sluice_loads"; }

  bool HasOnConflict() const override { return false; }

  bool LoadsFromLake() const override { return true; }

 private:
  const RedshiftTarget target_;
  std::unique_ptr<RedshiftBulkCopy> bulk_copy_;
};

}  // namespace

std::unique_ptr<RedshiftBulkCopy> MakeS3BulkCopy() {
  return std::make_unique<S3BulkCopy>();
}

std::unique_ptr<Warehouse> MakeRedshiftWarehouse(RedshiftTarget target,
                                                 std::unique_ptr<RedshiftBulkCopy> bulk_copy) {
  std::string conninfo = target.conninfo, display = target.display;
  return MakePgWarehouse(
      std::move(conninfo), std::move(display),
      std::make_unique<RedshiftDialect>(std::move(target), std::move(bulk_copy)));
}

}  // namespace sluice::warehouse
