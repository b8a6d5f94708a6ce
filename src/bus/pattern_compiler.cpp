// Compiles event patterns, validating them as aws/event-ruler's JsonRuleCompiler does: the same
// checks in the same order, with the same reasons, so a pattern is accepted or refused exactly as
// EventBridge would.
#include <simdjson.h>

#include <map>
#include <set>

#include "bus/case_fold.h"
#include "sluice/bus/event_pattern.h"
#include "sluice/bus/wildcard.h"

namespace sluice::bus {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// EventBridge refuses patterns whose $or branches multiply out to more than this.
constexpr size_t kMaxOrCombinations = 1000;

// EventBridge refuses rules whose wildcards on one field could keep too many matching states
// alive at once; it does not publish its limit. WildcardComplexity approximates Ruler's measure,
// and this limit sits between the patterns AWS was seen to accept (/Users/*/dir/dir/dir/dir/dir/
// doc.txt: 7; two "*/datasync/*.ext" candidates: 9) and refuse (*:*:*:*:*:event-bus/*: 12; four
// such candidates: 19).
constexpr int kMaxWildcardComplexity = 9;

const std::set<std::string_view>& ReservedInsideOr() {
  static const std::set<std::string_view> kReserved = {"exactly",
                                                       "equals-ignore-case",
                                                       "prefix",
                                                       "suffix",
                                                       "anything-but",
                                                       "exists",
                                                       "wildcard",
                                                       "numeric",
                                                       "cidr",
                                                       "=",
                                                       "<",
                                                       "<=",
                                                       ">",
                                                       ">=",
                                                       "regex",
                                                       "not-wildcard",
                                                       "not-equals-ignore-case",
                                                       "date-after",
                                                       "date-on-or-after",
                                                       "date-before",
                                                       "date-on-or-before",
                                                       "in-date-range",
                                                       "ip-address-in-range",
                                                       "ip-address-not-in-range"};
  return kReserved;
}

// Thrown inside the compiler only; CompilePattern turns it into a Status.
struct Refusal {
  std::string reason;
};

[[noreturn]] void Refuse(std::string reason) {
  throw Refusal{std::move(reason)};
}

bool IsNumber(const element& e) {
  auto t = e.type();
  return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
}

double NumberOf(const element& e) {
  switch (e.type()) {
    case element_type::INT64:
      return static_cast<double>(int64_t(e));
    case element_type::UINT64:
      return static_cast<double>(uint64_t(e));
    default:
      return double(e);
  }
}

// Jackson's getText() of a scalar, for messages that quote a value.
std::string TextOf(const element& e) {
  switch (e.type()) {
    case element_type::STRING:
      return std::string(std::string_view(e));
    case element_type::BOOL:
      return bool(e) ? "true" : "false";
    case element_type::NULL_VALUE:
      return "null";
    case element_type::ARRAY:
      return "[";
    case element_type::OBJECT:
      return "{";
    default:
      return simdjson::minify(e);
  }
}

std::string StringOf(const element& e) {
  return std::string(std::string_view(e));
}

using Fields = std::map<std::string, std::vector<ValueMatcher>>;  // path -> alternatives

// Refuses the pattern when the wildcards on any one field are too complex together.
void CheckWildcardComplexity(const std::vector<Fields>& rules) {
  std::map<std::string, std::set<std::string>> by_path;
  for (const Fields& rule : rules) {
    for (const auto& [path, matchers] : rule) {
      for (const ValueMatcher& m : matchers) {
        if (m.kind == MatchKind::kWildcard) by_path[path].insert(m.text);
        if (m.kind == MatchKind::kAnythingButWildcard) {
          by_path[path].insert(m.texts.begin(), m.texts.end());
        }
      }
    }
  }
  for (const auto& [path, texts] : by_path) {
    std::vector<Wildcard> wildcards;
    for (const std::string& text : texts)
      wildcards.push_back(*ParseWildcard(text));
    if (WildcardComplexity(wildcards, kMaxWildcardComplexity + 1) > kMaxWildcardComplexity) {
      Refuse(
          "Rule is too complex - try using fewer wildcard characters or fewer repeating "
          "character sequences after a wildcard character");
    }
  }
}

class Compiler {
 public:
  // With `or_is_keyword` false, "$or" is compiled as an ordinary field name: Ruler falls back to
  // that reading (its legacy compiler) when a pattern fails to compile with `$or` as a keyword.
  explicit Compiler(bool or_is_keyword) : or_is_keyword_(or_is_keyword) {}

