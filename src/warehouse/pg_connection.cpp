#include "warehouse/pg_connection.h"

#include <fcntl.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <map>

#include "sluice/common/posix_file.h"

namespace sluice::warehouse {
namespace {

constexpr size_t kCopyChunkBytes = size_t{1} << 20;

// Owns one PGresult.
using PgResult = std::unique_ptr<PGresult, decltype(&PQclear)>;

PgResult Wrap(PGresult* result) {
  return PgResult(result, &PQclear);
}

std::string OneLine(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  for (char& c : text) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  return text;
}

// The server's message (its primary text, then detail and context) as one line.
std::string ServerMessage(const PGresult* result, PGconn* connection) {
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  if (primary == nullptr) {
    const char* message = result ? PQresultErrorMessage(result) : "";
    if (message == nullptr || *message == '\0') message = PQerrorMessage(connection);
    return OneLine(message ? message : "unknown error");
  }
  std::string text = primary;
  for (int field : {PG_DIAG_MESSAGE_DETAIL, PG_DIAG_CONTEXT}) {
    const char* extra = PQresultErrorField(result, field);
    if (extra != nullptr && *extra != '\0') text += std::string("; ") + extra;
  }
  return OneLine(std::move(text));
}

Status ServerError(const PGresult* result, PGconn* connection) {
  std::string message = ServerMessage(result, connection);
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string_view sqlstate = state ? state : "";
  if (sqlstate == "40001" || sqlstate == "40P01") return Status::Conflict(message);
  if (PQstatus(connection) == CONNECTION_BAD || sqlstate.substr(0, 2) == "08") {
    return Status::IoError(message);
  }
  return Status::InvalidArgument(message);
}

bool Succeeded(const PGresult* result) {
  ExecStatusType status = PQresultStatus(result);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_SINGLE_TUPLE ||
         status == PGRES_EMPTY_QUERY;
}

Result<int64_t> AffectedRows(const PGresult* result) {
  std::string_view text = PQcmdTuples(const_cast<PGresult*>(result));
  int64_t rows = 0;
  if (text.empty()) return rows;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), rows);
  if (error != std::errc()) return Status::Internal("unexpected row count " + std::string(text));
  return rows;
}

// Reads and drops every result still pending on the connection (after an error mid-stream).
void DrainResults(PGconn* connection) {
  while (PGresult* result = PQgetResult(connection))
    PQclear(result);
}

// The names of the types `sluice sql` meets most, so that most queries need no catalog lookup.
const std::map<Oid, std::string>& KnownTypes() {
  static const std::map<Oid, std::string> names = {
      {16, "boolean"},
      {17, "bytea"},
      {18, "\"char\""},
      {19, "name"},
      {20, "bigint"},
      {21, "smallint"},
      {23, "integer"},
      {25, "text"},
      {26, "oid"},
      {114, "json"},
      {700, "real"},
      {701, "double precision"},
      {1042, "bpchar"},
      {1043, "character varying"},
      {1082, "date"},
      {1083, "time without time zone"},
      {1114, "timestamp without time zone"},
      {1184, "timestamp with time zone"},
      {1186, "interval"},
      {1266, "time with time zone"},
      {1700, "numeric"},
      {2950, "uuid"},
      {3802, "jsonb"},
  };
  return names;
}

PgRow RowAt(const PGresult* result, int row) {
  PgRow values;
  for (int c = 0; c < PQnfields(result); ++c) {
    if (PQgetisnull(result, row, c)) {
      values.emplace_back();
    } else {
      values.emplace_back(std::string(PQgetvalue(result, row, c), PQgetlength(result, row, c)));
    }
  }
  return values;
}

