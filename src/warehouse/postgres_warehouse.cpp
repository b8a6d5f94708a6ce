#include "warehouse/postgres_warehouse.h"

#include <stdlib.h>

#include <filesystem>

#include "warehouse/pg_warehouse.h"
#include "warehouse/postgres_types.h"

namespace sluice::warehouse {
namespace {

namespace fs = std::filesystem;

// A folder of this process's own under the system's temporary folder, removed with it.
class ScratchDir {
 public:
  static Result<std::unique_ptr<ScratchDir>> Make() {
    std::error_code error;
    fs::path base = fs::temp_directory_path(error);
    if (error) return Status::IoError("no temporary folder: " + error.message());
    std::string pattern = (base / "sluice-pgload-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return ErrnoStatus("cannot create a folder in " + base.string(), errno);
    }
    return std::unique_ptr<ScratchDir>(new ScratchDir(pattern));
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  explicit ScratchDir(fs::path path) : path_(std::move(path)) {}
  fs::path path_;
};

// The rows as a CSV file DuckDB wrote.
class CsvFileRows final : public PreparedRows {
 public:
  CsvFileRows(std::unique_ptr<ScratchDir> dir, fs::path file, int64_t count)
      : dir_(std::move(dir)), file_(std::move(file)), count_(count) {}

  int64_t count() const override { return count_; }

  Status CopyInto(PgConnection& connection, const std::string& table,
                  const std::vector<SourceColumn>& columns) override {
    SLUICE_ASSIGN_OR_RETURN(
        int64_t copied,
        connection.CopyInFile(
            "COPY " + table + " (" + ColumnList(columns) + ") FROM STDIN (FORMAT csv)", file_));
    if (copied != count_) {
      return Status::Internal("PostgreSQL copied " + std::to_string(copied) + " of " +
                              std::to_string(count_) + " rows");
    }
    return Status::Ok();
  }

 private:
  std::unique_ptr<ScratchDir> dir_;
  fs::path file_;
  int64_t count_;
};

// A line holding only \. ends a CSV COPY: a one-column load quotes its values (NULLs stay
// unquoted, so they still read as NULL).
std::string QuoteLoneColumn(const LoadInput& input) {
  return input.columns.size() == 1 ? ", FORCE_QUOTE *" : "";
}

class PostgresDialect final : public PgDialect {
 public:
  Result<std::string> ColumnType(const SourceColumn& column) const override {
    return PostgresColumnType(column);
  }

  Result<std::unique_ptr<PreparedRows>> PrepareRows(LoadSource& source,
                                                    const LoadInput& input) override {
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<ScratchDir> dir, ScratchDir::Make());
    fs::path file = dir->path() / "rows.csv";
    std::string select;
    for (const SourceColumn& column : input.columns) {
      select += (select.empty() ? "" : ", ") + PostgresCsvExpression(column);
    }
    SLUICE_ASSIGN_OR_RETURN(
        int64_t count,
        source.connection->QueryInt("COPY (SELECT " + select + " FROM " + SourceSubquery(source) +
                                    " AS sluice_source) TO " + duckdb::QuoteLiteral(file.string()) +
                                    " (FORMAT csv, HEADER false" + QuoteLoneColumn(input) + ")"));
    return std::unique_ptr<PreparedRows>(new CsvFileRows(std::move(dir), file, count));
  }

  std::string SerializeLoadsSql(const TableName& table) const override {
    return "SELECT pg_advisory_xact_lock(hashtext(" +
           duckdb::QuoteLiteral("sluice load " + table.Display()) + "))";
  }

  bool HasOnConflict() const override { return true; }

  bool LoadsFromLake() const override { return false; }
};

}  // namespace

std::unique_ptr<Warehouse> MakePostgresWarehouse(std::string conninfo, std::string display) {
  return MakePgWarehouse(std::move(conninfo), std::move(display),
                         std::make_unique<PostgresDialect>());
}

}  // namespace sluice::warehouse
