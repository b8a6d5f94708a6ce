#include "warehouse/source_type.h"

#include <charconv>
#include <utility>

namespace sluice::warehouse {
namespace {

constexpr std::pair<std::string_view, TypeKind> kPlainTypes[] = {
    {"BOOLEAN", TypeKind::kBoolean},
    {"TINYINT", TypeKind::kTinyint},
    {"SMALLINT", TypeKind::kSmallint},
    {"INTEGER", TypeKind::kInteger},
    {"BIGINT", TypeKind::kBigint},
    {"HUGEINT", TypeKind::kHugeint},
    {"UTINYINT", TypeKind::kUtinyint},
    {"USMALLINT", TypeKind::kUsmallint},
    {"UINTEGER", TypeKind::kUinteger},
    {"UBIGINT", TypeKind::kUbigint},
    {"UHUGEINT", TypeKind::kUhugeint},
    {"FLOAT", TypeKind::kFloat},
    {"DOUBLE", TypeKind::kDouble},
    {"VARCHAR", TypeKind::kVarchar},
    {"JSON", TypeKind::kJson},
    {"BLOB", TypeKind::kBlob},
    {"DATE", TypeKind::kDate},
    {"TIME", TypeKind::kTime},
    {"TIME_NS", TypeKind::kTime},
    {"TIME WITH TIME ZONE", TypeKind::kTimeTz},
    {"TIMESTAMP", TypeKind::kTimestamp},
    {"TIMESTAMP_S", TypeKind::kTimestamp},
    {"TIMESTAMP_MS", TypeKind::kTimestamp},
    {"TIMESTAMP_NS", TypeKind::kTimestamp},
    {"TIMESTAMP WITH TIME ZONE", TypeKind::kTimestampTz},
    {"INTERVAL", TypeKind::kInterval},
    {"UUID", TypeKind::kUuid},
};

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// "DECIMAL(18,2)" → 18, 2; anything else → kOther.
SourceType Decimal(std::string_view type) {
  std::string_view inside = type.substr(8, type.size() - 9);  // between "DECIMAL(" and ")"
  size_t comma = inside.find(',');
  SourceType decimal{TypeKind::kDecimal};
  if (comma == std::string_view::npos) return {};
  auto [p_end, p_error] = std::from_chars(inside.data(), inside.data() + comma, decimal.precision);
  std::string_view scale = inside.substr(comma + 1);
  while (!scale.empty() && scale.front() == ' ')
    scale.remove_prefix(1);
  auto [s_end, s_error] = std::from_chars(scale.data(), scale.data() + scale.size(), decimal.scale);
  if (p_error != std::errc() || s_error != std::errc() || p_end != inside.data() + comma ||
      s_end != scale.data() + scale.size()) {
    return {};
  }
  return decimal;
}

}  // namespace

SourceType ClassifyType(std::string_view type) {
  for (const auto& [name, kind] : kPlainTypes) {
    if (type == name) return {kind};
  }
  if (!type.empty() && type.back() == ']') return {TypeKind::kNested};
  if (StartsWith(type, "STRUCT(") || StartsWith(type, "MAP(") || StartsWith(type, "UNION(")) {
    return {TypeKind::kNested};
  }
  if (StartsWith(type, "ENUM(")) return {TypeKind::kEnum};
  if (StartsWith(type, "DECIMAL(") && type.back() == ')') return Decimal(type);
  return {};
}

}  // namespace sluice::warehouse
