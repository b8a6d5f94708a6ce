// Reading JSON from a command-line argument: the JSON itself, or "@path" for a file holding it
// (as the aws CLI's file:// does).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sluice/common/result.h"

namespace sluice::cli {

// The text of `argument`, read from the file when it starts with '@'. `what` names the option in
// errors ("--pattern").
Result<std::string> ReadArgumentText(const std::string& argument, const std::string& what);
// The same, parsed; a syntax error is a usage error naming the option and the place.
Result<nlohmann::json> ReadJsonArgument(const std::string& argument, const std::string& what);

}  // namespace sluice::cli