  std::vector<Fields> Compile(const element& root) {
    if (root.type() != element_type::OBJECT) Refuse("Filter is not an object");
    std::vector<Fields> rules;
    ParseObject(rules, "", object(root), /*inside_or=*/false);
    return rules;
  }

 private:
  static std::string Extend(const std::string& path, std::string_view step) {
    return path.empty() ? std::string(step) : path + "." + std::string(step);
  }

  void ParseObject(std::vector<Fields>& rules, const std::string& path, const object& obj,
                   bool inside_or) {
    bool fields_present = false;
    for (auto [key, value] : obj) {
      fields_present = true;
      if (or_is_keyword_ && key == "$or") {
        if (value.type() != element_type::ARRAY) Refuse("It must be an Array followed with $or.");
        ParseOr(rules, path, array(value));
        continue;
      }
      if (inside_or && ReservedInsideOr().count(key)) {
        Refuse(std::string(key) + " is Ruler reserved fieldName which cannot be used inside $or.");
      }
      switch (value.type()) {
        case element_type::OBJECT:
          ParseObject(rules, Extend(path, key), object(value), inside_or);
          break;
        case element_type::ARRAY:
          WriteField(rules, Extend(path, key), array(value));
          break;
        default:
          Refuse("\"" + std::string(key) + "\" must be an object or an array");
      }
    }
    if (!fields_present) Refuse("Empty objects are not allowed");
  }

  void ParseOr(std::vector<Fields>& rules, const std::string& path, const array& branches) {
    std::vector<Fields> before = rules;
    rules.clear();
    size_t count = 0;
    for (element branch : branches) {
      ++count;
      if (branch.type() != element_type::OBJECT) {
        Refuse("Only JSON object is allowed in array of $or relationship.");
      }
      std::vector<Fields> forked = before;
      if (forked.empty()) forked.emplace_back();
      ParseObject(forked, path, object(branch), /*inside_or=*/true);
      rules.insert(rules.end(), forked.begin(), forked.end());
      if (rules.size() > kMaxOrCombinations) {
        Refuse("Rule has too many $or combinations (more than " +
               std::to_string(kMaxOrCombinations) + ")");
      }
    }
    if (count < 2) Refuse("There must have at least 2 Objects in $or relationship.");
  }

  void WriteField(std::vector<Fields>& rules, const std::string& name, const array& values) {
    std::vector<ValueMatcher> matchers;
    for (element value : values) {
      switch (value.type()) {
        case element_type::OBJECT:
          matchers.push_back(MatchExpression(object(value)));
          break;
        case element_type::STRING: {
          std::string text = StringOf(value);
          // As in Ruler, a string that is an IP address matches that address in any spelling.
          if (std::optional<IpAddress> ip = ParseIp(text)) {
            ValueMatcher m(MatchKind::kIpRange);
            m.ip_range = {ip->v6, ip->value, ip->value};
            matchers.push_back(std::move(m));
          } else {
            matchers.emplace_back(MatchKind::kExactString, std::move(text));
          }
          break;
        }
        case element_type::INT64:
        case element_type::UINT64:
        case element_type::DOUBLE: {
          ValueMatcher m(MatchKind::kExactNumber);
          m.number = NumberOf(value);
          matchers.push_back(std::move(m));
          break;
        }
        case element_type::BOOL:
          matchers.emplace_back(bool(value) ? MatchKind::kTrue : MatchKind::kFalse);
          break;
        case element_type::NULL_VALUE:
          matchers.emplace_back(MatchKind::kNull);
          break;
        default:
          Refuse("Match value must be String, number, true, false, or null");
      }
    }
    if (matchers.empty()) Refuse("Empty arrays are not allowed");
    if (rules.empty()) rules.emplace_back();
    for (Fields& rule : rules)
      rule[name] = matchers;  // a repeated key: the last one wins
  }

