#include "sluice/duckdb/database.h"

#include <charconv>

#include "sluice/duckdb/value_text.h"

namespace sluice::duckdb {
namespace {

// DuckDB reports a database file locked by another process as an IO Error mentioning the lock.
Status OpenError(const std::string& path, const std::string& message) {
  std::string where = path.empty() ? "in-memory database" : "DuckDB database " + path;
  if (message.find("lock") != std::string::npos) {
    return Status::Conflict(where + " is in use by another process: " + message);
  }
  return Status::IoError("cannot open " + where + ": " + message);
}

Status SetOption(duckdb_config config, const char* name, const std::string& value) {
  if (duckdb_set_config(config, name, value.c_str()) == DuckDBError) {
    return Status::InvalidArgument(std::string("DuckDB rejects ") + name + " = " + value);
  }
  return Status::Ok();
}

Status ConfigFor(duckdb_config config, const DatabaseOptions& options) {
  if (options.threads > 0) {
    SLUICE_RETURN_IF_ERROR(SetOption(config, "threads", std::to_string(options.threads)));
  }
  if (!options.memory_limit.empty()) {
    SLUICE_RETURN_IF_ERROR(SetOption(config, "memory_limit", options.memory_limit));
  }
  if (!options.temp_directory.empty()) {
    SLUICE_RETURN_IF_ERROR(SetOption(config, "temp_directory", options.temp_directory));
  }
  if (options.read_only) SLUICE_RETURN_IF_ERROR(SetOption(config, "access_mode", "READ_ONLY"));
  // Extensions come only from what the library has built in: nothing is fetched at run time.
  SLUICE_RETURN_IF_ERROR(SetOption(config, "autoinstall_known_extensions", "false"));
  return SetOption(config, "autoload_known_extensions", "true");
}

}  // namespace

// DuckDB's messages run over several lines (a caret under the error, a list of possible fixes,
// the CSV reader's settings). sluice reports errors on one line: the message's first paragraph,
// its lines joined, up to any list of fixes.
std::string OneLine(std::string_view message) {
  std::string line;
  std::string file;  // the CSV reader names the file among its settings, after the fixes
  for (size_t found = message.find("\n  file = "); found != std::string_view::npos;) {
    size_t begin = found + 10;
    file = std::string(message.substr(begin, message.find('\n', begin) - begin));
    break;
  }
  size_t at = 0;
  while (at < message.size()) {
    size_t end = message.find('\n', at);
    if (end == std::string_view::npos) end = message.size();
    std::string_view part = message.substr(at, end - at);
    while (!part.empty() && (part.back() == ' ' || part.back() == '\r'))
      part.remove_suffix(1);
    if (part.empty() || part.rfind("Possible fixes", 0) == 0 || part.rfind("LINE ", 0) == 0) {
      if (!line.empty()) break;
    } else {
      line += (line.empty() ? "" : " ") + std::string(part);
    }
    at = end + 1;
  }
  if (!file.empty() && line.find(file) == std::string::npos) line += " (file " + file + ")";
  return line;
}

namespace {

// Owns one duckdb_result.
struct ResultGuard {
  duckdb_result result{};
  bool live = false;
  ~ResultGuard() {
    if (live) duckdb_destroy_result(&result);
  }
};

}  // namespace

Result<std::shared_ptr<Database>> Database::Open(const std::string& path,
                                                 const DatabaseOptions& options) {
  duckdb_config config = nullptr;
  if (duckdb_create_config(&config) == DuckDBError) return Status::Internal("duckdb_create_config");
  Status configured = ConfigFor(config, options);
  if (!configured.ok()) {
    duckdb_destroy_config(&config);
    return configured;
  }
  duckdb_database db = nullptr;
  char* error = nullptr;
  duckdb_state state = duckdb_open_ext(path.empty() ? nullptr : path.c_str(), &db, config, &error);
  duckdb_destroy_config(&config);
  if (state == DuckDBError) {
    std::string message = error ? error : "unknown error";
    duckdb_free(error);
    return OpenError(path, message);
  }
  return std::shared_ptr<Database>(new Database(db, path));
}

Database::~Database() {
  duckdb_close(&db_);
}

Result<Connection> Connection::Open(std::shared_ptr<Database> database) {
  duckdb_connection connection = nullptr;
  if (duckdb_connect(database->handle(), &connection) == DuckDBError) {
    return Status::Internal("cannot connect to DuckDB database " + database->path());
  }
  return Connection(std::move(database), connection);
}

Connection::~Connection() {
  if (connection_) duckdb_disconnect(&connection_);
}

Connection::Connection(Connection&& other) noexcept
    : database_(std::move(other.database_)), connection_(other.connection_) {
  other.connection_ = nullptr;
}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    if (connection_) duckdb_disconnect(&connection_);
    database_ = std::move(other.database_);
    connection_ = other.connection_;
    other.connection_ = nullptr;
  }
  return *this;
}