bool IsNumericType(Oid type) {
  return type == 20 || type == 21 || type == 23 || type == 26 || type == 700 || type == 701 ||
         type == 1700;
}

}  // namespace

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const std::string& conninfo,
                                                            const std::string& display) {
  // Keywords are applied in order: the URI, last, overrides the defaults before it.
  const char* keywords[] = {"connect_timeout", "client_encoding", "application_name", "dbname",
                            nullptr};
  const char* values[] = {"10", "UTF8", "sluice", conninfo.c_str(), nullptr};
  PGconn* connection = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (connection == nullptr) return Status::Internal("libpq could not allocate a connection");
  if (PQstatus(connection) != CONNECTION_OK) {
    std::string message = OneLine(PQerrorMessage(connection));
    PQfinish(connection);
    return Status::IoError("cannot connect to " + display + ": " + message);
  }
  PQsetNoticeProcessor(
      connection, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<PgConnection>(new PgConnection(connection));
}

PgConnection::~PgConnection() {
  PQfinish(connection_);
}

bool PgConnection::broken() const {
  return PQstatus(connection_) != CONNECTION_OK;
}

bool PgConnection::in_transaction() const {
  return PQtransactionStatus(connection_) != PQTRANS_IDLE;
}

Status PgConnection::Execute(const std::string& sql) {
  PgResult result = Wrap(PQexec(connection_, sql.c_str()));
  if (!Succeeded(result.get())) return ServerError(result.get(), connection_);
  return Status::Ok();
}

Result<int64_t> PgConnection::ExecuteCount(const std::string& sql) {
  PgResult result = Wrap(PQexec(connection_, sql.c_str()));
  if (!Succeeded(result.get())) return ServerError(result.get(), connection_);
  return AffectedRows(result.get());
}

Result<std::vector<PgRow>> PgConnection::QueryRows(const std::string& sql) {
  PgResult result = Wrap(PQexec(connection_, sql.c_str()));
  if (!Succeeded(result.get())) return ServerError(result.get(), connection_);
  std::vector<PgRow> rows;
  for (int r = 0; r < PQntuples(result.get()); ++r)
    rows.push_back(RowAt(result.get(), r));
  return rows;
}

Result<duckdb::TextTable> PgConnection::QueryTable(const std::string& sql, size_t max_rows) {
  if (!PQsendQuery(connection_, sql.c_str())) return ServerError(nullptr, connection_);
  PQsetSingleRowMode(connection_);  // rows arrive one by one: no more than max_rows are kept
  duckdb::TextTable current, last;
  std::vector<Oid> current_types, last_types;
  bool described = false;
  Status error;
  while (PGresult* raw = PQgetResult(connection_)) {
    PgResult result = Wrap(raw);
    if (!error.ok()) continue;  // read to the end after an error
    if (!Succeeded(result.get())) {
      error = ServerError(result.get(), connection_);
      continue;
    }
    int columns = PQnfields(result.get());
    if (!described) {
      described = true;
      for (int c = 0; c < columns; ++c) {
        current_types.push_back(PQftype(result.get(), c));
        current.columns.push_back({PQfname(result.get(), c), "", IsNumericType(current_types[c])});
      }
    }
    if (PQresultStatus(result.get()) == PGRES_SINGLE_TUPLE) {
      if (current.rows.size() < max_rows) current.rows.push_back(RowAt(result.get(), 0));
      continue;
    }
    // The end of one statement's result: the next statement starts afresh.
    last = std::move(current);
    last_types = std::move(current_types);
    current = {};
    current_types.clear();
    described = false;
  }
  if (!error.ok()) return error;
  for (size_t c = 0; c < last.columns.size(); ++c) {
    SLUICE_ASSIGN_OR_RETURN(last.columns[c].type, TypeName(last_types[c]));
  }
  return last;
}

Result<std::string> PgConnection::TypeName(Oid type) {
  auto known = KnownTypes().find(type);
  if (known != KnownTypes().end()) return known->second;
  SLUICE_ASSIGN_OR_RETURN(std::vector<PgRow> rows,
                          QueryRows("SELECT format_type(" + std::to_string(type) + ", NULL)"));
  if (rows.empty() || rows[0].empty() || !rows[0][0]) return "oid " + std::to_string(type);
  return *rows[0][0];
}

Result<int64_t> PgConnection::CopyIn(const std::string& copy_sql, const ChunkSource& next_chunk) {
  PgResult started = Wrap(PQexec(connection_, copy_sql.c_str()));
  if (PQresultStatus(started.get()) != PGRES_COPY_IN) {
    return ServerError(started.get(), connection_);
  }
  while (true) {
    Result<std::string_view> chunk = next_chunk();
    if (!chunk.ok()) {
      PQputCopyEnd(connection_, chunk.status().message().c_str());
      DrainResults(connection_);
      return chunk.status();
    }
    if (chunk->empty()) break;
    if (PQputCopyData(connection_, chunk->data(), static_cast<int>(chunk->size())) != 1) {
      Status lost = ServerError(nullptr, connection_);
      DrainResults(connection_);
      return lost;
    }
  }
  if (PQputCopyEnd(connection_, nullptr) != 1) {
    Status lost = ServerError(nullptr, connection_);
    DrainResults(connection_);
    return lost;
  }
  PgResult finished = Wrap(PQgetResult(connection_));
  Result<int64_t> rows = Succeeded(finished.get())
                             ? AffectedRows(finished.get())
                             : Result<int64_t>(ServerError(finished.get(), connection_));
  DrainResults(connection_);
  return rows;
}

Result<int64_t> PgConnection::CopyInFile(const std::string& copy_sql,
                                         const std::filesystem::path& file) {
  SLUICE_ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(file, O_RDONLY));
  std::string buffer(kCopyChunkBytes, '\0');
  uint64_t offset = 0;
  return CopyIn(copy_sql, [&]() -> Result<std::string_view> {
    SLUICE_ASSIGN_OR_RETURN(size_t read,
                            ReadAt(fd.get(), buffer.data(), buffer.size(), offset, file.string()));
    offset += read;
    return std::string_view(buffer.data(), read);
  });
}

}  // namespace sluice::warehouse
