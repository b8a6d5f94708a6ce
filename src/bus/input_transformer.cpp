#include "sluice/bus/input_transformer.h"

#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "sluice/common/time_format.h"

namespace sluice::bus {
namespace {

// Ordered, so that objects keep the event's key order and `.*` visits members in that order.
using Json = nlohmann::ordered_json;

constexpr size_t kMaxInputPaths = 100;
constexpr size_t kMaxNameLength = 256;
constexpr size_t kMaxPathLength = 256;
constexpr size_t kMaxTemplateLength = 8192;

constexpr std::string_view kRuleArn = "aws.events.rule-arn";
constexpr std::string_view kRuleName = "aws.events.rule-name";
constexpr std::string_view kIngestionTime = "aws.events.event.ingestion-time";
constexpr std::string_view kEvent = "aws.events.event";
constexpr std::string_view kEventJson = "aws.events.event.json";

std::string Quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

bool IsReserved(std::string_view name) {
  return name == kRuleArn || name == kRuleName || name == kIngestionTime || name == kEvent ||
         name == kEventJson;
}

// The two placeholders whose JSON is inserted unescaped even inside strings.
bool IsWholeEvent(std::string_view name) {
  return name == kEvent || name == kEventJson;
}

bool IsAlphanumeric(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsVariableCharacter(char c) {
  return IsAlphanumeric(c) || c == '_' || c == '-';
}
bool IsPathNameCharacter(char c) {
  return IsVariableCharacter(c) || c == '/';
}
// Wider than variable names: the reserved names hold dots.
bool IsPlaceholderCharacter(char c) {
  return IsVariableCharacter(c) || c == '.';
}

// "AWS." in any case: the names EventBridge keeps for itself.
bool StartsWithAwsDot(std::string_view name) {
  if (name.size() < 4 || name[3] != '.') return false;
  for (size_t i = 0; i < 3; ++i) {
    if ((name[i] & ~0x20) != "AWS"[i]) return false;
  }
  return true;
}

// Length as AWS counts it for the template: characters, not UTF-8 bytes.
size_t CountCharacters(std::string_view text) {
  size_t count = 0;
  for (char c : text)
    count += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return count;
}

// ---- JSONPath ----

struct PathStep {
  enum class Kind { kMember, kIndex, kWildcard };
  Kind kind;
  std::string name;  // kMember
  size_t index = 0;  // kIndex
};

struct JsonPath {
  std::vector<PathStep> steps;
  bool has_wildcard = false;
};

// Why `text` is not a JSONPath EventBridge accepts, or an empty string when it is one.
std::string PathSyntaxError(std::string_view text, JsonPath& path) {
  if (text.size() > kMaxPathLength) return "it is longer than 256 characters";
  if (text.empty() || text[0] != '$') return "it must start with $";
  auto at = [](size_t i) { return " at character " + std::to_string(i + 1); };
  size_t i = 1;
  while (i < text.size()) {
    if (text[i] == '.') {
      ++i;
      if (i < text.size() && text[i] == '*') {
        path.steps.push_back({PathStep::Kind::kWildcard, {}, 0});
        path.has_wildcard = true;
        ++i;
        continue;
      }
      size_t start = i;
      while (i < text.size() && IsPathNameCharacter(text[i]))
        ++i;
      if (i == start) {
        return "expected a name of letters, digits, '-', '_' or '/' or a * after '.'" + at(start);
      }
      path.steps.push_back(
          {PathStep::Kind::kMember, std::string(text.substr(start, i - start)), 0});
    } else if (text[i] == '[') {
      size_t start = ++i;
      if (text.substr(start, 2) == "*]") {
        path.steps.push_back({PathStep::Kind::kWildcard, {}, 0});
        path.has_wildcard = true;
        i += 2;
        continue;
      }
      if (i < text.size() && (text[i] == '\'' || text[i] == '"')) {
        return "bracket notation" + at(start - 1) + " is not supported; use dot notation";
      }
      while (i < text.size() && IsDigit(text[i]))
        ++i;
      size_t index = 0;
      auto [end, error] = std::from_chars(text.data() + start, text.data() + i, index);
      if (i == start || i >= text.size() || text[i] != ']' || error != std::errc()) {
        return "expected an array index like [0] or [*]" + at(start - 1);
      }
      path.steps.push_back({PathStep::Kind::kIndex, {}, index});
      ++i;
    } else {
      return "unexpected '" + std::string(1, text[i]) + "'" + at(i);
    }
  }
  return {};
}

// `what` names the path in errors: "InputPath", "InputPathsMap value for \"instance\"".
Result<JsonPath> ParseJsonPath(std::string_view text, std::string_view what) {
  JsonPath path;
  if (std::string error = PathSyntaxError(text, path); !error.empty()) {
    return Status::Validation(std::string(what) + " " + Quoted(text) +
                              " is not a JSONPath EventBridge accepts: " + error);
  }
  return path;
}

// What `path` selects in `root`: the value it reaches; for a path with a wildcard, an array of all
// the values it reaches; nothing when it reaches none.
std::optional<Json> Select(const JsonPath& path, const Json& root) {
  std::vector<const Json*> nodes{&root};
  std::vector<const Json*> next;
  for (const PathStep& step : path.steps) {
    next.clear();
    for (const Json* node : nodes) {
      switch (step.kind) {
        case PathStep::Kind::kMember:
          if (node->is_object()) {
            auto it = node->find(step.name);
            if (it != node->end()) next.push_back(&*it);
          }
          break;
        case PathStep::Kind::kIndex:
          if (node->is_array() && step.index < node->size()) next.push_back(&(*node)[step.index]);
          break;
        case PathStep::Kind::kWildcard:
          if (node->is_structured()) {
            for (const Json& child : *node) {
              next.push_back(&child);
            }
          }
          break;
      }
    }
    nodes.swap(next);
    if (nodes.empty()) return std::nullopt;
  }
  if (!path.has_wildcard) return *nodes.front();
  Json all = Json::array();
  for (const Json* node : nodes) {
    all.push_back(*node);
  }
  return all;
}

// ---- InputTemplate ----

// Where a placeholder stands, which decides how its value is written.
enum class Position {
  kValue,     // a JSON value of its own: the value's JSON text; nothing selected: ""
  kInString,  // inside a JSON string: a string's raw text, any other value's JSON text
  kKey,       // in an object key (refused by validation; filled in as kInString)
  kText,      // in a plain-text template: as kInString
};

struct Piece {
  std::string_view literal;      // template text before the placeholder
  std::string_view placeholder;  // its name; empty in the last piece, which has none
  Position position = Position::kText;
};

struct Template {
  bool is_json = false;
  std::vector<Piece> pieces;
  Status problem;  // the first thing PutTargets refuses in the template, or OK
};

// The name in a `<name>` starting at text[at], or an empty view when none starts there.
std::string_view PlaceholderNameAt(std::string_view text, size_t at) {
  size_t end = at + 1;
  while (end < text.size() && IsPlaceholderCharacter(text[end])) {
    ++end;
  }
  if (end == at + 1 || end >= text.size() || text[end] != '>') return {};
  return text.substr(at + 1, end - at - 1);
}

// Splits a template at its placeholders, working out where each stands. JSON templates are
// followed only as far as strings, keys and values go; whether the filled-in text is valid JSON
// is checked when it is made.
class TemplateScanner {
 public:
  TemplateScanner(std::string_view text, const std::map<std::string, std::string>& paths)
      : text_(text), paths_(paths) {}

  Template Scan() && {
    size_t first = text_.find_first_not_of(" \t\r\n");
    result_.is_json = first != std::string_view::npos &&
                      (text_[first] == '{' || text_[first] == '[' || text_[first] == '"');
    if (result_.is_json) {
      ScanJson();
    } else {
      for (size_t i = 0; i < text_.size();) {
        i = text_[i] == '<' ? Placeholder(i, Position::kText) : i + 1;
      }
    }
    result_.pieces.push_back({text_.substr(literal_start_), {}, Position::kText});
    return std::move(result_);
  }

 private:
  struct Frame {
    bool object;
    bool expect_key;  // in an object, before the next key's ':'
  };

  void ScanJson() {
    for (size_t i = 0; i < text_.size(); ++i) {
      char c = text_[i];
      if (c == '"' || c == '<') {
        bool key = AtKey();
        if (key) stack_.back().expect_key = false;
        if (c == '<') {
          i = Placeholder(i, key ? Position::kKey : Position::kValue) - 1;
        } else {
          i = ScanString(i + 1, key ? Position::kKey : Position::kInString);
        }
      } else if (c == '{' || c == '[') {
        stack_.push_back({c == '{', c == '{'});
      } else if ((c == '}' || c == ']') && !stack_.empty()) {
        stack_.pop_back();
      } else if ((c == ',' || c == ':') && !stack_.empty() && stack_.back().object) {
        stack_.back().expect_key = c == ',';
      }
    }
  }

  // Scans the string whose text starts at `i`; returns the index of its closing quote. "\<" is no
  // escape: EventBridge lets nothing escape a placeholder.
  size_t ScanString(size_t i, Position position) {
    while (i < text_.size() && text_[i] != '"') {
      if (text_[i] == '\\' && i + 1 < text_.size() && text_[i + 1] != '<') {
        i += 2;
      } else {
        i = text_[i] == '<' ? Placeholder(i, position) : i + 1;
      }
    }
    return i;
  }

  bool AtKey() const { return !stack_.empty() && stack_.back().object && stack_.back().expect_key; }

  // At a '<': records the placeholder it starts and returns the index after it, or returns the
  // next index when the '<' is literal text.
  size_t Placeholder(size_t i, Position position) {
    std::string_view name = PlaceholderNameAt(text_, i);
    if (name.empty()) return i + 1;
    std::string shown = "<" + std::string(name) + ">";
    if (!IsReserved(name) && paths_.count(std::string(name)) == 0) {
      Refuse("contains invalid placeholder " + shown +
             ": it is neither in InputPathsMap nor reserved");
      return i + 1;
    }
    if (position == Position::kKey) {
      Refuse("uses placeholder " + shown + " in an object key; placeholders may not be keys");
    } else if (IsWholeEvent(name) && position != Position::kValue) {
      Refuse("uses " + shown +
             (position == Position::kText ? " in a plain-text template" : " inside a string") +
             "; it may only stand as a JSON value");
    }
    result_.pieces.push_back({text_.substr(literal_start_, i - literal_start_), name, position});
    literal_start_ = i + name.size() + 2;
    return literal_start_;
  }

  void Refuse(const std::string& message) {
    if (result_.problem.ok()) result_.problem = Status::Validation("InputTemplate " + message);
  }

  std::string_view text_;
  const std::map<std::string, std::string>& paths_;
  Template result_;
  size_t literal_start_ = 0;
  std::vector<Frame> stack_;
};

Template ParseTemplate(std::string_view text, const std::map<std::string, std::string>& paths) {
  return TemplateScanner(text, paths).Scan();
}

// ---- Filling in ----

Result<Json> ParseEvent(std::string_view event_json) {
  Json event = Json::parse(event_json.begin(), event_json.end(), nullptr, false);
  if (event.is_discarded()) return Status::InvalidArgument("the event is not valid JSON");
  if (!event.is_object()) return Status::InvalidArgument("the event is not a JSON object");
  return event;
}

std::string JsonText(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// The event as <aws.events.event> shows it: without `detail`, and with `detail-type` spelled
// `detailType`, as EventBridge delivers it.
Json EventWithoutDetail(const Json& event) {
  Json out = Json::object();
  for (auto it = event.begin(); it != event.end(); ++it) {
    if (it.key() == "detail") continue;
    out[it.key() == "detail-type" ? std::string("detailType") : it.key()] = it.value();
  }
  return out;
}

// The value of placeholder `name` for `event`; nothing when its path selects nothing.
Result<std::optional<Json>> Resolve(std::string_view name, const InputTransformer& transformer,
                                    const Json& event, const TransformContext& context) {
  if (name == kRuleArn) return std::optional<Json>(Json(context.rule_arn));
  if (name == kRuleName) return std::optional<Json>(Json(context.rule_name));
  if (name == kIngestionTime) {
    return std::optional<Json>(Json(FormatRfc3339Seconds(context.ingestion_time)));
  }
  if (name == kEvent) return std::optional<Json>(EventWithoutDetail(event));
  if (name == kEventJson) return std::optional<Json>(event);
  std::string key(name);
  SLUICE_ASSIGN_OR_RETURN(JsonPath path, ParseJsonPath(transformer.input_paths.at(key),
                                                       "InputPathsMap value for " + Quoted(key)));
  return Select(path, event);
}

void AppendValue(std::string& out, const std::optional<Json>& value, Position position) {
  if (position == Position::kValue) {
    out += value ? JsonText(*value) : "\"\"";
  } else if (value) {
    out += value->is_string() ? value->get_ref<const std::string&>() : JsonText(*value);
  }
}

// `json` (valid JSON text) without the blanks between its tokens.
std::string Minify(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      out += c;
      if (c == '\\') {
        out += json[++i];
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
      out += c;
    } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      out += c;
    }
  }
  return out;
}

// At most about 200 bytes of `text`, cut at a character boundary, for error messages.
std::string Excerpt(std::string_view text) {
  if (text.size() <= 200) return std::string(text);
  size_t end = 200;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
    --end;
  return std::string(text.substr(0, end)) + "...";
}

}  // namespace

Status ValidateInputTransformer(const InputTransformer& transformer) {
  if (transformer.input_paths.size() > kMaxInputPaths) {
    return Status::Validation("InputPathsMap has " +
                              std::to_string(transformer.input_paths.size()) +
                              " entries; at most 100 are allowed");
  }
  for (const auto& [name, path] : transformer.input_paths) {
    std::string key = "InputPathsMap key " + Quoted(name);
    if (IsReserved(name))
      return Status::Validation(key + " is a reserved variable and cannot be redefined");
    if (StartsWithAwsDot(name)) {
      return Status::Validation(key + " must not start with \"AWS.\"");
    }
    if (name.empty() || name.size() > kMaxNameLength) {
      return Status::Validation(key + " must be 1 to 256 characters long");
    }
    for (char c : name) {
      if (!IsVariableCharacter(c))
        return Status::Validation(key + " may hold only letters, digits, '_' and '-'");
    }
    SLUICE_RETURN_IF_ERROR(ParseJsonPath(path, "InputPathsMap value for " + Quoted(name)).status());
  }
  size_t length = CountCharacters(transformer.input_template);
  if (length == 0 || length > kMaxTemplateLength) {
    return Status::Validation("InputTemplate must be 1 to 8192 characters long; it has " +
                              std::to_string(length));
  }
  return ParseTemplate(transformer.input_template, transformer.input_paths).problem;
}

Result<std::string> ApplyInputTransformer(const InputTransformer& transformer,
                                          std::string_view event_json,
                                          const TransformContext& context) {
  SLUICE_ASSIGN_OR_RETURN(Json event, ParseEvent(event_json));
  Template parsed = ParseTemplate(transformer.input_template, transformer.input_paths);
  // Each variable the template uses, selected once.
  std::map<std::string_view, std::optional<Json>> values;
  for (const Piece& piece : parsed.pieces) {
    if (piece.placeholder.empty() || values.count(piece.placeholder) != 0) continue;
    SLUICE_ASSIGN_OR_RETURN(values[piece.placeholder],
                            Resolve(piece.placeholder, transformer, event, context));
  }
  std::string out;
  for (const Piece& piece : parsed.pieces) {
    out += piece.literal;
    if (!piece.placeholder.empty()) AppendValue(out, values[piece.placeholder], piece.position);
  }
  if (!parsed.is_json) return out;
  if (!Json::accept(out)) {
    return Status::InvalidArgument(
        "the target input made from the InputTemplate is not valid JSON (EventBridge inserts "
        "values unescaped, so the invocation fails): " +
        Excerpt(out));
  }
  return Minify(out);
}

Status ValidateInputPath(std::string_view input_path) {
  return ParseJsonPath(input_path, "InputPath").status();
}

Result<std::string> ApplyInputPath(std::string_view input_path, std::string_view event_json) {
  SLUICE_ASSIGN_OR_RETURN(JsonPath path, ParseJsonPath(input_path, "InputPath"));
  SLUICE_ASSIGN_OR_RETURN(Json event, ParseEvent(event_json));
  std::optional<Json> selected = Select(path, event);
  if (!selected) {
    return Status::NotFound("InputPath " + Quoted(input_path) + " selects nothing in the event");
  }
  return JsonText(*selected);
}

}  // namespace sluice::bus