  // {"op": operand} with exactly one key.
  ValueMatcher MatchExpression(const object& expression) {
    auto it = expression.begin();
    if (it == expression.end()) Refuse("Match expression name not found");
    std::string_view op = it.key();
    element operand = it.value();
    const bool more_keys = expression.size() > 1;
    auto one_key = [&] {
      if (more_keys) Refuse("Only one key allowed in match expression");
    };

    if (op == "exactly") {
      if (operand.type() != element_type::STRING) Refuse("exact match pattern must be a string");
      one_key();
      return ValueMatcher(MatchKind::kExactString, StringOf(operand));
    }
    if (op == "prefix" || op == "suffix") {
      ValueMatcher m = PrefixOrSuffix(op, operand);
      one_key();
      return m;
    }
    if (op == "numeric") {
      if (operand.type() != element_type::ARRAY) Refuse("Value of numeric must be an array.");
      ValueMatcher m(MatchKind::kNumericRange);
      m.range = NumericExpression(array(operand));
      if (more_keys) Refuse("Too many elements in numeric expression");
      return m;
    }
    if (op == "anything-but") {
      ValueMatcher m = AnythingBut(operand);
      if (more_keys) Refuse("Too many elements in numeric expression");
      return m;
    }
    if (op == "exists") {
      if (operand.type() != element_type::BOOL) {
        Refuse("exists match pattern must be either true or false.");
      }
      one_key();
      return ValueMatcher(bool(operand) ? MatchKind::kExists : MatchKind::kAbsent);
    }
    if (op == "cidr") {
      if (operand.type() != element_type::STRING) Refuse("prefix match pattern must be a string");
      auto range = ParseCidr(std::string_view(operand));
      if (!range.ok()) Refuse(range.status().message());
      one_key();
      ValueMatcher m(MatchKind::kIpRange);
      m.ip_range = *range;
      return m;
    }
    if (op == "equals-ignore-case") {
      if (operand.type() != element_type::STRING) {
        Refuse("equals-ignore-case match pattern must be a string");
      }
      one_key();
      return ValueMatcher(MatchKind::kEqualsIgnoreCase, FoldCase(std::string_view(operand)));
    }
    if (op == "wildcard") {
      if (operand.type() != element_type::STRING) Refuse("wildcard match pattern must be a string");
      std::string text = StringOf(operand);
      auto parsed = ParseWildcard(text);
      if (!parsed.ok()) Refuse(parsed.status().message());
      one_key();
      ValueMatcher m(MatchKind::kWildcard, std::move(text));
      m.wildcards.push_back(std::move(parsed).value());
      return m;
    }
    Refuse("Unrecognized match type " + std::string(op));
  }

  // {"prefix": "a"} or {"prefix": {"equals-ignore-case": "a"}}, and the same for suffix.
  ValueMatcher PrefixOrSuffix(std::string_view op, const element& operand) {
    const bool prefix = op == "prefix";
    if (operand.type() == element_type::OBJECT) {
      object inner(operand);
      auto it = inner.begin();
      if (it == inner.end()) {
        Refuse(prefix ? "Prefix expression name not found" : "Suffix expression name not found");
      }
      if (it.key() != "equals-ignore-case") {
        Refuse("Unsupported " + std::string(op) + " pattern: " + std::string(it.key()));
      }
      if (it.value().type() != element_type::STRING) {
        Refuse("equals-ignore-case match pattern must be a string");
      }
      if (inner.size() > 1) Refuse("Only one key allowed in match expression");
      return ValueMatcher(prefix ? MatchKind::kPrefixIgnoreCase : MatchKind::kSuffixIgnoreCase,
                          FoldCase(std::string_view(it.value())));
    }
    if (operand.type() != element_type::STRING) {
      Refuse(std::string(op) + " match pattern must be a string");
    }
    return ValueMatcher(prefix ? MatchKind::kPrefix : MatchKind::kSuffix, StringOf(operand));
  }

