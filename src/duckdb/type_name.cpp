// TypeName and IsNumeric (value_text.h): DuckDB's SQL names for logical types, as DuckDB 1.4
// writes them; tests/duckdb/value_text_test.cpp checks them against DuckDB itself.
#include <algorithm>
#include <string>
#include <string_view>

#include "duckdb/c_api_handles.h"
#include "sluice/duckdb/value_text.h"

namespace sluice::duckdb {
namespace {

// DuckDB's keywords (duckdb_keywords() of 1.4), which it quotes when they name a field.
constexpr std::string_view kKeywords =
    "abort absolute access action add admin after aggregate all also alter always analyse "
    "analyze and anti any array as asc asof assertion assignment asymmetric at attach "
    "attribute authorization backward before begin between bigint binary bit boolean both by "
    "cache call called cascade cascaded case cast catalog centuries century chain char "
    "character characteristics check checkpoint class close cluster coalesce collate collation "
    "column columns comment comments commit committed compression concurrently configuration "
    "conflict connection constraint constraints content continue conversion copy cost create "
    "cross csv cube current cursor cycle data database day days deallocate dec decade decades "
    "decimal declare default defaults deferrable deferred definer delete delimiter delimiters "
    "depends desc describe detach dictionary disable discard distinct do document domain "
    "double drop each else enable encoding encrypted end enum error escape event except "
    "exclude excluding exclusive execute exists explain export export_state extension "
    "extensions external extract false family fetch filter first float following for force "
    "foreign forward freeze from full function functions generated glob global grant granted "
    "group grouping grouping_id groups handler having header hold hour hours identity if "
    "ignore ilike immediate immutable implicit import in include including increment index "
    "indexes inherit inherits initially inline inner inout input insensitive insert install "
    "instead int integer intersect interval into invoker is isnull isolation join json key "
    "label lambda language large last lateral leading leakproof left level like limit listen "
    "load local location lock locked logged macro map mapping match matched materialized "
    "maxvalue merge method microsecond microseconds millennia millennium millisecond "
    "milliseconds minute minutes minvalue mode month months move name names national natural "
    "nchar new next no none not nothing notify notnull nowait null nullif nulls numeric object "
    "of off offset oids old on only operator option options or order ordinality others out "
    "outer over overlaps overlay overriding owned owner parallel parser partial partition "
    "partitioned passing password percent persistent pivot pivot_longer pivot_wider placing "
    "plans policy position positional pragma preceding precision prepare prepared preserve "
    "primary prior privileges procedural procedure program publication qualify quarter "
    "quarters quote range read real reassign recheck recursive ref references referencing "
    "refresh reindex relative release rename repeatable replace replica reset respect restart "
    "restrict returning returns revoke right role rollback rollup row rows rule sample "
    "savepoint schema schemas scope scroll search second seconds secret security select semi "
    "sequence sequences serializable server session set setof sets share show similar simple "
    "skip smallint snapshot some sorted source sql stable standalone start statement "
    "statistics stdin stdout storage stored strict strip struct subscription substring "
    "summarize symmetric sysid system table tables tablesample tablespace target temp template "
    "temporary text then ties time timestamp to trailing transaction transform treat trigger "
    "trim true truncate trusted try_cast type types unbounded uncommitted unencrypted union "
    "unique unknown unlisten unlogged unpack unpivot until update use user using vacuum valid "
    "validate validator value values varchar variable variadic varying verbose version view "
    "views virtual volatile week weeks when where whitespace window with within without work "
    "wrapper write xml xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces "
    "xmlparse xmlpi xmlroot xmlserialize xmltable year years yes zone";

bool IsKeyword(std::string_view name) {
  std::string lower(name);
  for (char& c : lower)
    c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  for (size_t start = 0; start < kKeywords.size();) {
    size_t end = std::min(kKeywords.find(' ', start), kKeywords.size());
    if (kKeywords.substr(start, end - start) == lower) return true;
    start = end + 1;
  }
  return false;
}

// A field name as DuckDB writes it in a type: bare when it is a plain identifier, else "quoted".
std::string FieldName(std::string_view name) {
  auto plain = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9');
  };
  bool bare = !name.empty() && !(name[0] >= '0' && name[0] <= '9') &&
              std::all_of(name.begin(), name.end(), plain) && !IsKeyword(name);
  if (bare) return std::string(name);
  std::string quoted = "\"";
  for (char c : name)
    quoted += c == '"' ? "\"\"" : std::string(1, c);
  return quoted + "\"";
}

// "a INTEGER, b VARCHAR" for structs and unions; just the types when fields have no names.
std::string FieldsText(duckdb_logical_type type, bool is_union) {
  idx_t count =
      is_union ? duckdb_union_type_member_count(type) : duckdb_struct_type_child_count(type);
  std::string text;
  for (idx_t i = 0; i < count; ++i) {
    if (i > 0) text += ", ";
    std::string name = TakeString(is_union ? duckdb_union_type_member_name(type, i)
                                           : duckdb_struct_type_child_name(type, i));
    OwnedType child(is_union ? duckdb_union_type_member_type(type, i)
                             : duckdb_struct_type_child_type(type, i));
    if (!name.empty()) text += FieldName(name) + " ";
    text += TypeName(child.get());
  }
  return text;
}

std::string EnumName(duckdb_logical_type type) {
  std::string text = "ENUM(";
  for (idx_t i = 0, n = duckdb_enum_dictionary_size(type); i < n; ++i) {
    if (i > 0) text += ", ";
    text += '\'';
    for (char c : TakeString(duckdb_enum_dictionary_value(type, i))) {
      text += c == '\'' ? "''" : std::string(1, c);
    }
    text += '\'';
  }
  return text + ")";
}

// The types whose name is a single word, and whether they are numbers.
struct ScalarType {
  duckdb_type id;
  const char* name;
  bool numeric;
};

constexpr ScalarType kScalarTypes[] = {
    {DUCKDB_TYPE_BOOLEAN, "BOOLEAN", false},
    {DUCKDB_TYPE_TINYINT, "TINYINT", true},
    {DUCKDB_TYPE_SMALLINT, "SMALLINT", true},
    {DUCKDB_TYPE_INTEGER, "INTEGER", true},
    {DUCKDB_TYPE_BIGINT, "BIGINT", true},
    {DUCKDB_TYPE_HUGEINT, "HUGEINT", true},
    {DUCKDB_TYPE_UTINYINT, "UTINYINT", true},
    {DUCKDB_TYPE_USMALLINT, "USMALLINT", true},
    {DUCKDB_TYPE_UINTEGER, "UINTEGER", true},
    {DUCKDB_TYPE_UBIGINT, "UBIGINT", true},
    {DUCKDB_TYPE_UHUGEINT, "UHUGEINT", true},
    {DUCKDB_TYPE_BIGNUM, "BIGNUM", true},
    {DUCKDB_TYPE_FLOAT, "FLOAT", true},
    {DUCKDB_TYPE_DOUBLE, "DOUBLE", true},
    {DUCKDB_TYPE_DECIMAL, "DECIMAL", true},
    {DUCKDB_TYPE_VARCHAR, "VARCHAR", false},
    {DUCKDB_TYPE_BLOB, "BLOB", false},
    {DUCKDB_TYPE_BIT, "BIT", false},
    {DUCKDB_TYPE_UUID, "UUID", false},
    {DUCKDB_TYPE_DATE, "DATE", false},
    {DUCKDB_TYPE_TIME, "TIME", false},
    {DUCKDB_TYPE_TIME_NS, "TIME_NS", false},
    {DUCKDB_TYPE_TIME_TZ, "TIME WITH TIME ZONE", false},
    {DUCKDB_TYPE_TIMESTAMP, "TIMESTAMP", false},
    {DUCKDB_TYPE_TIMESTAMP_S, "TIMESTAMP_S", false},
    {DUCKDB_TYPE_TIMESTAMP_MS, "TIMESTAMP_MS", false},
    {DUCKDB_TYPE_TIMESTAMP_NS, "TIMESTAMP_NS", false},
    {DUCKDB_TYPE_TIMESTAMP_TZ, "TIMESTAMP WITH TIME ZONE", false},
    {DUCKDB_TYPE_INTERVAL, "INTERVAL", false},
    {DUCKDB_TYPE_ANY, "ANY", false},
    {DUCKDB_TYPE_SQLNULL, "\"NULL\"", false},
    {DUCKDB_TYPE_STRING_LITERAL, "STRING_LITERAL", false},
    {DUCKDB_TYPE_INTEGER_LITERAL, "INTEGER_LITERAL", false},
};

const ScalarType* FindScalarType(duckdb_type id) {
  for (const ScalarType& scalar : kScalarTypes) {
    if (scalar.id == id) return &scalar;
  }
  return nullptr;
}

}  // namespace

