#include "sluice/engine/lake_sql.h"

#include <array>
#include <vector>

// The lexer follows DuckDB's (PostgreSQL's) rules: '' inside a string is a quote, E'' strings
// take backslash escapes, strings separated only by whitespace holding a newline are one string
// ('a'<newline>'b' is 'ab'), /* */ comments nest, and $tag$ ... $tag$ quotes anything.
namespace sluice::engine {
namespace {

constexpr std::array<std::string_view, 11> kFileFunctions = {
    "read_csv",          "read_csv_auto",  "read_parquet", "parquet_scan",
    "read_json",         "read_json_auto", "read_ndjson",  "read_ndjson_auto",
    "read_json_objects", "read_text",      "read_blob"};

// Functions whose arguments are written with FROM (EXTRACT(year FROM d), TRIM('x' FROM s)):
// a FROM directly inside their parentheses names no table.
constexpr std::array<std::string_view, 4> kFromArgumentFunctions = {"extract", "substring", "trim",
                                                                    "overlay"};

enum class TokenKind {
  kWord,         // an identifier or keyword, unquoted
  kQuotedWord,   // a "quoted identifier"
  kString,       // '...' or E'...': the literals that may be replaced
  kOtherString,  // $$...$$, X'..', B'..', N'..', U&'..': never replaced
  kSymbol,       // one byte of punctuation or an operator
  kOther,        // numbers, parameters
};

struct Token {
  Token(TokenKind kind, size_t begin, size_t end) : kind(kind), begin(begin), end(end) {}

  TokenKind kind;
  size_t begin;  // byte range of the whole token in the SQL text
  size_t end;
  bool escapes = false;  // an E'' string: backslash escapes apply
  // For strings, the byte ranges between the quotes of each part ('a'<newline>'b' has two).
  std::vector<std::pair<size_t, size_t>> parts;
};

bool IsIdentStart(char c) {
  auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || u >= 0x80;
}
bool IsIdentChar(char c) {
  return IsIdentStart(c) || (c >= '0' && c <= '9') || c == '$';
}
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

template <size_t N>
bool IsOneOf(std::string_view word, const std::array<std::string_view, N>& words) {
  for (std::string_view w : words) {
    if (EqualsIgnoreCase(word, w)) return true;
  }
  return false;
}

class Lexer {
 public:
  explicit Lexer(std::string_view sql) : sql_(sql) {}

  Result<std::vector<Token>> Tokens() {
    std::vector<Token> tokens;
    while (pos_ < sql_.size()) {
      size_t begin = pos_;
      char c = sql_[pos_];
      if (IsSpace(c)) {
        ++pos_;
      } else if (At("--")) {
        SkipLineComment();
      } else if (At("/*")) {
        SLUICE_RETURN_IF_ERROR(SkipBlockComment());
      } else if (c == '\'') {
        SLUICE_RETURN_IF_ERROR(AddString(tokens, begin, TokenKind::kString, false));
      } else if ((c == 'e' || c == 'E') && Next(1) == '\'') {
        ++pos_;
        SLUICE_RETURN_IF_ERROR(AddString(tokens, begin, TokenKind::kString, true));
      } else if (std::string_view("xXbBnN").find(c) != std::string_view::npos && Next(1) == '\'') {
        ++pos_;
        SLUICE_RETURN_IF_ERROR(AddString(tokens, begin, TokenKind::kOtherString, false));
      } else if ((c == 'u' || c == 'U') && Next(1) == '&' && Next(2) == '\'') {
        pos_ += 2;
        SLUICE_RETURN_IF_ERROR(AddString(tokens, begin, TokenKind::kOtherString, false));
      } else if ((c == 'u' || c == 'U') && Next(1) == '&' && Next(2) == '"') {
        pos_ += 2;
        SLUICE_RETURN_IF_ERROR(AddQuotedWord(tokens, begin));
      } else if (c == '"') {
        SLUICE_RETURN_IF_ERROR(AddQuotedWord(tokens, begin));
      } else if (c == '$' && DollarTagLength() > 0) {
        SLUICE_RETURN_IF_ERROR(AddDollarString(tokens, begin));
      } else if (IsIdentStart(c)) {
        while (pos_ < sql_.size() && IsIdentChar(sql_[pos_]))
          ++pos_;
        tokens.emplace_back(TokenKind::kWord, begin, pos_);
      } else if ((c >= '0' && c <= '9') || c == '$') {
        ++pos_;  // a number, or a $1 / $name parameter
        while (pos_ < sql_.size() && (IsIdentChar(sql_[pos_]) || sql_[pos_] == '.'))
          ++pos_;
        tokens.emplace_back(TokenKind::kOther, begin, pos_);
      } else {
        tokens.emplace_back(TokenKind::kSymbol, begin, ++pos_);
      }
    }
    return tokens;
  }

