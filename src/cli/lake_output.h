// How lake listings print: aws-CLI-like tables for people, JSON documents shaped like the S3 API's
// responses (ListBuckets, ListObjectsV2) for scripts.
#pragma once

#include <string>
#include <vector>

#include "sluice/lake/object_store.h"

namespace sluice::cli {

void PrintBuckets(const std::vector<lake::BucketInfo>& buckets, bool json);

// `display_from`: how many leading bytes of each key to leave out in the table (the part of the
// prefix up to its last '/', as `aws s3 ls` does); JSON always has whole keys.
void PrintObjects(const std::vector<lake::ObjectInfo>& objects,
                  const std::vector<std::string>& common_prefixes, size_t display_from, bool json);

}  // namespace sluice::cli
