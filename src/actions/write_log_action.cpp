#include "actions/write_log_action.h"

#include <fcntl.h>

#include "sluice/common/posix_file.h"
#include "sluice/common/time_format.h"

namespace sluice::actions {

Status WriteLogAction::CheckParameters(const nlohmann::json& p) const {
  auto path = p.find("Path");
  if (path == p.end() || !path->is_string() || path->get<std::string>().empty()) {
    return Status::InvalidArgument("Parameters.Path must name a file", "ValidationException");
  }
  return Status::Ok();
}

bus::InvokeResult WriteLogAction::Run(const bus::Invocation& invocation) {
  const std::string path = invocation.target.parameters.value("Path", "");
  auto input = nlohmann::json::parse(invocation.input, nullptr, false);
  nlohmann::json line = {
      {"delivery", invocation.delivery_key},
      {"attempt", invocation.attempt},
      {"rule", invocation.rule},
      {"time", FormatIso8601Millis(context_.clock->Now())},
      {"input", input.is_discarded() ? nlohmann::json(invocation.input) : input}};
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  auto fd = OpenFile(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (!fd.ok()) return bus::InvokeResult::Retry("NO_RESOURCE", fd.status().message());
  Status written = WriteAll(fd->get(), text.data(), text.size(), path);
  if (written.ok()) written = SyncFile(fd->get(), path);
  if (!written.ok()) return bus::InvokeResult::Retry("INTERNAL_ERROR", written.message());
  return bus::InvokeResult::Ok();
}

}  // namespace sluice::actions
