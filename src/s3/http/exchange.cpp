#include "s3/http/exchange.h"

#include "s3/ascii.h"

namespace sluice::s3::http {

std::optional<std::string_view> HttpRequest::HeaderValue(std::string_view name) const {
  for (const auto& [header, value] : headers) {
    if (EqualsIgnoreCaseAscii(header, name)) return std::string_view(value);
  }
  return std::nullopt;
}

}  // namespace sluice::s3::http
