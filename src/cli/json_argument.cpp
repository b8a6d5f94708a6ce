#include "cli/json_argument.h"

#include <fstream>
#include <sstream>

#include "cli/command.h"

namespace sluice::cli {

Result<std::string> ReadArgumentText(const std::string& argument, const std::string& what) {
  if (argument.empty() || argument[0] != '@') return argument;
  std::string path = argument.substr(1);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument(what + ": cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<nlohmann::json> ReadJsonArgument(const std::string& argument, const std::string& what) {
  SLUICE_ASSIGN_OR_RETURN(std::string text, ReadArgumentText(argument, what));
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return UsageError(what + " is not valid JSON (" + e.what() + ")");
  }
}

}  // namespace sluice::cli