std::string TypeName(duckdb_logical_type type) {
  std::string alias = TakeString(duckdb_logical_type_get_alias(type));
  if (!alias.empty()) return alias;
  duckdb_type id = duckdb_get_type_id(type);
  switch (id) {
    case DUCKDB_TYPE_DECIMAL:
      return "DECIMAL(" + std::to_string(duckdb_decimal_width(type)) + "," +
             std::to_string(duckdb_decimal_scale(type)) + ")";
    case DUCKDB_TYPE_ENUM:
      return EnumName(type);
    case DUCKDB_TYPE_LIST: {
      OwnedType child(duckdb_list_type_child_type(type));
      return TypeName(child.get()) + "[]";
    }
    case DUCKDB_TYPE_ARRAY: {
      OwnedType child(duckdb_array_type_child_type(type));
      return TypeName(child.get()) + "[" + std::to_string(duckdb_array_type_array_size(type)) + "]";
    }
    case DUCKDB_TYPE_MAP: {
      OwnedType key(duckdb_map_type_key_type(type));
      OwnedType value(duckdb_map_type_value_type(type));
      return "MAP(" + TypeName(key.get()) + ", " + TypeName(value.get()) + ")";
    }
    case DUCKDB_TYPE_STRUCT:
      return "STRUCT(" + FieldsText(type, false) + ")";
    case DUCKDB_TYPE_UNION:
      return "UNION(" + FieldsText(type, true) + ")";
    default: {
      const ScalarType* scalar = FindScalarType(id);
      return scalar ? scalar->name : "INVALID";
    }
  }
}

bool IsNumeric(duckdb_logical_type type) {
  const ScalarType* scalar = FindScalarType(duckdb_get_type_id(type));
  return scalar && scalar->numeric;
}

}  // namespace sluice::duckdb
