// Bucket and listing commands: `mb`, `rb`, `ls`, `rm`.
#include <cstdio>
#include <string>

#include "cli/command.h"
#include "cli/lake_output.h"
#include "sluice/lake/s3_uri.h"

namespace sluice::cli {
namespace {

// Calls `visit` for every page of a listing, following the markers.
template <typename Visit>
Status ForEachPage(lake::ObjectStore& lake, const std::string& bucket, lake::ListRequest request,
                   Visit visit) {
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(lake::ListPage page, lake.ListObjects(bucket, request));
    SLUICE_RETURN_IF_ERROR(visit(page));
    if (!page.truncated) return Status::Ok();
    request.start_after = page.next_marker;
  }
}

// mb and rb name a bucket, nothing more.
Result<lake::S3Uri> ParseBucketUri(const std::string& command, const std::string& uri_text) {
  SLUICE_ASSIGN_OR_RETURN(lake::S3Uri uri, lake::ParseS3Uri(uri_text));
  if (!uri.key.empty())
    return UsageError(command + " takes s3://BUCKET, not an object: " + uri_text);
  return uri;
}

Status MakeBucket(DataDir& dir, const std::string& uri_text) {
  SLUICE_ASSIGN_OR_RETURN(lake::S3Uri uri, ParseBucketUri("mb", uri_text));
  SLUICE_ASSIGN_OR_RETURN(auto* lake, dir.Lake());
  SLUICE_RETURN_IF_ERROR(lake->CreateBucket(uri.bucket).WithContext("mb " + uri_text));
  std::printf("make_bucket: %s\n", uri.bucket.c_str());
  return Status::Ok();
}

Status RemoveObjects(lake::ObjectStore& lake, const lake::S3Uri& uri, bool quiet) {
  lake::ListRequest request;
  request.prefix = uri.key;
  return ForEachPage(lake, uri.bucket, request, [&](const lake::ListPage& page) {
    for (const auto& object : page.objects) {
      SLUICE_RETURN_IF_ERROR(lake.DeleteObject(uri.bucket, object.key).status());
      if (!quiet) std::printf("delete: s3://%s/%s\n", uri.bucket.c_str(), object.key.c_str());
    }
    return Status::Ok();
  });
}

Status RemoveBucket(DataDir& dir, const std::string& uri_text, bool force) {
  SLUICE_ASSIGN_OR_RETURN(lake::S3Uri uri, ParseBucketUri("rb", uri_text));
  SLUICE_ASSIGN_OR_RETURN(auto* lake, dir.Lake());
  if (force) {
    SLUICE_RETURN_IF_ERROR(
        RemoveObjects(*lake, {uri.bucket, ""}, false).WithContext("rb " + uri_text));
  }
  SLUICE_RETURN_IF_ERROR(lake->DeleteBucket(uri.bucket).WithContext("rb " + uri_text));
  std::printf("remove_bucket: %s\n", uri.bucket.c_str());
  return Status::Ok();
}

Status List(DataDir& dir, const std::string& uri_text, bool recursive, bool json) {
  SLUICE_ASSIGN_OR_RETURN(auto* lake, dir.Lake());
  if (uri_text.empty()) {
    SLUICE_ASSIGN_OR_RETURN(auto buckets, lake->ListBuckets());
    PrintBuckets(buckets, json);
    return Status::Ok();
  }
  SLUICE_ASSIGN_OR_RETURN(lake::S3Uri uri, lake::ParseS3Uri(uri_text));
  lake::ListRequest request;
  request.prefix = uri.key;
  request.delimiter = recursive ? "" : "/";
  // Like `aws s3 ls`: without --recursive, names show relative to the prefix's last '/'.
  size_t display_from = recursive ? 0 : uri.key.rfind('/') + 1;
  std::vector<lake::ObjectInfo> objects;
  std::vector<std::string> prefixes;
  SLUICE_RETURN_IF_ERROR(ForEachPage(*lake, uri.bucket, request, [&](lake::ListPage& page) {
                           if (json) {  // one document: gather every page first
                             std::move(page.objects.begin(), page.objects.end(),
                                       std::back_inserter(objects));
                             std::move(page.common_prefixes.begin(), page.common_prefixes.end(),
                                       std::back_inserter(prefixes));
                           } else {
                             PrintObjects(page.objects, page.common_prefixes, display_from, false);
                           }
                           return Status::Ok();
                         }).WithContext("ls " + uri_text));
  if (json) PrintObjects(objects, prefixes, 0, true);
  return Status::Ok();
}

Status Remove(DataDir& dir, const std::string& uri_text, bool recursive) {
  SLUICE_ASSIGN_OR_RETURN(lake::S3Uri uri, lake::ParseS3Uri(uri_text));
  SLUICE_ASSIGN_OR_RETURN(auto* lake, dir.Lake());
  if (recursive) return RemoveObjects(*lake, uri, false).WithContext("rm " + uri_text);
  if (uri.key.empty()) return UsageError("rm " + uri_text + ": name an object, or use --recursive");
  SLUICE_RETURN_IF_ERROR(
      lake->DeleteObject(uri.bucket, uri.key).status().WithContext("rm " + uri_text));
  std::printf("delete: %s\n", uri_text.c_str());
  return Status::Ok();
}

}  // namespace

void RegisterLakeCommands(CLI::App& app, Command& command) {
  static std::string uri;
  static bool recursive = false, force = false, json = false;

  auto* mb = app.add_subcommand("mb", "Make a bucket");
  mb->add_option("uri", uri, "s3://BUCKET")->required()->check(S3UriCheck());
  mb->callback([&] { command.run = [](DataDir& d) { return MakeBucket(d, uri); }; });

  auto* rb = app.add_subcommand("rb", "Remove an empty bucket");
  rb->add_option("uri", uri, "s3://BUCKET")->required()->check(S3UriCheck());
  rb->add_flag("--force", force, "Delete every object in the bucket first");
  rb->callback([&] { command.run = [](DataDir& d) { return RemoveBucket(d, uri, force); }; });

  auto* ls = app.add_subcommand("ls", "List buckets, or the objects under a prefix");
  ls->add_option("uri", uri, "s3://BUCKET[/PREFIX]; without it, list the buckets")
      ->check(S3UriCheck());
  ls->add_flag("--recursive,-r", recursive, "List every key under the prefix, not one level");
  ls->add_flag("--json", json, "Print one JSON document (S3 API shapes)");
  ls->callback([&] { command.run = [](DataDir& d) { return List(d, uri, recursive, json); }; });

  auto* rm = app.add_subcommand("rm", "Delete an object, or every object under a prefix");
  rm->add_option("uri", uri, "s3://BUCKET/KEY")->required()->check(S3UriCheck());
  rm->add_flag("--recursive,-r", recursive, "Delete every object under the prefix");
  rm->callback([&] { command.run = [](DataDir& d) { return Remove(d, uri, recursive); }; });
}

}  // namespace sluice::cli
