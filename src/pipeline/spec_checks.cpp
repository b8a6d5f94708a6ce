// The checks only the whole file can make: a target's cluster template is defined in the spec,
// a target's function is declared in it, a step's ActionOnFailure suits its template's step
// concurrency, and every s3:// URI the spec names is in a bucket the spec declares.
#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "pipeline/did_you_mean.h"
#include "pipeline/spec_reader.h"
#include "sluice/lake/s3_uri.h"

namespace sluice::pipeline {
namespace {

bool HasVariable(const std::string& text) {
  return text.find("${") != std::string::npos;
}

void CheckClusterReferences(SpecReader& r) {
  std::vector<std::string> names;
  for (const auto& [name, info] : r.templates)
    names.push_back(name);
  for (const Located& ref : r.cluster_references) {
    if (HasVariable(ref.text) || r.templates.count(ref.text) != 0) continue;
    r.diagnostics.Add(ref.node, "cluster template \"" + ref.text + "\" is not defined in clusters" +
                                    DidYouMean(ref.text, names));
  }
}

// A function target must name a function of this spec, not one that happens to be in some data
// dir already: the spec then runs the same wherever it is applied, and `validate` can tell.
void CheckFunctionReferences(SpecReader& r) {
  std::vector<std::string> names;
  for (const auto& [name, key] : r.functions)
    names.push_back(name);
  for (const Located& ref : r.function_references) {
    if (r.functions.count(ref.text) != 0) continue;
    r.diagnostics.Add(ref.node, "function \"" + ref.text + "\" is not declared in functions" +
                                    DidYouMean(ref.text, names));
  }
}

// EMR runs steps in parallel only when a failure can't stop the others: with a step concurrency
// above 1, a step must CONTINUE on failure.
void CheckStepConcurrency(SpecReader& r) {
  for (const StepUse& step : r.steps) {
    auto it = r.templates.find(step.cluster);
    if (it == r.templates.end() || it->second.step_concurrency <= 1) continue;
    if (step.action_on_failure == "CONTINUE") continue;
    r.diagnostics.Add(step.action_on_failure_node,
                      "step " + step.name.text + ": action_on_failure must be CONTINUE: cluster " +
                          step.cluster + " runs " + std::to_string(it->second.step_concurrency) +
                          " steps at a time");
  }
}

// With `buckets`, every bucket the spec names must be one of them (the spec then says all the
// lake it needs); without it, nothing is checked here.
void CheckBuckets(SpecReader& r) {
  if (!r.has_buckets) return;
  const std::vector<std::string>& buckets = r.spec.buckets;
  for (const Located& uri : r.lake_uris) {
    if (!lake::IsS3Uri(uri.text)) continue;
    auto parsed = lake::ParseS3Uri(uri.text);
    if (!parsed.ok() || HasVariable(parsed->bucket)) continue;
    if (std::find(buckets.begin(), buckets.end(), parsed->bucket) != buckets.end()) continue;
    r.diagnostics.Add(uri.node, "bucket \"" + parsed->bucket + "\" of " + uri.text +
                                    " is not in buckets" + DidYouMean(parsed->bucket, buckets));
  }
}

}  // namespace

void CheckWholeSpec(SpecReader& r) {
  CheckClusterReferences(r);
  CheckFunctionReferences(r);
  CheckStepConcurrency(r);
  CheckBuckets(r);
}

}  // namespace sluice::pipeline
