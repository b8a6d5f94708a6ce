#include "cli/lake_output.h"

#include <fmt/format.h>

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "sluice/common/time_format.h"

namespace sluice::cli {
namespace {

using nlohmann::json;

std::string LocalTime(TimePoint t) {
  std::time_t seconds = static_cast<std::time_t>(ToUnixMillis(t) / 1000);
  std::tm tm{};
  localtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
  return text;
}

void PrintJson(const json& document) {
  std::puts(document.dump(2, ' ', false, json::error_handler_t::replace).c_str());
}

}  // namespace

void PrintBuckets(const std::vector<lake::BucketInfo>& buckets, bool as_json) {
  if (as_json) {
    json list = json::array();
    for (const auto& b : buckets) {
      list.push_back({{"Name", b.name}, {"CreationDate", FormatIso8601Millis(b.created)}});
    }
    PrintJson({{"Buckets", list}});
    return;
  }
  for (const auto& b : buckets)
    std::printf("%s %s\n", LocalTime(b.created).c_str(), b.name.c_str());
}

void PrintObjects(const std::vector<lake::ObjectInfo>& objects,
                  const std::vector<std::string>& common_prefixes, size_t display_from,
                  bool as_json) {
  if (as_json) {
    json contents = json::array();
    for (const auto& o : objects) {
      contents.push_back({{"Key", o.key},
                          {"LastModified", FormatIso8601Millis(o.last_modified)},
                          {"ETag", "\"" + o.etag + "\""},
                          {"Size", o.size},
                          {"StorageClass", "STANDARD"}});
    }
    json prefixes = json::array();
    for (const auto& p : common_prefixes)
      prefixes.push_back({{"Prefix", p}});
    PrintJson({{"Contents", contents}, {"CommonPrefixes", prefixes}});
    return;
  }
  for (const auto& p : common_prefixes) {
    std::printf("%30s %s\n", "PRE", p.substr(std::min(display_from, p.size())).c_str());
  }
  for (const auto& o : objects) {
    std::printf("%s %10llu %s\n", LocalTime(o.last_modified).c_str(),
                static_cast<unsigned long long>(o.size),
                o.key.substr(std::min(display_from, o.key.size())).c_str());
  }
}

}  // namespace sluice::cli