Status Connection::Run(std::string_view sql, duckdb_result* last) {
  duckdb_extracted_statements statements = nullptr;
  std::string text(sql);
  idx_t count = duckdb_extract_statements(connection_, text.c_str(), &statements);
  if (count == 0) {
    const char* error = duckdb_extract_statements_error(statements);
    Status status = Status::InvalidArgument(error ? OneLine(error) : "no SQL statement given");
    duckdb_destroy_extracted(&statements);
    return status;
  }
  Status status;
  for (idx_t i = 0; i < count && status.ok(); ++i) {
    duckdb_prepared_statement prepared = nullptr;
    if (duckdb_prepare_extracted_statement(connection_, statements, i, &prepared) == DuckDBError) {
      status = Status::InvalidArgument(OneLine(duckdb_prepare_error(prepared)));
      duckdb_destroy_prepare(&prepared);
      break;
    }
    duckdb_result result{};
    if (duckdb_execute_prepared(prepared, &result) == DuckDBError) {
      const char* error = duckdb_result_error(&result);
      status = duckdb_result_error_type(&result) == DUCKDB_ERROR_INTERRUPT
                   ? Status::FailedPrecondition("Interrupted: the query was stopped")
                   : Status::InvalidArgument(error ? OneLine(error) : "query failed");
      duckdb_destroy_result(&result);
    } else if (i + 1 == count && last != nullptr) {
      *last = result;
    } else {
      duckdb_destroy_result(&result);
    }
    duckdb_destroy_prepare(&prepared);
  }
  duckdb_destroy_extracted(&statements);
  return status;
}

Status Connection::Execute(std::string_view sql) {
  return Run(sql, nullptr);
}

Result<TextTable> Connection::Query(std::string_view sql, size_t max_rows) {
  ResultGuard guard;
  SLUICE_RETURN_IF_ERROR(Run(sql, &guard.result));
  guard.live = true;
  TextTable table;
  idx_t columns = duckdb_column_count(&guard.result);
  std::vector<duckdb_logical_type> types(columns);
  for (idx_t c = 0; c < columns; ++c) {
    types[c] = duckdb_column_logical_type(&guard.result, c);
    table.columns.push_back(
        {duckdb_column_name(&guard.result, c), TypeName(types[c]), IsNumeric(types[c])});
  }
  while (duckdb_data_chunk chunk = duckdb_fetch_chunk(guard.result)) {
    idx_t size = duckdb_data_chunk_get_size(chunk);
    for (idx_t row = 0; row < size && table.rows.size() < max_rows; ++row) {
      std::vector<std::optional<std::string>> values;
      values.reserve(columns);
      for (idx_t c = 0; c < columns; ++c) {
        values.push_back(ValueText(duckdb_data_chunk_get_vector(chunk, c), types[c], row));
      }
      table.rows.push_back(std::move(values));
    }
    duckdb_destroy_data_chunk(&chunk);
  }
  for (duckdb_logical_type& type : types)
    duckdb_destroy_logical_type(&type);
  return table;
}

Result<std::optional<std::string>> Connection::QueryValue(std::string_view sql) {
  SLUICE_ASSIGN_OR_RETURN(TextTable table, Query(sql, 1));
  if (table.rows.empty() || table.columns.empty()) return std::optional<std::string>();
  return table.rows[0][0];
}

Result<int64_t> Connection::QueryInt(std::string_view sql) {
  SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> text, QueryValue(sql));
  if (!text) return int64_t{0};
  int64_t value = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size()) {
    return Status::Internal("expected an integer from DuckDB, got \"" + *text + "\"");
  }
  return value;
}

void Connection::Interrupt() {
  if (connection_) duckdb_interrupt(connection_);
}

std::string QuoteIdentifier(std::string_view name) {
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string QuoteLiteral(std::string_view text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') quoted += '\'';
    quoted += c;
  }
  return quoted + "'";
}

}  // namespace sluice::duckdb
