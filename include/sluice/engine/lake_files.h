// LakeFiles: the lake objects a query reads, opened so DuckDB reads them in place (no copy).
//
// Each object is opened once and handed to DuckDB as /proc/self/fd/N: what DuckDB reads is the
// object as it was when opened, even if it is overwritten or deleted while the query runs. Paths
// in DuckDB's messages are turned back into s3:// URIs with Describe(). Not thread-safe; the
// files stay open until the LakeFiles is destroyed.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sluice/lake/local_object_store.h"

namespace sluice::engine {

class LakeFiles {
 public:
  explicit LakeFiles(lake::LocalObjectStore& lake) : lake_(lake) {}

  // Opens the objects `uri` names and returns their paths for DuckDB, in key order:
  //   s3://bucket/key       that object
  //   s3://bucket/prefix/   every object under the prefix, except folder markers and names
  //                         starting with '_' or '.' (_SUCCESS, _rejects.csv), as Spark does
  //   s3://bucket/a/*.csv   the objects the glob matches: * and ? stay within one '/'-separated
  //                         level, ** crosses levels, [abc] is a set
  // Nothing matched: NotFound naming the URI.
  Result<std::vector<std::string>> Open(const std::string& uri);

  // `text` with every opened file's path replaced by its object's s3:// URI.
  std::string Describe(const std::string& text) const;

  uint64_t bytes() const { return bytes_; }  // the opened objects' total size
  // Every opened file: its path for DuckDB and its object's s3:// URI.
  std::vector<std::pair<std::string, std::string>> Opened() const;

 private:
  Result<std::vector<std::string>> MatchingKeys(const std::string& bucket,
                                                const std::string& pattern);

  lake::LocalObjectStore& lake_;
  std::vector<lake::ObjectFile> files_;
  std::map<int, std::string> uri_by_fd_;
  uint64_t bytes_ = 0;
};

}  // namespace sluice::engine