 private:
  bool At(std::string_view text) const { return sql_.substr(pos_, text.size()) == text; }
  char Next(size_t offset) const {
    return pos_ + offset < sql_.size() ? sql_[pos_ + offset] : '\0';
  }

  // "unterminated string starting at line 2, column 7" (columns count characters, not bytes).
  Status Unterminated(const char* what, size_t begin) const {
    size_t line = 1, column = 1;
    for (size_t i = 0; i < begin; ++i) {
      if (sql_[i] == '\n') {
        ++line;
        column = 1;
      } else if ((static_cast<unsigned char>(sql_[i]) & 0xC0) != 0x80) {
        ++column;
      }
    }
    return Status::InvalidArgument(std::string("unterminated ") + what + " starting at line " +
                                   std::to_string(line) + ", column " + std::to_string(column));
  }

  void SkipLineComment() {
    while (pos_ < sql_.size() && sql_[pos_] != '\n' && sql_[pos_] != '\r')
      ++pos_;
  }

  Status SkipBlockComment() {
    size_t begin = pos_;
    int depth = 0;
    do {
      if (pos_ >= sql_.size()) return Unterminated("comment", begin);
      if (At("/*")) {
        ++depth;
        pos_ += 2;
      } else if (At("*/")) {
        --depth;
        pos_ += 2;
      } else {
        ++pos_;
      }
    } while (depth > 0);
    return Status::Ok();
  }

  // A string from the opening quote at pos_, with any parts continuing it on later lines.
  Status AddString(std::vector<Token>& tokens, size_t begin, TokenKind kind, bool escapes) {
    Token token(kind, begin, begin);
    token.escapes = escapes;
    do {
      size_t content = ++pos_;
      while (true) {
        if (pos_ >= sql_.size()) return Unterminated("string", begin);
        if (escapes && sql_[pos_] == '\\') {
          pos_ += 2;
        } else if (sql_[pos_] == '\'' && Next(1) == '\'') {
          pos_ += 2;
        } else if (sql_[pos_] == '\'') {
          break;
        } else {
          ++pos_;
        }
      }
      token.parts.emplace_back(content, pos_++);
      token.end = pos_;
    } while (SkipToContinuation());
    tokens.push_back(std::move(token));
    return Status::Ok();
  }

  // After a string's closing quote: whether whitespace holding a newline (and -- comments)
  // leads to another quote that continues the string. If so, moves to that quote.
  bool SkipToContinuation() {
    size_t p = pos_;
    bool newline = false;
    while (p < sql_.size()) {
      char c = sql_[p];
      if (c == '\n' || c == '\r') {
        newline = true;
        ++p;
      } else if (IsSpace(c) && (newline || c != '\v')) {
        ++p;
      } else if (sql_.substr(p, 2) == "--") {
        while (p < sql_.size() && sql_[p] != '\n' && sql_[p] != '\r')
          ++p;
      } else {
        break;
      }
    }
    if (!newline || p >= sql_.size() || sql_[p] != '\'') return false;
    pos_ = p;
    return true;
  }

