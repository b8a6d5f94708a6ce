#include "sluice/duckdb/value_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>
#include <type_traits>
#include <vector>

#include "duckdb/c_api_handles.h"

// Each rendering below follows what DuckDB 1.4's VARCHAR cast writes; tests/duckdb/
// value_text_test.cpp checks every one against DuckDB itself.
namespace sluice::duckdb {
namespace {

__extension__ typedef unsigned __int128 Uint128;

template <typename T>
T Read(duckdb_vector vector, idx_t row) {
  return static_cast<const T*>(duckdb_vector_get_data(vector))[row];
}

bool IsValid(duckdb_vector vector, idx_t row) {
  uint64_t* validity = duckdb_vector_get_validity(vector);
  return validity == nullptr || duckdb_validity_row_is_valid(validity, row);
}

std::string_view StringAt(duckdb_vector vector, idx_t row) {
  auto* value = static_cast<duckdb_string_t*>(duckdb_vector_get_data(vector)) + row;
  return {duckdb_string_t_data(value), duckdb_string_t_length(*value)};
}

// --- Numbers ---

std::string UnsignedText(Uint128 value) {
  char digits[40];
  char* end = digits + sizeof(digits);
  char* begin = end;
  do {
    *--begin = static_cast<char>('0' + static_cast<int>(value % 10));
    value /= 10;
  } while (value != 0);
  return std::string(begin, end);
}

std::string SignedText(bool negative, Uint128 magnitude) {
  return (negative ? "-" : "") + UnsignedText(magnitude);
}

Uint128 Magnitude(duckdb_hugeint value, bool* negative) {
  Uint128 bits = (static_cast<Uint128>(static_cast<uint64_t>(value.upper)) << 64) | value.lower;
  *negative = value.upper < 0;
  return *negative ? ~bits + 1 : bits;
}

// A finite number as significant digits and the decimal exponent of the first: 1500 is
// {"15", 3}.
struct Scientific {
  bool negative = false;
  std::string digits;
  int exponent = 0;
};

// `precision` < 0: the shortest digits that read back as `value`; else that many digits after
// the first, exactly, with trailing zeros dropped.
template <typename Float>
Scientific ToScientific(Float value, int precision = -1) {
  char buffer[160];
  auto result = precision < 0 ? std::to_chars(buffer, buffer + sizeof(buffer), value,
                                              std::chars_format::scientific)
                              : std::to_chars(buffer, buffer + sizeof(buffer), value,
                                              std::chars_format::scientific, precision);
  std::string_view text(buffer, static_cast<size_t>(result.ptr - buffer));
  Scientific number;
  number.negative = text.front() == '-';
  if (number.negative) text.remove_prefix(1);
  size_t e = text.find('e');
  for (char c : text.substr(0, e)) {
    if (c != '.') number.digits += c;
  }
  number.digits.erase(std::max<size_t>(number.digits.find_last_not_of('0') + 1, 1));
  std::from_chars(text.data() + e + 1 + (text[e + 1] == '+'), text.data() + text.size(),
                  number.exponent);
  return number;
}

// DuckDB writes a FLOAT with the shortest digits inside its rounding interval, except where
// those digits tie between two candidates or sit on the interval's edge: there (its Grisu gives
// up) it writes the shortest digits of the value as a DOUBLE (2329973.75, not 2329973.8).
// Checked against DuckDB 1.4 on several million floats of every magnitude.
Scientific FloatDigits(float value) {
  Scientific shortest = ToScientific(value);
  if (value == 0) return shortest;
  double exact = value;
  size_t count = shortest.digits.size();
  Scientific all = ToScientific(exact, 120);
  bool tie = all.digits.size() == count + 1 && all.digits.back() == '5';
  double below = std::nextafter(value, -std::numeric_limits<float>::infinity());
  double above = std::nextafter(value, std::numeric_limits<float>::infinity());
  bool on_edge = false;
  for (double edge : {(exact + below) / 2,
                      std::isinf(above) ? exact + (exact - below) / 2 : (exact + above) / 2}) {
    Scientific digits = ToScientific(edge, 120);
    on_edge = on_edge || digits.digits.size() < count ||
              (digits.digits == shortest.digits && digits.exponent == shortest.exponent);
  }
  return tie || on_edge ? ToScientific(exact) : shortest;
}

// Laid out like Python's repr (DuckDB's fmt does the same): positional for decimal exponents
// -4..15, else d.ddde±XX.
std::string FloatLayout(const Scientific& number) {
  const std::string& digits = number.digits;
  int exponent = number.exponent;
  std::string out = number.negative ? "-" : "";
  if (exponent < -4 || exponent >= 16) {
    out += digits[0];
    if (digits.size() > 1) out += "." + digits.substr(1);
    std::string power = std::to_string(std::abs(exponent));
    return out + (exponent < 0 ? "e-" : "e+") + (power.size() < 2 ? "0" : "") + power;
  }
  if (exponent < 0) {
    return out + "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
  }
  size_t integer_digits = static_cast<size_t>(exponent) + 1;
  if (digits.size() <= integer_digits) {
    return out + digits + std::string(integer_digits - digits.size(), '0') + ".0";
  }
  return out + digits.substr(0, integer_digits) + "." + digits.substr(integer_digits);
}

template <typename Float>
std::string FloatText(Float value) {
  if (std::isnan(value)) return std::signbit(value) ? "-nan" : "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  if constexpr (std::is_same_v<Float, float>) return FloatLayout(FloatDigits(value));
  return FloatLayout(ToScientific(value));
}

// Exactly `scale` fraction digits; no "0" before the point when width == scale (".50").
std::string DecimalText(duckdb_vector vector, duckdb_logical_type type, idx_t row) {
  uint8_t width = duckdb_decimal_width(type);
  uint8_t scale = duckdb_decimal_scale(type);
  bool negative = false;
  Uint128 magnitude = 0;
  auto from_signed = [&](int64_t v) {
    negative = v < 0;
    magnitude = negative ? static_cast<Uint128>(-(v + 1)) + 1 : static_cast<Uint128>(v);
  };
  switch (duckdb_decimal_internal_type(type)) {
    case DUCKDB_TYPE_SMALLINT:
      from_signed(Read<int16_t>(vector, row));
      break;
    case DUCKDB_TYPE_INTEGER:
      from_signed(Read<int32_t>(vector, row));
      break;
    case DUCKDB_TYPE_BIGINT:
      from_signed(Read<int64_t>(vector, row));
      break;
    default:
      magnitude = Magnitude(Read<duckdb_hugeint>(vector, row), &negative);
      break;
  }
  std::string digits = UnsignedText(magnitude);
  if (scale == 0) return SignedText(negative, magnitude);
  if (digits.size() <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
  std::string integer = digits.substr(0, digits.size() - scale);
  if (width == scale) integer.clear();
  return (negative ? "-" : "") + integer + "." + digits.substr(digits.size() - scale);
}

// --- Dates and times ---

std::string Padded(int64_t value, size_t width) {
  std::string text = std::to_string(value);
  if (text.size() < width) text.insert(0, width - text.size(), '0');
  return text;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// Days since 1970-01-01 as YYYY-MM-DD, years before 1 as "YYYY-MM-DD (BC)" (year 0 is 1 BC).
std::string DateText(int64_t days) {
  // Howard Hinnant's civil_from_days.
  int64_t z = days + 719468;
  int64_t era = FloorDiv(z, 146097);
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t day = doy - (153 * mp + 2) / 5 + 1;
  int64_t month = mp < 10 ? mp + 3 : mp - 9;
  int64_t year = yoe + era * 400 + (month <= 2);
  std::string text =
      Padded(year > 0 ? year : 1 - year, 4) + "-" + Padded(month, 2) + "-" + Padded(day, 2);
  return year > 0 ? text : text + " (BC)";
}

// `units` since midnight, `digits` fraction digits per second; the fraction loses trailing zeros.
std::string TimeOfDayText(int64_t units, int digits) {
  int64_t per_second = 1;
  for (int i = 0; i < digits; ++i)
    per_second *= 10;
  int64_t seconds = units / per_second;
  int64_t fraction = units % per_second;
  std::string text = Padded(seconds / 3600, 2) + ":" + Padded(seconds / 60 % 60, 2) + ":" +
                     Padded(seconds % 60, 2);
  if (fraction != 0) {
    std::string part = Padded(fraction, static_cast<size_t>(digits));
    part.erase(part.find_last_not_of('0') + 1);
    text += "." + part;
  }
  return text;
}

// `value` counts units of 10^-digits seconds since the epoch; ±INT64_MAX are ±infinity.
std::string TimestampText(int64_t value, int digits, bool utc_offset) {
  if (value == std::numeric_limits<int64_t>::max()) return "infinity";
  if (value == -std::numeric_limits<int64_t>::max()) return "-infinity";
  int64_t per_day = 86400;
  for (int i = 0; i < digits; ++i)
    per_day *= 10;
  int64_t days = FloorDiv(value, per_day);
  std::string text = DateText(days) + " " + TimeOfDayText(value - days * per_day, digits);
  return utc_offset ? text + "+00" : text;
}

// "+05:30", "-08", "+05:30:15": minutes and seconds each only when not zero, so DuckDB writes
// an offset of one hour and 30 seconds as "+01:30".
std::string OffsetText(int32_t offset) {
  int32_t seconds = offset < 0 ? -offset : offset;
  std::string text = (offset < 0 ? "-" : "+") + Padded(seconds / 3600, 2);
  if (seconds / 60 % 60 != 0) text += ":" + Padded(seconds / 60 % 60, 2);
  if (seconds % 60 != 0) text += ":" + Padded(seconds % 60, 2);
  return text;
}

std::string TimeTzText(duckdb_time_tz value) {
  duckdb_time_tz_struct parts = duckdb_from_time_tz(value);
  duckdb_time_struct t = parts.time;
  int64_t micros = ((t.hour * 60LL + t.min) * 60 + t.sec) * 1000000 + t.micros;
  return TimeOfDayText(micros, 6) + OffsetText(parts.offset);
}

void AppendCount(std::string& out, int64_t count, const char* unit) {
  if (!out.empty()) out += ' ';
  out += std::to_string(count) + " " + unit + (count == 1 || count == -1 ? "" : "s");
}

// "1 year 2 months 3 days 04:05:06.789"; parts that are zero are left out.
std::string IntervalText(duckdb_interval value) {
  std::string text;
  if (value.months / 12 != 0) AppendCount(text, value.months / 12, "year");
  if (value.months % 12 != 0) AppendCount(text, value.months % 12, "month");
  if (value.days != 0) AppendCount(text, value.days, "day");
  if (value.micros != 0) {
    if (!text.empty()) text += ' ';
    uint64_t micros = static_cast<uint64_t>(value.micros);
    if (value.micros < 0) {
      text += '-';
      micros = ~micros + 1;
    }
    std::string clock = TimeOfDayText(static_cast<int64_t>(micros % 3600000000), 6);
    text += Padded(static_cast<int64_t>(micros / 3600000000), 2) + clock.substr(2);
  } else if (text.empty()) {
    text = "00:00:00";
  }
  return text;
}

// --- Bytes ---

// Printable ASCII as is, except the quotes and backslash; every other byte as \xAB.
std::string BlobText(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string text;
  for (unsigned char c : bytes) {
    if (c >= 32 && c <= 126 && c != '\\' && c != '\'' && c != '"') {
      text += static_cast<char>(c);
    } else {
      text += {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return text;
}

// BIT storage: a byte counting the padding bits at the top of the first data byte, then the bits.
std::string BitText(std::string_view bytes) {
  std::string text;
  if (bytes.empty()) return text;
  size_t padding = static_cast<unsigned char>(bytes[0]);
  for (size_t i = 1; i < bytes.size(); ++i) {
    for (int bit = 7; bit >= 0; --bit) {
      if (i == 1 && static_cast<size_t>(7 - bit) < padding) continue;
      text += (static_cast<unsigned char>(bytes[i]) >> bit) & 1 ? '1' : '0';
    }
  }
  return text;
}

// BIGNUM storage: a 3-byte header whose top bit is set for numbers >= 0, then the magnitude's
// bytes, big-endian; a negative number has header and bytes inverted.
std::string BignumText(std::string_view bytes) {
  if (bytes.size() < 3) return "<invalid BIGNUM>";
  bool negative = (static_cast<unsigned char>(bytes[0]) & 0x80) == 0;
  std::vector<unsigned char> magnitude;
  for (size_t i = 3; i < bytes.size(); ++i) {
    auto byte = static_cast<unsigned char>(bytes[i]);
    magnitude.push_back(negative ? static_cast<unsigned char>(~byte) : byte);
  }
  // Repeated division of the big-endian magnitude by 10^9, nine digits at a time.
  std::string digits;
  while (std::any_of(magnitude.begin(), magnitude.end(), [](unsigned char b) { return b; })) {
    uint64_t remainder = 0;
    for (unsigned char& b : magnitude) {
      uint64_t current = (remainder << 8) | b;
      b = static_cast<unsigned char>(current / 1000000000);
      remainder = current % 1000000000;
    }
    std::string chunk = Padded(static_cast<int64_t>(remainder), 9);
    digits.insert(0, chunk);
  }
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
  if (digits.empty()) return "0";
  return (negative ? "-" : "") + digits;
}

// A UUID is stored as a hugeint with the top bit flipped, so that UUIDs sort as their text does.
std::string UuidText(duckdb_hugeint value) {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t halves[2] = {static_cast<uint64_t>(value.upper) ^ (uint64_t{1} << 63), value.lower};
  std::string text;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) text += '-';
    text += kHex[(halves[i / 16] >> (60 - 4 * (i % 16))) & 15];
  }
  return text;
}

// --- Nested values ---

bool IsNested(duckdb_type id) {
  return id == DUCKDB_TYPE_LIST || id == DUCKDB_TYPE_STRUCT || id == DUCKDB_TYPE_MAP ||
         id == DUCKDB_TYPE_ARRAY || id == DUCKDB_TYPE_UNION;
}

bool IsSpace(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

// Inside a nested value a string is quoted when it would otherwise read ambiguously.
bool NeedsQuotes(std::string_view text) {
  if (text.empty() || IsSpace(text.front()) || IsSpace(text.back())) return true;
  if (text.size() == 4 && (text[0] | 0x20) == 'n' && (text[1] | 0x20) == 'u' &&
      (text[2] | 0x20) == 'l' && (text[3] | 0x20) == 'l') {
    return true;
  }
  return text.find_first_of("\"'(),:=[]{}") != std::string_view::npos;
}

void AppendQuoted(std::string& out, std::string_view text) {
  out += '\'';
  for (char c : text) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
}

// How an element's text goes into its parent's: as is, or quoted when NeedsQuotes says so.
// Nested elements are never quoted; their own elements already are.
enum class Quoting { kNever, kWhenAmbiguous };

std::optional<std::string> Render(duckdb_vector vector, duckdb_logical_type type, idx_t row);

void AppendElement(std::string& out, duckdb_vector vector, duckdb_logical_type type, idx_t row,
                   Quoting quoting) {
  std::optional<std::string> text = IsValid(vector, row) ? Render(vector, type, row) : std::nullopt;
  if (!text) {
    out += "NULL";
  } else if (quoting == Quoting::kWhenAmbiguous && !IsNested(duckdb_get_type_id(type)) &&
             NeedsQuotes(*text)) {
    AppendQuoted(out, *text);
  } else {
    out += *text;
  }
}

// Elements [offset, offset + length) of `child` as "[a, b, NULL]".
std::string ElementsText(duckdb_vector child, duckdb_logical_type child_type, idx_t offset,
                         idx_t length, Quoting quoting) {
  std::string text = "[";
  for (idx_t i = 0; i < length; ++i) {
    if (i > 0) text += ", ";
    AppendElement(text, child, child_type, offset + i, quoting);
  }
  return text + "]";
}

std::string ListText(duckdb_vector vector, duckdb_logical_type type, idx_t row) {
  OwnedType child_type(duckdb_list_type_child_type(type));
  // DuckDB leaves JSON elements of a list unquoted (but quotes them in structs and maps).
  bool json = TakeString(duckdb_logical_type_get_alias(child_type.get())) == "JSON";
  auto entry = Read<duckdb_list_entry>(vector, row);
  return ElementsText(duckdb_list_vector_get_child(vector), child_type.get(), entry.offset,
                      entry.length, json ? Quoting::kNever : Quoting::kWhenAmbiguous);
}

std::string ArrayText(duckdb_vector vector, duckdb_logical_type type, idx_t row) {
  OwnedType child_type(duckdb_array_type_child_type(type));
  idx_t size = duckdb_array_type_array_size(type);
  return ElementsText(duckdb_array_vector_get_child(vector), child_type.get(), row * size, size,
                      Quoting::kNever);
}

// {'a': 1, 'b': text}, or (1, text) when the fields have no names (a ROW value).
std::string StructText(duckdb_vector vector, duckdb_logical_type type, idx_t row) {
  idx_t count = duckdb_struct_type_child_count(type);
  std::vector<std::string> names(count);
  bool named = false;
  for (idx_t i = 0; i < count; ++i) {
    names[i] = TakeString(duckdb_struct_type_child_name(type, i));
    named = named || !names[i].empty();
  }
  std::string text = named ? "{" : "(";
  for (idx_t i = 0; i < count; ++i) {
    if (i > 0) text += ", ";
    if (named) {
      AppendQuoted(text, names[i]);
      text += ": ";
    }
    OwnedType child_type(duckdb_struct_type_child_type(type, i));
    AppendElement(text, duckdb_struct_vector_get_child(vector, i), child_type.get(), row,
                  Quoting::kWhenAmbiguous);
  }
  return text + (named ? "}" : ")");
}

// {k=v, k2=v2}: a map is a list of (key, value) structs.
std::string MapText(duckdb_vector vector, duckdb_logical_type type, idx_t row) {
  OwnedType key_type(duckdb_map_type_key_type(type));
  OwnedType value_type(duckdb_map_type_value_type(type));
  duckdb_vector entries = duckdb_list_vector_get_child(vector);
  duckdb_vector keys = duckdb_struct_vector_get_child(entries, 0);
  duckdb_vector values = duckdb_struct_vector_get_child(entries, 1);
  auto entry = Read<duckdb_list_entry>(vector, row);
  std::string text = "{";
  for (idx_t i = entry.offset; i < entry.offset + entry.length; ++i) {
    if (i > entry.offset) text += ", ";
    AppendElement(text, keys, key_type.get(), i, Quoting::kWhenAmbiguous);
    text += '=';
    AppendElement(text, values, value_type.get(), i, Quoting::kWhenAmbiguous);
  }
  return text + "}";
}

// The selected member's value, as that member alone would be written. A union is a struct
// whose first child is the tag and whose other children are the members.
std::optional<std::string> UnionText(duckdb_vector vector, duckdb_logical_type type, idx_t row) {
  auto tag = Read<uint8_t>(duckdb_struct_vector_get_child(vector, 0), row);
  if (tag >= duckdb_union_type_member_count(type)) return "<invalid UNION>";
  OwnedType member_type(duckdb_union_type_member_type(type, tag));
  duckdb_vector member = duckdb_struct_vector_get_child(vector, idx_t{tag} + 1);
  if (!IsValid(member, row)) return std::nullopt;
  return Render(member, member_type.get(), row);
}

std::string EnumText(duckdb_vector vector, duckdb_logical_type type, idx_t row) {
  idx_t index = 0;
  switch (duckdb_enum_internal_type(type)) {
    case DUCKDB_TYPE_UTINYINT:
      index = Read<uint8_t>(vector, row);
      break;
    case DUCKDB_TYPE_USMALLINT:
      index = Read<uint16_t>(vector, row);
      break;
    default:
      index = Read<uint32_t>(vector, row);
      break;
  }
  return TakeString(duckdb_enum_dictionary_value(type, index));
}

// The text of a value known to be valid at this level (a union's member may still be NULL).
std::optional<std::string> Render(duckdb_vector vector, duckdb_logical_type type, idx_t row) {
  switch (duckdb_get_type_id(type)) {
    case DUCKDB_TYPE_BOOLEAN:
      return Read<uint8_t>(vector, row) != 0 ? "true" : "false";
    case DUCKDB_TYPE_TINYINT:
      return std::to_string(Read<int8_t>(vector, row));
    case DUCKDB_TYPE_SMALLINT:
      return std::to_string(Read<int16_t>(vector, row));
    case DUCKDB_TYPE_INTEGER:
      return std::to_string(Read<int32_t>(vector, row));
    case DUCKDB_TYPE_BIGINT:
      return std::to_string(Read<int64_t>(vector, row));
    case DUCKDB_TYPE_UTINYINT:
      return std::to_string(Read<uint8_t>(vector, row));
    case DUCKDB_TYPE_USMALLINT:
      return std::to_string(Read<uint16_t>(vector, row));
    case DUCKDB_TYPE_UINTEGER:
      return std::to_string(Read<uint32_t>(vector, row));
    case DUCKDB_TYPE_UBIGINT:
      return std::to_string(Read<uint64_t>(vector, row));
    case DUCKDB_TYPE_HUGEINT: {
      bool negative = false;
      Uint128 magnitude = Magnitude(Read<duckdb_hugeint>(vector, row), &negative);
      return SignedText(negative, magnitude);
    }
    case DUCKDB_TYPE_UHUGEINT: {
      auto value = Read<duckdb_uhugeint>(vector, row);
      return UnsignedText((static_cast<Uint128>(value.upper) << 64) | value.lower);
    }
    case DUCKDB_TYPE_FLOAT:
      return FloatText(Read<float>(vector, row));
    case DUCKDB_TYPE_DOUBLE:
      return FloatText(Read<double>(vector, row));
    case DUCKDB_TYPE_DECIMAL:
      return DecimalText(vector, type, row);
    case DUCKDB_TYPE_VARCHAR:
      return std::string(StringAt(vector, row));
    case DUCKDB_TYPE_BLOB:
      return BlobText(StringAt(vector, row));
    case DUCKDB_TYPE_BIT:
      return BitText(StringAt(vector, row));
    case DUCKDB_TYPE_BIGNUM:
      return BignumText(StringAt(vector, row));
    case DUCKDB_TYPE_UUID:
      return UuidText(Read<duckdb_hugeint>(vector, row));
    case DUCKDB_TYPE_DATE: {
      int32_t days = Read<duckdb_date>(vector, row).days;
      if (days == std::numeric_limits<int32_t>::max()) return "infinity";
      if (days == -std::numeric_limits<int32_t>::max()) return "-infinity";
      return DateText(days);
    }
    case DUCKDB_TYPE_TIME:
      return TimeOfDayText(Read<duckdb_time>(vector, row).micros, 6);
    case DUCKDB_TYPE_TIME_NS:
      return TimeOfDayText(Read<int64_t>(vector, row), 9);
    case DUCKDB_TYPE_TIME_TZ:
      return TimeTzText(Read<duckdb_time_tz>(vector, row));
    // DuckDB's cast writes these in the session's TimeZone (by default the process's local
    // zone); a vector does not carry the session's setting, so this writes UTC ("+00").
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return TimestampText(Read<int64_t>(vector, row), 6, true);
    case DUCKDB_TYPE_TIMESTAMP:
      return TimestampText(Read<int64_t>(vector, row), 6, false);
    case DUCKDB_TYPE_TIMESTAMP_S:
      return TimestampText(Read<int64_t>(vector, row), 0, false);
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return TimestampText(Read<int64_t>(vector, row), 3, false);
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return TimestampText(Read<int64_t>(vector, row), 9, false);
    case DUCKDB_TYPE_INTERVAL:
      return IntervalText(Read<duckdb_interval>(vector, row));
    case DUCKDB_TYPE_ENUM:
      return EnumText(vector, type, row);
    case DUCKDB_TYPE_LIST:
      return ListText(vector, type, row);
    case DUCKDB_TYPE_ARRAY:
      return ArrayText(vector, type, row);
    case DUCKDB_TYPE_STRUCT:
      return StructText(vector, type, row);
    case DUCKDB_TYPE_MAP:
      return MapText(vector, type, row);
    case DUCKDB_TYPE_UNION:
      return UnionText(vector, type, row);
    default:
      return "<unsupported " + TypeName(type) + ">";
  }
}

}  // namespace

std::optional<std::string> ValueText(duckdb_vector vector, duckdb_logical_type type, idx_t row) {
  if (!IsValid(vector, row)) return std::nullopt;
  return Render(vector, type, row);
}

}  // namespace sluice::duckdb
