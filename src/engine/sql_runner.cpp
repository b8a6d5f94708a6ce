#include "sluice/engine/sql_runner.h"

#include <fcntl.h>

#include <algorithm>
#include <chrono>
#include <system_error>

#include "bad_rows.h"
#include "file_formats.h"
#include "rows_read.h"
#include "sluice/common/posix_file.h"
#include "sluice/lake/byte_sources.h"
#include "sluice/lake/s3_uri.h"

namespace sluice::engine {
namespace {

namespace fs = std::filesystem;
using duckdb::QuoteIdentifier;
using duckdb::QuoteLiteral;

constexpr const char* kQueryView = "sluice_query";
constexpr const char* kResultTable = "sluice_result";

// The work folder, emptied when the run ends however it ends.
class WorkFolder {
 public:
  explicit WorkFolder(fs::path path) : path_(std::move(path)) {}
  ~WorkFolder() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  Status Create() {
    std::error_code ec;
    fs::remove_all(path_, ec);  // what a killed run left
    fs::create_directories(path_ / "out", ec);
    if (ec) return Status::IoError("cannot make " + path_.string() + ": " + ec.message());
    return Status::Ok();
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Attaches a connection to the interrupter for as long as it lives.
class InterruptScope {
 public:
  InterruptScope(QueryInterrupter* interrupter, duckdb::Connection& connection)
      : interrupter_(interrupter) {
    if (interrupter_) interrupter_->Attach(&connection);
  }
  ~InterruptScope() {
    if (interrupter_) interrupter_->Attach(nullptr);
  }

 private:
  QueryInterrupter* interrupter_;
};

// The query must be one SELECT: anything else would run with the engine's rights, and its
// result could not be written out.
Status CheckIsOneSelect(duckdb::Connection& connection, const std::string& query) {
  duckdb_extracted_statements statements = nullptr;
  idx_t count = duckdb_extract_statements(connection.handle(), query.c_str(), &statements);
  Status status;
  if (count == 0) {
    const char* error = duckdb_extract_statements_error(statements);
    status = Status::InvalidArgument(error ? duckdb::OneLine(error) : "the query is empty");
  } else if (count > 1) {
    status = Status::InvalidArgument("the query must be one SELECT statement, not " +
                                     std::to_string(count) + " statements");
  } else {
    duckdb_prepared_statement prepared = nullptr;
    if (duckdb_prepare_extracted_statement(connection.handle(), statements, 0, &prepared) ==
        DuckDBError) {
      status = Status::InvalidArgument(duckdb::OneLine(duckdb_prepare_error(prepared)));
    } else if (duckdb_prepared_statement_type(prepared) != DUCKDB_STATEMENT_TYPE_SELECT) {
      status = Status::InvalidArgument("the query must be a SELECT statement");
    }
    duckdb_destroy_prepare(&prepared);
  }
  duckdb_destroy_extracted(&statements);
  return status;
}

struct OutputFile {
  std::string key;
  fs::path path;
};

// The files DuckDB wrote at `written` (one file, or a partitioned output's folder tree) and the
// keys they go to under `output`.
Result<std::vector<OutputFile>> OutputFiles(const OutputSpec& output, const fs::path& written) {
  SLUICE_ASSIGN_OR_RETURN(lake::S3Uri uri, lake::ParseS3Uri(output.uri));
  if (output.partition_by.empty()) return std::vector<OutputFile>{{uri.key, written}};
  const fs::path& folder = written;
  std::vector<OutputFile> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    files.push_back({uri.key + fs::relative(it->path(), folder).generic_string(), it->path()});
  }
  if (ec) return Status::IoError("cannot list " + folder.string() + ": " + ec.message());
  std::sort(files.begin(), files.end(),
            [](const OutputFile& a, const OutputFile& b) { return a.key < b.key; });
  return files;
}

class Run {
 public:
  Run(const SqlStep& step, const SqlRunContext& context)
      : step_(step), context_(context), work_(context.work_dir), files_(*context.lake) {}

  Result<SqlRunResult> Execute();

 private:
  Status OpenEngine();
  Status CreateInputViews();
  Status RunQuery();
  Status SetAsideBadRows();
  Status CommitOutputs();
  Status LoadAndCommit();
  Status CheckInterrupt() const {
    if (context_.interrupter && context_.interrupter->interrupted()) {
      return Status::FailedPrecondition("interrupted");
    }
    return Status::Ok();
  }
  // DuckDB's message with lake files named by their s3:// URIs.
  Status Described(const Status& status) const {
    SLUICE_RETURN_IF_ERROR(CheckInterrupt());
    return Status(status.code(), files_.Describe(status.message()), status.aws_code());
  }