  Status AddQuotedWord(std::vector<Token>& tokens, size_t begin) {
    size_t content = ++pos_;
    while (true) {
      if (pos_ >= sql_.size()) return Unterminated("quoted identifier", begin);
      if (sql_[pos_] == '"' && Next(1) == '"') {
        pos_ += 2;
      } else if (sql_[pos_] == '"') {
        break;
      } else {
        ++pos_;
      }
    }
    tokens.emplace_back(TokenKind::kQuotedWord, begin, pos_ + 1);
    tokens.back().parts.emplace_back(content, pos_++);
    return Status::Ok();
  }

  // The length of the $tag$ opening a dollar-quoted string at pos_, or 0 when there is none.
  size_t DollarTagLength() const {
    size_t p = pos_ + 1;
    if (p < sql_.size() && IsIdentStart(sql_[p])) {
      while (p < sql_.size() && IsIdentChar(sql_[p]) && sql_[p] != '$')
        ++p;
    }
    return p < sql_.size() && sql_[p] == '$' ? p + 1 - pos_ : 0;
  }

  Status AddDollarString(std::vector<Token>& tokens, size_t begin) {
    std::string_view tag = sql_.substr(pos_, DollarTagLength());
    size_t close = sql_.find(tag, pos_ + tag.size());
    if (close == std::string_view::npos) return Unterminated("dollar-quoted string", begin);
    pos_ = close + tag.size();
    tokens.emplace_back(TokenKind::kOtherString, begin, pos_);
    return Status::Ok();
  }

  std::string_view sql_;
  size_t pos_ = 0;
};

void AppendUtf8(std::string& out, uint32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

int DigitValue(char c, int base) {
  int value = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : 99;
  return value < base ? value : -1;
}

// Reads up to `max` digits of `base` at text[i]; advances i past them.
uint32_t ReadDigits(std::string_view text, size_t& i, int base, size_t max) {
  uint32_t value = 0;
  for (size_t n = 0; n < max && i < text.size() && DigitValue(text[i], base) >= 0; ++n, ++i) {
    value = value * static_cast<uint32_t>(base) + static_cast<uint32_t>(DigitValue(text[i], base));
  }
  return value;
}

// One part of an E'' string: \n \t \b \f \r, \ooo octal, \xhh, \uXXXX, \UXXXXXXXX; a
// backslash before any other character stands for that character.
void AppendEscaped(std::string& out, std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    char c = text[i++];
    if (c == '\'') {
      out += '\'';
      ++i;
      continue;
    }
    if (c != '\\' || i >= text.size()) {
      out += c;
      continue;
    }
    char e = text[i++];
    switch (e) {
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'x':
        if (i < text.size() && DigitValue(text[i], 16) >= 0) {
          out += static_cast<char>(ReadDigits(text, i, 16, 2));
        } else {
          out += e;
        }
        break;
      case 'u':
      case 'U':
        AppendUtf8(out, ReadDigits(text, i, 16, e == 'u' ? 4 : 8));
        break;
      default:
        if (DigitValue(e, 8) >= 0) {
          --i;
          out += static_cast<char>(ReadDigits(text, i, 8, 3) & 0xFF);
        } else {
          out += e;
        }
    }
  }
}

std::string LiteralValue(std::string_view sql, const Token& token) {
  std::string value;
  for (auto [begin, end] : token.parts) {
    std::string_view text = sql.substr(begin, end - begin);
    if (token.escapes) {
      AppendEscaped(value, text);
      continue;
    }
    for (size_t i = 0; i < text.size(); ++i) {
      value += text[i];
      if (text[i] == '\'') ++i;  // '' stands for one quote
    }
  }
  return value;
}

// Which string tokens name files: the indexes, in order, of the literals to offer the replacer.
class FileLiteralFinder {
 public:
  FileLiteralFinder(std::string_view sql, const std::vector<Token>& tokens)
      : sql_(sql), tokens_(tokens) {}

