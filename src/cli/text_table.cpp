#include "cli/text_table.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

namespace sluice::cli {
namespace {

// Display width: UTF-8 code points (continuation bytes don't count).
size_t Width(std::string_view text) {
  size_t width = 0;
  for (char c : text)
    width += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return width;
}

std::string CsvField(const std::optional<std::string>& value) {
  if (!value) return "";
  if (value->empty()) return "\"\"";  // an empty string, told apart from NULL
  if (value->find_first_of(",\"\r\n") == std::string::npos) return *value;
  std::string quoted = "\"";
  for (char c : *value)
    quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

void PrintAligned(const duckdb::TextTable& table) {
  size_t columns = table.columns.size();
  std::vector<size_t> widths(columns);
  for (size_t c = 0; c < columns; ++c)
    widths[c] = Width(table.columns[c].name);
  for (const auto& row : table.rows) {
    for (size_t c = 0; c < columns; ++c)
      widths[c] = std::max(widths[c], Width(row[c].value_or("NULL")));
  }
  auto print_row = [&](auto cell_of) {
    std::string line;
    for (size_t c = 0; c < columns; ++c) {
      std::string cell = cell_of(c);
      std::string pad(widths[c] - Width(cell), ' ');
      bool right = table.columns[c].numeric;
      line += (c ? "  " : "") + (right ? pad + cell : cell + (c + 1 < columns ? pad : ""));
    }
    line.erase(line.find_last_not_of(' ') + 1);
    std::printf("%s\n", line.c_str());
  };
  print_row([&](size_t c) { return table.columns[c].name; });
  print_row([&](size_t c) { return std::string(widths[c], '-'); });
  for (const auto& row : table.rows)
    print_row([&](size_t c) { return row[c].value_or("NULL"); });
  std::printf("(%zu row%s)\n", table.rows.size(), table.rows.size() == 1 ? "" : "s");
}

void PrintCsv(const duckdb::TextTable& table) {
  std::string line;
  for (size_t c = 0; c < table.columns.size(); ++c) {
    line += (c ? "," : "") + CsvField(table.columns[c].name);
  }
  std::printf("%s\n", line.c_str());
  for (const auto& row : table.rows) {
    line.clear();
    for (size_t c = 0; c < row.size(); ++c)
      line += (c ? "," : "") + CsvField(row[c]);
    std::printf("%s\n", line.c_str());
  }
}

// A numeric column's value as a JSON number when a double or a 64-bit integer holds it
// exactly; else (a 38-digit decimal, inf, nan) as a string.
nlohmann::ordered_json JsonNumber(const std::string& text) {
  auto number = nlohmann::ordered_json::parse(text, nullptr, false);
  if (number.is_number_integer()) return number;
  size_t digits = 0;
  for (char c : text) {
    if (c == 'e' || c == 'E') break;
    digits += std::isdigit(static_cast<unsigned char>(c)) != 0;
  }
  if (number.is_number_float() && digits <= 15) return number;
  return text;
}

void PrintJson(const duckdb::TextTable& table) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto& row : table.rows) {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (size_t c = 0; c < row.size(); ++c) {
      const std::string& name = table.columns[c].name;
      if (!row[c]) {
        object[name] = nullptr;
      } else {
        object[name] =
            table.columns[c].numeric ? JsonNumber(*row[c]) : nlohmann::ordered_json(*row[c]);
      }
    }
    rows.push_back(std::move(object));
  }
  std::printf("%s\n", rows.dump(2).c_str());
}

}  // namespace

Result<TableFormat> ParseTableFormat(std::string_view text) {
  if (text == "table") return TableFormat::kTable;
  if (text == "csv") return TableFormat::kCsv;
  if (text == "json") return TableFormat::kJson;
  return Status::InvalidArgument("--format must be table, csv or json");
}

void PrintTextTable(const duckdb::TextTable& table, TableFormat format) {
  switch (format) {
    case TableFormat::kTable:
      return PrintAligned(table);
    case TableFormat::kCsv:
      return PrintCsv(table);
    case TableFormat::kJson:
      return PrintJson(table);
  }
}

}  // namespace sluice::cli