  const SqlStep& step_;
  const SqlRunContext& context_;
  WorkFolder work_;
  LakeFiles files_;
  std::optional<duckdb::Connection> connection_;
  fs::path output_path_;   // the single output file, or the partitioned output's folder
  fs::path rejects_path_;  // set when bad rows were set aside
  std::vector<lake::ObjectInfo> committed_;
  SqlRunResult result_;
};

Status Run::OpenEngine() {
  duckdb::DatabaseOptions options;
  options.threads = context_.threads;
  options.memory_limit = context_.memory_limit;
  options.temp_directory = (work_.path() / "spill").string();
  SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<duckdb::Database> db,
                          duckdb::Database::Open("", options));
  SLUICE_ASSIGN_OR_RETURN(duckdb::Connection connection, duckdb::Connection::Open(db));
  connection_.emplace(std::move(connection));
  return Status::Ok();
}

Status Run::CreateInputViews() {
  for (size_t i = 0; i < step_.inputs.size(); ++i) {
    const InputSpec& input = step_.inputs[i];
    auto paths = files_.Open(input.uri);
    if (!paths.ok()) return paths.status().WithContext("input " + input.name);
    std::string sniffed;
    if (input.format == FileFormat::kCsv) {
      // A sniff that fails leaves it to the reader, whose error says more in its context.
      auto options = SniffCsvOptions(*connection_, input, paths->front());
      if (options.ok()) sniffed = *options;
    }
    std::string sql = "CREATE TEMP VIEW " + QuoteIdentifier(input.name) + " AS SELECT * FROM " +
                      ReadFunctionSql(input, *paths, i, step_.on_bad_rows, sniffed);
    Status created = connection_->Execute(sql);
    if (!created.ok()) return Described(created).WithContext("input " + input.name);
  }
  result_.bytes_in = files_.bytes();
  return Status::Ok();
}

Status Run::RunQuery() {
  duckdb::Connection& db = *connection_;
  Status checked = CheckIsOneSelect(db, step_.query);
  if (!checked.ok()) return Described(checked);
  SLUICE_RETURN_IF_ERROR(
      db.Execute(std::string("CREATE TEMP VIEW ") + kQueryView + " AS " + step_.query));
  SLUICE_RETURN_IF_ERROR(EnableScanCounting(db));
  if (step_.output) {
    output_path_ = work_.path() / "out" / (step_.output->partition_by.empty() ? "result" : "parts");
  }
  Status ran;
  if (step_.load) {
    // Loaded and written out from one materialized result, so both hold the same rows.
    ran = db.Execute(std::string("CREATE TEMP TABLE ") + kResultTable + " AS SELECT * FROM " +
                     kQueryView);
    result_.rows_in = RowsReadByLastQuery(db);
    if (ran.ok()) {
      SLUICE_ASSIGN_OR_RETURN(result_.rows_out,
                              db.QueryInt(std::string("SELECT count(*) FROM ") + kResultTable));
    }
    if (ran.ok() && step_.output) {
      ran = db.Execute(std::string("COPY ") + kResultTable + " TO " +
                       QuoteLiteral(output_path_.string()) + " " + CopyOptionsSql(*step_.output));
    }
  } else {
    // Output only: streamed from the query straight to the file.
    auto rows =
        db.QueryInt(std::string("COPY (SELECT * FROM ") + kQueryView + ") TO " +
                    QuoteLiteral(output_path_.string()) + " " + CopyOptionsSql(*step_.output));
    result_.rows_in = RowsReadByLastQuery(db);
    ran = rows.status();
    if (rows.ok()) result_.rows_out = *rows;
  }
  return ran.ok() ? Status::Ok() : Described(ran);
}

Status Run::SetAsideBadRows() {
  SLUICE_ASSIGN_OR_RETURN(BadRowsReport report,
                          BadRowsReport::Gather(*connection_, step_.inputs, files_));
  if (report.count() == 0) return Status::Ok();
  if (step_.on_bad_rows == BadRows::kFail) return report.FirstAsError();
  result_.bad_rows = report.count();
  rejects_path_ = work_.path() / "rejects.csv";
  return report.WriteCsv(rejects_path_.string());
}

Status Run::CommitOutputs() {
  if (!step_.output) return Status::Ok();
  SLUICE_ASSIGN_OR_RETURN(lake::S3Uri uri, lake::ParseS3Uri(step_.output->uri));
  SLUICE_ASSIGN_OR_RETURN(std::vector<OutputFile> outputs,
                          OutputFiles(*step_.output, output_path_));
  std::string content_type = ContentTypeOf(*step_.output);
  if (!rejects_path_.empty()) {
    SLUICE_ASSIGN_OR_RETURN(lake::S3Uri rejects, lake::ParseS3Uri(RejectsUri(*step_.output)));
    outputs.push_back({rejects.key, rejects_path_});
  }
  std::vector<UniqueFd> fds;
  std::vector<lake::FdByteSource> sources;
  fds.reserve(outputs.size());
  sources.reserve(outputs.size());
  std::vector<lake::NewObject> objects;
  for (const OutputFile& file : outputs) {
    UniqueFd fd(::open(file.path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return Status::IoError("cannot open the result file " + file.path.string());
    sources.emplace_back(fd.get(), file.path.string());
    fds.push_back(std::move(fd));
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    bool is_rejects = !rejects_path_.empty() && i + 1 == outputs.size();
    objects.push_back({outputs[i].key, &sources[i], is_rejects ? "text/csv" : content_type});
  }
  lake::PutOptions options;
  options.request = context_.request;
  SLUICE_ASSIGN_OR_RETURN(committed_, context_.lake->PutObjects(uri.bucket, objects, options));
  for (const lake::ObjectInfo& object : committed_) {
    std::string object_uri = lake::S3Uri{object.bucket, object.key}.ToString();
    if (!rejects_path_.empty() && object_uri == RejectsUri(*step_.output)) {
      result_.rejects = object_uri;
      continue;
    }
    result_.outputs.push_back(object_uri);
    result_.bytes_out += object.size;
  }
  return Status::Ok();
}

Status Run::LoadAndCommit() {
  if (!step_.load) return CommitOutputs();
  SLUICE_ASSIGN_OR_RETURN(
      std::unique_ptr<warehouse::Warehouse> warehouse,
      warehouse::OpenWarehouse(context_.warehouse_url, context_.warehouse_options));
  warehouse::LoadRequest request;
  request.table = step_.load->table;
  request.mode = step_.load->mode;
  request.keys = step_.load->keys;
  request.load_id = context_.load_id;
  warehouse::LoadSource source;
  source.connection = &*connection_;
  source.relation = kResultTable;
  result_.table = step_.load->table;
  auto load = [&]() -> Status {
    SLUICE_ASSIGN_OR_RETURN(warehouse::LoadResult loaded, warehouse->Load(request, source));
    result_.rows_loaded = loaded.rows;
    result_.load_skipped = loaded.skipped;
    return Status::Ok();
  };
  if (!warehouse->LoadsFromLake()) {
    // Nothing is committed to the lake until the load has committed.
    SLUICE_RETURN_IF_ERROR(load());
    return CommitOutputs();
  }
  if (!step_.output || step_.output->format != FileFormat::kCsv || !step_.output->header ||
      !step_.output->partition_by.empty() || !step_.output->compression.empty()) {
    return Status::InvalidArgument(
        "a warehouse that loads from the lake (" + warehouse->DisplayUrl() +
        ") needs the step's output as one uncompressed CSV object with a header line");
  }
  SLUICE_RETURN_IF_ERROR(CommitOutputs());
  source.lake_csv_uris = result_.outputs;
  Status loaded = load();
  if (!loaded.ok()) {
    // Take the outputs back, so a failed step leaves nothing behind.
    for (const lake::ObjectInfo& object : committed_) {
      (void)context_.lake->DeleteObject(object.bucket, object.key, context_.request);
    }
    result_.outputs.clear();
    result_.rejects.clear();
  }
  return loaded;
}

Result<SqlRunResult> Run::Execute() {
  auto started = std::chrono::steady_clock::now();
  SLUICE_RETURN_IF_ERROR(work_.Create());
  SLUICE_RETURN_IF_ERROR(OpenEngine());
  InterruptScope interrupt_scope(context_.interrupter, *connection_);
  // Between phases too: an interrupt that came while no query ran is not lost.
  SLUICE_RETURN_IF_ERROR(CheckInterrupt());
  SLUICE_RETURN_IF_ERROR(CreateInputViews());
  SLUICE_RETURN_IF_ERROR(CheckInterrupt());
  SLUICE_RETURN_IF_ERROR(RunQuery());
  SLUICE_RETURN_IF_ERROR(SetAsideBadRows());
  SLUICE_RETURN_IF_ERROR(CheckInterrupt());
  SLUICE_RETURN_IF_ERROR(LoadAndCommit());
  result_.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result_;
}

}  // namespace

void QueryInterrupter::Interrupt() {
  std::lock_guard lock(mutex_);
  interrupted_ = true;
  if (connection_) connection_->Interrupt();
}

bool QueryInterrupter::interrupted() const {
  std::lock_guard lock(mutex_);
  return interrupted_;
}

void QueryInterrupter::Attach(duckdb::Connection* connection) {
  std::lock_guard lock(mutex_);
  connection_ = connection;
  if (connection_ && interrupted_) connection_->Interrupt();
}

nlohmann::json SqlRunResult::ToJson() const {
  nlohmann::json j = {{"RowsIn", rows_in},         {"RowsOut", rows_out}, {"BytesIn", bytes_in},
                      {"BytesOut", bytes_out},     {"BadRows", bad_rows}, {"Outputs", outputs},
                      {"DurationSeconds", seconds}};
  if (!rejects.empty()) j["Rejects"] = rejects;
  if (!table.empty()) {
    j["Load"] = {{"Table", table}, {"Rows", rows_loaded}, {"Skipped", load_skipped}};
  }
  return j;
}

Result<SqlRunResult> RunSqlStep(const SqlStep& step, const SqlRunContext& context) {
  Run run(step, context);
  auto result = run.Execute();
  if (!result.ok()) return result.status().WithContext("step " + context.step_name);
  return result;
}

}  // namespace sluice::engine