  NumericRange NumericExpression(const array& terms) {
    std::vector<element> t;
    for (element e : terms)
      t.push_back(e);
    size_t i = 0;
    auto next = [&]() -> const element* { return i < t.size() ? &t[i++] : nullptr; };
    const element* op_token = next();
    if (op_token == nullptr || op_token->type() != element_type::STRING) {
      Refuse("Invalid member in numeric match: " + (op_token ? TextOf(*op_token) : "]"));
    }
    std::string op = StringOf(*op_token);
    const element* value = next();
    auto require_number = [&](const element* v, const std::string& what) {
      if (v == nullptr || !IsNumber(*v)) Refuse("Value of " + what + " must be numeric");
      return NumberOf(*v);
    };
    NumericRange range;
    if (op == "=") {
      double x = require_number(value, "equals");
      if (i < t.size()) Refuse("Too many elements in numeric expression");
      range = {x, x, true, true, false, false};
      return range;
    }
    if (op == ">=" || op == ">") {
      range.low = require_number(value, op);
      range.has_low = true;
      range.low_open = op == ">";
      const element* upper_op = next();
      if (upper_op == nullptr) return range;
      if (upper_op->type() != element_type::STRING) {
        Refuse("Bad value in numeric range: " + TextOf(*upper_op));
      }
      std::string upper = StringOf(*upper_op);
      if (upper != "<" && upper != "<=") Refuse("Bad numeric range operator: " + upper);
      range.high = require_number(next(), upper);
      range.has_high = true;
      range.high_open = upper == "<";
      if (i < t.size()) Refuse("Too many terms in numeric range expression");
      if (!(range.low < range.high)) Refuse("Bottom must be less than top");
      return range;
    }
    if (op == "<=" || op == "<") {
      range.high = require_number(value, op);
      range.has_high = true;
      range.high_open = op == "<";
      if (i < t.size()) Refuse("Too many elements in numeric expression");
      return range;
    }
    Refuse("Unrecognized numeric range operator: " + op);
  }

  ValueMatcher AnythingBut(const element& operand) {
    if (operand.type() == element_type::OBJECT) return AnythingButObject(object(operand));
    if (operand.type() == element_type::ARRAY) return AnythingButList(array(operand));
    if (operand.type() == element_type::STRING) {
      ValueMatcher m(MatchKind::kAnythingButStrings);
      m.texts.push_back(StringOf(operand));
      return m;
    }
    if (IsNumber(operand)) {
      ValueMatcher m(MatchKind::kAnythingButNumbers);
      m.numbers.push_back(NumberOf(operand));
      return m;
    }
    Refuse("Value of anything-but must be an array or single string/number value.");
  }

  ValueMatcher AnythingButList(const array& values) {
    ValueMatcher strings(MatchKind::kAnythingButStrings), numbers(MatchKind::kAnythingButNumbers);
    for (element value : values) {
      if (value.type() == element_type::STRING) {
        strings.texts.push_back(StringOf(value));
      } else if (IsNumber(value)) {
        numbers.numbers.push_back(NumberOf(value));
      } else {
        Refuse("Inside anything but list, start|null|boolean is not supported.");
      }
    }
    const bool has_strings = !strings.texts.empty(), has_numbers = !numbers.numbers.empty();
    if (has_strings == has_numbers) {
      Refuse(
          "Inside anything but list, either all values are number or string, mixed type is "
          "not supported");
    }
    return has_strings ? strings : numbers;
  }

