#include "sluice/engine/sql_step.h"

#include <algorithm>

#include "sluice/common/json_fields.h"
#include "sluice/lake/s3_uri.h"

namespace sluice::engine {
namespace {

using nlohmann::json;

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool IsPlainName(std::string_view name) {
  if (name.empty() || name.size() > 128 || std::isdigit(static_cast<unsigned char>(name[0]))) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool HasWildcard(std::string_view text) {
  return text.find_first_of("*?[") != std::string::npos;
}

}  // namespace

std::optional<FileFormat> FileFormatOfUri(std::string_view uri) {
  for (std::string_view compressed : {".gz", ".zst", ".gzip", ".zstd"}) {
    if (EndsWith(uri, compressed)) uri.remove_suffix(compressed.size());
  }
  if (EndsWith(uri, ".csv") || EndsWith(uri, ".tsv") || EndsWith(uri, ".txt")) {
    return FileFormat::kCsv;
  }
  if (EndsWith(uri, ".parquet") || EndsWith(uri, ".pq")) return FileFormat::kParquet;
  if (EndsWith(uri, ".json") || EndsWith(uri, ".jsonl") || EndsWith(uri, ".ndjson")) {
    return FileFormat::kJson;
  }
  return std::nullopt;
}

namespace {

Result<FileFormat> ParseFormat(const std::string& text, const std::string& where) {
  if (text == "csv") return FileFormat::kCsv;
  if (text == "parquet") return FileFormat::kParquet;
  if (text == "json") return FileFormat::kJson;
  return Status::Validation(where + ": format must be csv, parquet or json, not \"" + text + "\"");
}

// A format given, or the one the URI's extension tells.
Result<FileFormat> FormatFor(const json& j, const std::string& uri, const std::string& where) {
  std::string format;
  SLUICE_RETURN_IF_ERROR(ReadField(j, "format", format, where));
  if (!format.empty()) return ParseFormat(format, where);
  if (auto told = FileFormatOfUri(uri)) return *told;
  // A templated URI (a rule target's "s3://lake/${detail.object.key}") is told once the
  // variables are filled in, when the step is made from the event.
  if (uri.find("${") != std::string::npos) return FileFormat::kCsv;
  return Status::Validation(
      where + ": give its format (csv, parquet or json); it can't be told from " + uri);
}

Status CheckLakeUri(const std::string& uri, const std::string& where) {
  if (uri.empty()) return Status::Validation(where + ": uri is missing");
  auto parsed = lake::ParseS3Uri(uri);
  if (!parsed.ok()) return Status::Validation(where + ": " + parsed.status().message());
  return Status::Ok();
}

// One column: {"name": "a", "type": "BIGINT"} or the short {"a": "BIGINT"}.
Result<ColumnType> ParseColumn(const json& j, const std::string& where) {
  if (j.is_object() && j.contains("name")) {
    SLUICE_RETURN_IF_ERROR(RejectUnknownKeys(j, {"name", "type"}, where));
    ColumnType column;
    SLUICE_RETURN_IF_ERROR(ReadField(j, "name", column.name, where));
    SLUICE_RETURN_IF_ERROR(ReadField(j, "type", column.type, where));
    if (!column.name.empty() && !column.type.empty()) return column;
  } else if (j.is_object() && j.size() == 1 && j.begin().value().is_string()) {
    return ColumnType{j.begin().key(), j.begin().value().get<std::string>()};
  }
  return Status::Validation(where +
                            ": a column is {\"name\": NAME, \"type\": TYPE} or {NAME: TYPE}");
}

Result<std::vector<ColumnType>> ParseColumns(const json& j, const std::string& where) {
  std::vector<ColumnType> columns;
  if (j.is_null()) return columns;
  if (!j.is_array()) return Status::Validation(where + ": columns must be a list, in file order");
  for (const json& item : j) {
    SLUICE_ASSIGN_OR_RETURN(ColumnType column, ParseColumn(item, where + ": columns"));
    columns.push_back(std::move(column));
  }
  return columns;
}

Result<std::vector<ColumnType>> ParseTypes(const json& j, const std::string& where) {
  std::vector<ColumnType> types;
  if (j.is_null()) return types;
  if (!j.is_object()) return Status::Validation(where + ": types must map column names to types");
  for (const auto& [name, type] : j.items()) {
    if (!type.is_string())
      return Status::Validation(where + ": types." + name + " must be a type name");
    types.push_back({name, type.get<std::string>()});
  }
  return types;
}

Status CheckCompression(const std::string& compression, std::initializer_list<std::string_view> ok,
                        const std::string& where) {
  if (compression.empty() || std::find(ok.begin(), ok.end(), compression) != ok.end()) {
    return Status::Ok();
  }
  std::string list;
  for (std::string_view name : ok)
    list += (list.empty() ? "" : ", ") + std::string(name);
  return Status::Validation(where + ": compression must be one of " + list + ", not \"" +
                            compression + "\"");
}

Result<InputSpec> ParseInput(const std::string& name, const json& j, const std::string& where) {
  InputSpec input;
  input.name = name;
  const std::string at = where + ": input " + name;
  if (!IsPlainName(name)) {
    return Status::Validation(at +
                              ": an input's name must be letters, digits and _ (the query "
                              "refers to it as a table)");
  }
  if (j.is_string()) {
    input.uri = j.get<std::string>();
    SLUICE_RETURN_IF_ERROR(CheckLakeUri(input.uri, at));
    SLUICE_ASSIGN_OR_RETURN(input.format, FormatFor(json::object(), input.uri, at));
    return input;
  }
  if (!j.is_object()) return Status::Validation(at + ": give a URI or an object with uri");
  SLUICE_RETURN_IF_ERROR(RejectUnknownKeys(j,
                                           {"uri", "format", "header", "delimiter", "quote",
                                            "escape", "null", "columns", "types", "compression"},
                                           at));
  SLUICE_RETURN_IF_ERROR(ReadField(j, "uri", input.uri, at));
  SLUICE_RETURN_IF_ERROR(CheckLakeUri(input.uri, at));
  SLUICE_ASSIGN_OR_RETURN(input.format, FormatFor(j, input.uri, at));
  bool header = false;
  if (j.contains("header")) {
    SLUICE_RETURN_IF_ERROR(ReadField(j, "header", header, at));
    input.csv.header = header;
  }
  for (auto [key, field] :
       {std::pair{"delimiter", &input.csv.delimiter}, std::pair{"quote", &input.csv.quote},
        std::pair{"escape", &input.csv.escape}, std::pair{"null", &input.csv.null_string}}) {
    if (!j.contains(key)) continue;
    std::string value;
    SLUICE_RETURN_IF_ERROR(ReadField(j, key, value, at));
    *field = value;
  }
  SLUICE_ASSIGN_OR_RETURN(input.columns, ParseColumns(j.value("columns", json()), at));
  SLUICE_ASSIGN_OR_RETURN(input.types, ParseTypes(j.value("types", json()), at));
  SLUICE_RETURN_IF_ERROR(ReadField(j, "compression", input.compression, at));
  SLUICE_RETURN_IF_ERROR(CheckCompression(input.compression, {"auto", "none", "gzip", "zstd"}, at));
  bool csv_only = input.csv.header || input.csv.delimiter || input.csv.quote || input.csv.escape ||
                  input.csv.null_string;
  if (input.format != FileFormat::kCsv && csv_only) {
    return Status::Validation(at + ": header, delimiter, quote, escape and null apply to csv only");
  }
  if (input.format == FileFormat::kParquet && !input.columns.empty()) {
    return Status::Validation(at +
                              ": a parquet file carries its own schema; columns apply to "
                              "csv and json");
  }
  if (input.format != FileFormat::kCsv && !input.types.empty()) {
    return Status::Validation(at + ": types apply to csv; give json inputs columns");
  }
  if (!input.columns.empty() && !input.types.empty()) {
    return Status::Validation(at +
                              ": give columns (every column, in order) or types (some "
                              "columns by name), not both");
  }
  return input;
}

Result<OutputSpec> ParseOutput(const json& j, const std::string& where) {
  OutputSpec output;
  const std::string at = where + ": output";
  if (j.is_string()) {
    output.uri = j.get<std::string>();
  } else if (j.is_object()) {
    SLUICE_RETURN_IF_ERROR(RejectUnknownKeys(
        j, {"uri", "format", "compression", "partition_by", "header", "delimiter"}, at));
    SLUICE_RETURN_IF_ERROR(ReadField(j, "uri", output.uri, at));
    SLUICE_RETURN_IF_ERROR(ReadField(j, "compression", output.compression, at));
    SLUICE_RETURN_IF_ERROR(ReadField(j, "partition_by", output.partition_by, at));
    SLUICE_RETURN_IF_ERROR(ReadField(j, "header", output.header, at));
    SLUICE_RETURN_IF_ERROR(ReadField(j, "delimiter", output.delimiter, at));
  } else {
    return Status::Validation(at + ": give a URI or an object with uri");
  }
  SLUICE_RETURN_IF_ERROR(CheckLakeUri(output.uri, at));
  bool prefix = EndsWith(output.uri, "/");
  if (output.partition_by.empty() && prefix) {
    return Status::Validation(at + ": " + output.uri +
                              " names a folder; give the result's object key, or partition_by");
  }
  if (!output.partition_by.empty() && !prefix) {
    return Status::Validation(at + ": with partition_by the uri is a prefix and ends with '/'");
  }
  if (HasWildcard(output.uri)) return Status::Validation(at + ": the uri can't hold wildcards");
  if (lake::ParseS3Uri(output.uri)->key.empty()) {
    return Status::Validation(at + ": give a key or prefix inside the bucket");
  }
  if (j.is_object() && j.contains("format")) {
    SLUICE_ASSIGN_OR_RETURN(output.format, FormatFor(j, output.uri, at));
  } else if (auto told = FileFormatOfUri(output.uri)) {
    output.format = *told;
  } else if (!prefix && output.uri.find("${") == std::string::npos) {
    return Status::Validation(
        at + ": give its format (csv, parquet or json); it can't be told from " + output.uri);
  }
  SLUICE_RETURN_IF_ERROR(CheckCompression(
      output.compression,
      output.format == FileFormat::kParquet
          ? std::initializer_list<std::string_view>{"none", "snappy", "gzip", "zstd"}
          : std::initializer_list<std::string_view>{"none", "gzip", "zstd"},
      at));
  if (output.delimiter.size() != 1) {
    return Status::Validation(at + ": delimiter must be one character");
  }
  return output;
}

Result<LoadSpec> ParseLoad(const json& j, const std::string& where) {
  const std::string at = where + ": load";
  if (!j.is_object()) return Status::Validation(at + ": give an object with table and mode");
  SLUICE_RETURN_IF_ERROR(RejectUnknownKeys(j, {"table", "mode", "keys"}, at));
  LoadSpec load;
  std::string mode = "append";
  SLUICE_RETURN_IF_ERROR(ReadField(j, "table", load.table, at));
  SLUICE_RETURN_IF_ERROR(ReadField(j, "mode", mode, at));
  SLUICE_RETURN_IF_ERROR(ReadField(j, "keys", load.keys, at));
  if (load.table.empty()) return Status::Validation(at + ": table is missing");
  auto parsed = warehouse::ParseLoadMode(mode);
  if (!parsed.ok()) return Status::Validation(at + ": " + parsed.status().message());
  load.mode = *parsed;
  if (load.mode == warehouse::LoadMode::kMerge && load.keys.empty()) {
    return Status::Validation(at + ": mode merge needs keys (the columns that identify a row)");
  }
  if (load.mode != warehouse::LoadMode::kMerge && !load.keys.empty()) {
    return Status::Validation(at + ": keys apply to mode merge only");
  }
  return load;
}

json OutputToJson(const OutputSpec& output) {
  json j = {{"uri", output.uri}, {"format", FileFormatName(output.format)}};
  if (!output.compression.empty()) j["compression"] = output.compression;
  if (!output.partition_by.empty()) j["partition_by"] = output.partition_by;
  if (output.format == FileFormat::kCsv) {
    j["header"] = output.header;
    j["delimiter"] = output.delimiter;
  }
  return j;
}

json InputToJson(const InputSpec& input) {
  json j = {{"uri", input.uri}, {"format", FileFormatName(input.format)}};
  if (input.csv.header) j["header"] = *input.csv.header;
  if (input.csv.delimiter) j["delimiter"] = *input.csv.delimiter;
  if (input.csv.quote) j["quote"] = *input.csv.quote;
  if (input.csv.escape) j["escape"] = *input.csv.escape;
  if (input.csv.null_string) j["null"] = *input.csv.null_string;
  if (!input.columns.empty()) {
    json columns = json::array();
    for (const ColumnType& c : input.columns)
      columns.push_back({{"name", c.name}, {"type", c.type}});
    j["columns"] = columns;
  }
  if (!input.types.empty()) {
    json types = json::object();
    for (const ColumnType& c : input.types)
      types[c.name] = c.type;
    j["types"] = types;
  }
  if (!input.compression.empty()) j["compression"] = input.compression;
  return j;
}

}  // namespace

std::string_view FileFormatName(FileFormat format) {
  switch (format) {
    case FileFormat::kCsv:
      return "csv";
    case FileFormat::kParquet:
      return "parquet";
    case FileFormat::kJson:
      return "json";
  }
  return "csv";
}

Result<SqlStep> SqlStepFromJson(const json& j, const std::string& where) {
  if (!j.is_object()) return Status::Validation(where + ": a sql step must be an object");
  SLUICE_RETURN_IF_ERROR(
      RejectUnknownKeys(j, {"inputs", "query", "output", "load", "on_bad_rows"}, where));
  SqlStep step;
  SLUICE_RETURN_IF_ERROR(ReadField(j, "query", step.query, where));
  if (step.query.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::Validation(where + ": query is missing");
  }
  auto inputs = j.find("inputs");
  if (inputs != j.end() && !inputs->is_null()) {
    if (!inputs->is_object())
      return Status::Validation(where + ": inputs must map names to inputs");
    for (const auto& [name, input] : inputs->items()) {
      SLUICE_ASSIGN_OR_RETURN(InputSpec parsed, ParseInput(name, input, where));
      step.inputs.push_back(std::move(parsed));
    }
  }
  if (j.contains("output") && !j["output"].is_null()) {
    SLUICE_ASSIGN_OR_RETURN(step.output, ParseOutput(j["output"], where));
  }
  if (j.contains("load") && !j["load"].is_null()) {
    SLUICE_ASSIGN_OR_RETURN(step.load, ParseLoad(j["load"], where));
  }
  if (!step.output && !step.load) {
    return Status::Validation(where + ": give an output, a load, or both; else the result is lost");
  }
  std::string bad_rows = "fail";
  SLUICE_RETURN_IF_ERROR(ReadField(j, "on_bad_rows", bad_rows, where));
  if (bad_rows == "skip") {
    step.on_bad_rows = BadRows::kSkip;
  } else if (bad_rows != "fail") {
    return Status::Validation(where + ": on_bad_rows must be fail or skip, not \"" + bad_rows +
                              "\"");
  }
  if (step.on_bad_rows == BadRows::kSkip && !step.output) {
    return Status::Validation(where +
                              ": on_bad_rows skip writes the rejected rows beside the "
                              "output; give an output");
  }
  return step;
}

json SqlStepToJson(const SqlStep& step) {
  json inputs = json::object();
  for (const InputSpec& input : step.inputs)
    inputs[input.name] = InputToJson(input);
  json j = {{"inputs", inputs},
            {"query", step.query},
            {"on_bad_rows", step.on_bad_rows == BadRows::kSkip ? "skip" : "fail"}};
  if (step.output) j["output"] = OutputToJson(*step.output);
  if (step.load) {
    json load = {{"table", step.load->table}, {"mode", LoadModeName(step.load->mode)}};
    if (!step.load->keys.empty()) load["keys"] = step.load->keys;
    j["load"] = load;
  }
  return j;
}

std::string RejectsUri(const OutputSpec& output) {
  if (EndsWith(output.uri, "/")) return output.uri + "_rejects.csv";
  return output.uri + ".rejects.csv";
}

}  // namespace sluice::engine
