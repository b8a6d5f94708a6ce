#include "sluice/http/exchange.h"

#include <boost/beast/core/string.hpp>

namespace sluice::http {

std::optional<std::string_view> HttpRequest::HeaderValue(std::string_view name) const {
  for (const auto& [header, value] : headers) {
    if (boost::beast::iequals(header, name)) return std::string_view(value);
  }
  return std::nullopt;
}

}  // namespace sluice::http