  // {"prefix": …}, {"suffix": …}, {"equals-ignore-case": …}, {"wildcard": …}: one string or a
  // list of strings each.
  ValueMatcher AnythingButObject(const object& inner) {
    auto it = inner.begin();
    if (it == inner.end()) Refuse("Anything-But expression name not found");
    std::string_view op = it.key();
    element operand = it.value();
    ValueMatcher m;
    if (op == "prefix") {
      m.kind = MatchKind::kAnythingButPrefix;
    } else if (op == "suffix") {
      m.kind = MatchKind::kAnythingButSuffix;
    } else if (op == "equals-ignore-case") {
      m.kind = MatchKind::kAnythingButIgnoreCase;
    } else if (op == "wildcard") {
      m.kind = MatchKind::kAnythingButWildcard;
    } else {
      Refuse("Unsupported anything-but pattern: " + std::string(op));
    }
    // The operand: one string, or a list of strings. Ruler checks its token type first, so a
    // boolean, null or object gets the generic message, a number the operator's own.
    const auto type = operand.type();
    if (type != element_type::ARRAY && type != element_type::STRING && !IsNumber(operand)) {
      Refuse("Value of anything-but must be an array or single string/number value.");
    }
    std::vector<element> items;
    if (type == element_type::ARRAY) {
      for (element e : array(operand))
        items.push_back(e);
    } else {
      items.push_back(operand);
    }
    for (const element& item : items) {
      if (item.type() != element_type::STRING) {
        switch (m.kind) {
          case MatchKind::kAnythingButIgnoreCase:
            Refuse(
                "Inside anything-but/equals-ignore-case list, number|start|null|boolean is "
                "not supported.");
          case MatchKind::kAnythingButWildcard:
            Refuse("wildcard match pattern must be a string");
          default:
            Refuse("prefix/suffix match pattern must be a string");
        }
      }
      std::string text = StringOf(item);
      if ((m.kind == MatchKind::kAnythingButPrefix || m.kind == MatchKind::kAnythingButSuffix) &&
          text.empty()) {
        Refuse("Null prefix/suffix not allowed");
      }
      if (m.kind == MatchKind::kAnythingButWildcard) {
        auto parsed = ParseWildcard(text);
        if (!parsed.ok()) Refuse(parsed.status().message());
        m.wildcards.push_back(std::move(parsed).value());
      }
      m.texts.push_back(m.kind == MatchKind::kAnythingButIgnoreCase ? FoldCase(text) : text);
    }
    // Ruler reports any extra key around anything-but with its numeric wording.
    if (inner.size() > 1) Refuse("Too many elements in numeric expression");
    return m;
  }

  const bool or_is_keyword_;
};

}  // namespace

bool FieldPattern::AcceptsAbsence() const {
  for (const ValueMatcher& m : matchers) {
    if (m.kind == MatchKind::kAbsent) return true;
  }
  return false;
}

Result<EventPattern> CompilePattern(std::string_view json) {
  auto invalid = [](const std::string& reason) {
    return Status::InvalidArgument("Event pattern is not valid. Reason: " + reason,
                                   std::string(kInvalidEventPattern));
  };
  simdjson::dom::parser parser;
  element root;
  if (auto error = parser.parse(json.data(), json.size()).get(root); error) {
    return invalid(std::string("the pattern is not valid JSON: ") + simdjson::error_message(error));
  }
  std::vector<Fields> rules;
  try {
    rules = Compiler(/*or_is_keyword=*/true).Compile(root);
  } catch (const Refusal& refusal) {
    // As Ruler does: read "$or" as a plain field name instead; if that fails too, the first
    // reading's reason is the one to report.
    try {
      rules = Compiler(/*or_is_keyword=*/false).Compile(root);
    } catch (const Refusal&) {
      return invalid(refusal.reason);
    }
  } catch (const simdjson::simdjson_error& e) {
    return invalid(e.what());
  }
  try {
    CheckWildcardComplexity(rules);
  } catch (const Refusal& refusal) {
    return invalid(refusal.reason);
  }
  EventPattern pattern;
  for (Fields& rule : rules) {
    SubPattern sub;
    for (auto& [path, matchers] : rule)
      sub.fields.push_back({path, std::move(matchers)});
    pattern.alternatives.push_back(std::move(sub));
  }
  return pattern;
}

}  // namespace sluice::bus