  // Each literal's token index and place.
  std::vector<std::pair<size_t, LiteralPlace>> Find() {
    std::vector<std::pair<size_t, LiteralPlace>> found;
    std::vector<bool> from_argument_parens;  // one per open '(': inside EXTRACT(...) and kin
    for (size_t i = 0; i < tokens_.size(); ++i) {
      if (IsSymbol(i, '(')) {
        from_argument_parens.push_back(i > 0 && IsWordIn(i - 1, kFromArgumentFunctions));
      } else if (IsSymbol(i, ')') && !from_argument_parens.empty()) {
        from_argument_parens.pop_back();
      } else if (IsKind(i + 1, TokenKind::kString) && IsTableKeyword(i) &&
                 (from_argument_parens.empty() || !from_argument_parens.back())) {
        found.emplace_back(i + 1, LiteralPlace::kTableName);
      } else if (IsFileFunctionCall(i)) {
        std::vector<size_t> arguments;
        AddFirstArgument(i + 2, arguments);
        for (size_t argument : arguments)
          found.emplace_back(argument, LiteralPlace::kReaderArgument);
      }
    }
    return found;
  }

 private:
  bool IsKind(size_t i, TokenKind kind) const {
    return i < tokens_.size() && tokens_[i].kind == kind;
  }
  bool IsSymbol(size_t i, char c) const {
    return IsKind(i, TokenKind::kSymbol) && sql_[tokens_[i].begin] == c;
  }
  std::string_view Text(size_t i) const {
    return sql_.substr(tokens_[i].begin, tokens_[i].end - tokens_[i].begin);
  }
  bool IsWord(size_t i, std::string_view word) const {
    return IsKind(i, TokenKind::kWord) && EqualsIgnoreCase(Text(i), word);
  }
  template <size_t N>
  bool IsWordIn(size_t i, const std::array<std::string_view, N>& words) const {
    return IsKind(i, TokenKind::kWord) && IsOneOf(Text(i), words);
  }

  // FROM or JOIN (of any kind), but not IS [NOT] DISTINCT FROM.
  bool IsTableKeyword(size_t i) const {
    return IsWord(i, "join") || (IsWord(i, "from") && !(i > 0 && IsWord(i - 1, "distinct")));
  }

  // read_csv( or "read_csv"(
  bool IsFileFunctionCall(size_t i) const {
    if (!IsSymbol(i + 1, '(')) return false;
    if (IsKind(i, TokenKind::kQuotedWord)) {
      auto [begin, end] = tokens_[i].parts[0];
      return IsOneOf(sql_.substr(begin, end - begin), kFileFunctions);
    }
    return IsWordIn(i, kFileFunctions);
  }

  // The first argument at token i: a string literal, or a list of nothing but string literals,
  // followed by ',' or ')'.
  void AddFirstArgument(size_t i, std::vector<size_t>& found) const {
    if (IsKind(i, TokenKind::kString)) {
      if (IsSymbol(i + 1, ',') || IsSymbol(i + 1, ')')) found.push_back(i);
      return;
    }
    if (!IsSymbol(i, '[')) return;
    std::vector<size_t> elements;
    size_t j = i + 1;
    while (IsKind(j, TokenKind::kString) && (IsSymbol(j + 1, ',') || IsSymbol(j + 1, ']'))) {
      elements.push_back(j);
      j += IsSymbol(j + 1, ',') ? 2 : 1;
    }
    if (IsSymbol(j, ']') && (IsSymbol(j + 1, ',') || IsSymbol(j + 1, ')'))) {
      found.insert(found.end(), elements.begin(), elements.end());
    }
  }

  std::string_view sql_;
  const std::vector<Token>& tokens_;
};

}  // namespace

Result<std::string> ReplaceFileLiterals(std::string_view sql, const LiteralReplacer& replace) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<Token> tokens, Lexer(sql).Tokens());
  std::string out;
  size_t copied = 0;
  for (auto [index, place] : FileLiteralFinder(sql, tokens).Find()) {
    const Token& literal = tokens[index];
    SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> replacement,
                            replace(LiteralValue(sql, literal), place));
    if (!replacement) continue;
    out.append(sql.substr(copied, literal.begin - copied));
    out += *replacement;
    copied = literal.end;
  }
  out.append(sql.substr(copied));
  return out;
}

}  // namespace sluice::engine
