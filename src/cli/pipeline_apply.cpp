#include "cli/pipeline_apply.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "cli/command.h"
#include "cli/function_runner.h"
#include "sluice/bus/rule_store.h"
#include "sluice/clusters/cluster_store.h"
#include "sluice/common/md5.h"
#include "sluice/common/posix_file.h"
#include "sluice/functions/function_deployment.h"
#include "sluice/lake/byte_sources.h"
#include "sluice/lake/s3_uri.h"
#include "sluice/pipeline/applied_pipeline.h"

namespace sluice::cli {
namespace {

Result<std::string> FileMd5(const std::string& path) {
  SLUICE_ASSIGN_OR_RETURN(UniqueFd file, OpenFile(path, O_RDONLY));
  Md5 md5;
  std::vector<char> buffer(1 << 16);
  while (true) {
    ssize_t n = ::read(file.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus("read " + path, errno);
    if (n == 0) return md5.FinishHex();
    md5.Update(buffer.data(), static_cast<size_t>(n));
  }
}

// Puts the spec's files in the lake, leaving alone those already there with the same bytes.
Status PutSpecFiles(DataDir& dir, const pipeline::PipelineSpec& spec) {
  SLUICE_ASSIGN_OR_RETURN(lake::LocalObjectStore * lake, dir.Lake());
  for (const pipeline::LakeFile& file : spec.files) {
    SLUICE_ASSIGN_OR_RETURN(lake::S3Uri uri, lake::ParseS3Uri(file.uri));
    auto existing = lake->HeadObject(uri.bucket, uri.key);
    if (existing.ok()) {
      SLUICE_ASSIGN_OR_RETURN(std::string md5, FileMd5(file.source));
      if (existing->etag == md5) continue;
    }
    SLUICE_RETURN_IF_ERROR(UploadFile(dir, file.source, file.uri));
  }
  return Status::Ok();
}

// The names in `before` that `now` lacks.
std::vector<std::string> Missing(const std::vector<std::string>& before,
                                 const std::vector<std::string>& now) {
  std::vector<std::string> out;
  for (const std::string& name : before) {
    if (std::find(now.begin(), now.end(), name) == now.end()) out.push_back(name);
  }
  return out;
}

Status IgnoreNotFound(Status status) {
  return status.code() == StatusCode::kNotFound ? Status::Ok() : status;
}

// Deploys the spec's functions as `sluice functions put` does, after the buckets and files (a
// function's code may be a zip the spec puts in the lake) and before the rules that target them.
Status DeploySpecFunctions(DataDir& dir, const pipeline::PipelineSpec& spec) {
  if (spec.functions.empty()) return Status::Ok();
  // Local code folders are already resolved against the spec's folder (PipelineSpec).
  SLUICE_ASSIGN_OR_RETURN(functions::DeploymentContext context, FunctionDeployment(dir));
  for (const functions::FunctionConfig& config : spec.functions) {
    SLUICE_RETURN_IF_ERROR(
        functions::DeployFunction(context, config).status().WithContext("function " + config.name));
    std::printf("deployed function %s\n", config.name.c_str());
  }
  return Status::Ok();
}

}  // namespace

Result<pipeline::PipelineSpec> ReadPipelineSpec(const std::string& file) {
  std::vector<pipeline::Diagnostic> diagnostics;
  auto spec = pipeline::LoadPipelineSpec(file, diagnostics);
  if (!spec.ok()) return BadInput(spec.status().message());
  for (const pipeline::Diagnostic& diagnostic : diagnostics) {
    std::fprintf(stderr, "%s\n", pipeline::FormatDiagnostic(file, diagnostic).c_str());
  }
  if (!diagnostics.empty()) {
    return BadInput(file + ": " + std::to_string(diagnostics.size()) + " problem(s)");
  }
  return spec;
}

Status ApplyPipeline(DataDir& dir, pipeline::PipelineSpec spec) {
  SLUICE_ASSIGN_OR_RETURN(lake::LocalObjectStore * lake, dir.Lake());
  for (const std::string& bucket : spec.buckets) {
    Status made = lake->CreateBucket(bucket);
    if (!made.ok() && made.aws_code() != "BucketAlreadyOwnedByYou") return made;
  }
  SLUICE_RETURN_IF_ERROR(PutSpecFiles(dir, spec));
  SLUICE_RETURN_IF_ERROR(DeploySpecFunctions(dir, spec));
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  SLUICE_ASSIGN_OR_RETURN(bus::ActionRegistry * actions, dir.Actions());
  clusters::ClusterStore clusters(dir.identity());
  TimePoint now = SystemClock::Instance().Now();
  // Templates first: create_cluster targets are checked against the stored templates.
  SLUICE_RETURN_IF_ERROR(db->Write([&](store::Transaction& tx) -> Status {
    for (clusters::ClusterTemplate& t : spec.templates) {
      // Clusters carry their pipeline's name, so `sluice cost --by pipeline` can group them.
      t.tags.emplace("sluice:pipeline", spec.name);
      SLUICE_RETURN_IF_ERROR(clusters.PutTemplate(tx, t, now));
    }
    return Status::Ok();
  }));
  for (const bus::Rule& rule : spec.rules) {
    for (const bus::Target& target : rule.targets) {
      SLUICE_RETURN_IF_ERROR(actions->CheckTarget(target).WithContext("rule " + rule.name));
    }
  }
  pipeline::AppliedPipeline applied{spec.name, spec.warehouse, {}, {}, {}, now};
  for (const bus::Rule& rule : spec.rules)
    applied.rules.push_back(rule.name);
  for (const clusters::ClusterTemplate& t : spec.templates)
    applied.templates.push_back(t.name);
  for (const functions::FunctionConfig& f : spec.functions)
    applied.functions.push_back(f.name);
  std::vector<std::string> dropped;
  // Functions are removed after the rules that could target them are gone, outside the
  // transaction (their code folders go too); until then the record keeps them as the spec's,
  // so that an apply interrupted in between removes them the next time.
  std::vector<std::string> dropped_functions;
  SLUICE_RETURN_IF_ERROR(db->Write([&](store::Transaction& tx) -> Status {
    for (const bus::Rule& rule : spec.rules)
      SLUICE_RETURN_IF_ERROR(bus::PutRule(tx, rule, now));
    // What the previous application declared and this one does not: rules first, so no rule is
    // left naming a template that is gone. Already deleted by hand is fine.
    SLUICE_ASSIGN_OR_RETURN(std::optional<pipeline::AppliedPipeline> previous,
                            pipeline::GetAppliedPipeline(tx, spec.name));
    if (previous) {
      for (const std::string& rule : Missing(previous->rules, applied.rules)) {
        SLUICE_RETURN_IF_ERROR(IgnoreNotFound(bus::DeleteRule(tx, rule)));
        dropped.push_back("rule " + rule);
      }
      for (const std::string& t : Missing(previous->templates, applied.templates)) {
        SLUICE_RETURN_IF_ERROR(IgnoreNotFound(clusters.DeleteTemplate(tx, t)));
        dropped.push_back("cluster template " + t);
      }
      dropped_functions = Missing(previous->functions, applied.functions);
    }
    pipeline::AppliedPipeline recorded = applied;
    recorded.functions.insert(recorded.functions.end(), dropped_functions.begin(),
                              dropped_functions.end());
    return pipeline::RecordAppliedPipeline(tx, recorded);
  }));
  if (!dropped_functions.empty()) {
    SLUICE_ASSIGN_OR_RETURN(functions::DeploymentContext context, FunctionDeployment(dir));
    for (const std::string& name : dropped_functions) {
      // Already deleted by hand is fine.
      SLUICE_RETURN_IF_ERROR(IgnoreNotFound(functions::UndeployFunction(context, name)));
      dropped.push_back("function " + name);
    }
    SLUICE_RETURN_IF_ERROR(db->Write(
        [&](store::Transaction& tx) { return pipeline::RecordAppliedPipeline(tx, applied); }));
  }
  std::printf("applied %s: %zu bucket(s), %zu file(s), %zu cluster template(s), %zu rule(s)\n",
              spec.name.c_str(), spec.buckets.size(), spec.files.size(), spec.templates.size(),
              spec.rules.size());
  for (const std::string& what : dropped) {
    std::printf("removed %s (no longer in the spec)\n", what.c_str());
  }
  return Status::Ok();
}

Status UploadFile(DataDir& dir, const std::string& file, const std::string& destination) {
  SLUICE_ASSIGN_OR_RETURN(lake::LocalObjectStore * lake, dir.Lake());
  SLUICE_ASSIGN_OR_RETURN(lake::S3Uri uri, lake::ParseS3Uri(destination));
  std::error_code error;
  if (std::filesystem::is_directory(file, error)) {
    if (!uri.key.empty() && uri.key.back() != '/') {
      return UsageError("--put " + file + ": a folder goes under a prefix ending in '/', not " +
                        destination);
    }
    // The folder's files, in name order, each under the prefix.
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(file, error)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
    if (error) return ErrnoStatus("list " + file, error.value());
    std::sort(files.begin(), files.end());
    for (const auto& path : files)
      SLUICE_RETURN_IF_ERROR(UploadFile(dir, path, destination));
    return Status::Ok();
  }
  if (uri.key.empty() || uri.key.back() == '/') {
    uri.key += std::filesystem::path(file).filename().string();
  }
  SLUICE_ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(file, O_RDONLY));
  lake::FdByteSource source(fd.get(), file);
  SLUICE_RETURN_IF_ERROR(lake->PutObject(uri.bucket, uri.key, source, {}).status());
  std::printf("upload: %s to %s\n", file.c_str(), uri.ToString().c_str());
  return Status::Ok();
}

}  // namespace sluice::cli
