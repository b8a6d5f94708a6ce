// `sluice clusters ls | describe | create | terminate` and
// `sluice clusters templates put | ls | describe | rm`.
#include <cstdio>

#include "cli/cluster_json.h"
#include "cli/command.h"
#include "cli/json_argument.h"
#include "sluice/clusters/cluster_store.h"
#include "sluice/common/time_format.h"

namespace sluice::cli {
namespace {

using nlohmann::json;

struct ClustersArgs {
  std::string name, file, template_name;
  std::vector<std::string> ids, states, tags;
  bool json = false, active = false;
  int limit = 50;
};

Status PutTemplateCommand(DataDir& dir, const ClustersArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(json spec, ReadJsonArgument(args.file, "--file"));
  SLUICE_ASSIGN_OR_RETURN(clusters::ClusterTemplate t,
                          clusters::TemplateFromJson(spec).WithContext(args.file));
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  clusters::ClusterStore store(dir.identity());
  SLUICE_RETURN_IF_ERROR(db->Write([&](store::Transaction& tx) {
    return store.PutTemplate(tx, t, SystemClock::Instance().Now());
  }));
  std::printf("%s\n", t.name.c_str());
  return Status::Ok();
}

Status ListTemplatesCommand(DataDir& dir, const ClustersArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  clusters::ClusterStore store(dir.identity());
  std::vector<clusters::ClusterTemplate> templates;
  SLUICE_RETURN_IF_ERROR(db->Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(templates, store.ListTemplates(tx));
    return Status::Ok();
  }));
  if (args.json) {
    json list = json::array();
    for (const auto& t : templates)
      list.push_back(clusters::TemplateToJson(t));
    std::puts(json{{"Templates", list}}.dump(2).c_str());
    return Status::Ok();
  }
  std::printf("%-24s %-6s %-12s %-6s %s\n", "NAME", "NODES", "RELEASE", "KEEP", "APPLICATIONS");
  for (const auto& t : templates) {
    std::string apps;
    for (const auto& a : t.applications)
      apps += (apps.empty() ? "" : ",") + a;
    std::printf("%-24s %-6d %-12s %-6s %s\n", t.name.c_str(), clusters::NodeCount(t),
                t.release_label.c_str(), t.keep_alive ? "yes" : "no", apps.c_str());
  }
  return Status::Ok();
}

Status DescribeTemplateCommand(DataDir& dir, const ClustersArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  clusters::ClusterStore store(dir.identity());
  clusters::ClusterTemplate t;
  SLUICE_RETURN_IF_ERROR(db->Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(t, store.RequireTemplate(tx, args.name));
    return Status::Ok();
  }));
  std::puts(clusters::TemplateToJson(t).dump(2).c_str());
  return Status::Ok();
}

Status DeleteTemplateCommand(DataDir& dir, const ClustersArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  clusters::ClusterStore store(dir.identity());
  SLUICE_RETURN_IF_ERROR(
      db->Write([&](store::Transaction& tx) { return store.DeleteTemplate(tx, args.name); }));
  std::printf("deleted: %s\n", args.name.c_str());
  return Status::Ok();
}

Status CreateClusterCommand(DataDir& dir, const ClustersArgs& args) {
  clusters::CreateRequest request;
  for (const std::string& tag : args.tags) {
    size_t eq = tag.find('=');
    if (eq == std::string::npos || eq == 0) return UsageError("--tag takes KEY=VALUE, not " + tag);
    request.tags[tag.substr(0, eq)] = tag.substr(eq + 1);
  }
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  clusters::ClusterStore store(dir.identity());
  clusters::Cluster cluster;
  SLUICE_RETURN_IF_ERROR(db->Write([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(clusters::ClusterTemplate t,
                            store.RequireTemplate(tx, args.template_name));
    SLUICE_ASSIGN_OR_RETURN(cluster,
                            store.CreateCluster(tx, t, request, SystemClock::Instance().Now()));
    return Status::Ok();
  }));
  if (args.json) {
    std::puts(json{{"ClusterId", cluster.id}}.dump(2).c_str());
  } else {
    std::printf("%s\n", cluster.id.c_str());
  }
  return Status::Ok();
}

Result<std::vector<clusters::ClusterState>> ParseStates(const ClustersArgs& args) {
  std::vector<clusters::ClusterState> states;
  if (args.active) {
    states = {clusters::ClusterState::kStarting, clusters::ClusterState::kBootstrapping,
              clusters::ClusterState::kRunning, clusters::ClusterState::kWaiting,
              clusters::ClusterState::kTerminating};
  }
  for (const std::string& name : args.states) {
    auto state = clusters::ParseClusterState(name);
    if (!state) return UsageError("--state: unknown cluster state " + name);
    states.push_back(*state);
  }
  return states;
}

Status ListClustersCommand(DataDir& dir, const ClustersArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<clusters::ClusterState> states, ParseStates(args));
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  clusters::ClusterStore store(dir.identity());
  std::vector<clusters::Cluster> list;
  SLUICE_RETURN_IF_ERROR(db->Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(list, store.ListClusters(tx, states, args.limit));
    return Status::Ok();
  }));
  if (args.json) {
    json out = json::array();
    for (const auto& c : list)
      out.push_back(ClusterSummaryJson(c, dir.identity()));
    std::puts(json{{"Clusters", out}}.dump(2).c_str());
    return Status::Ok();
  }
  std::printf("%-16s %-24s %-23s %-24s %s\n", "ID", "NAME", "STATE", "CREATED", "REASON");
  for (const auto& c : list) {
    std::printf("%-16s %-24s %-23s %-24s %s\n", c.id.c_str(), c.name.c_str(),
                std::string(clusters::ClusterStateName(c.state)).c_str(),
                FormatIso8601Millis(c.created).c_str(),
                std::string(clusters::ReasonCodeName(c.reason)).c_str());
  }
  return Status::Ok();
}

Status DescribeClusterCommand(DataDir& dir, const ClustersArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  clusters::ClusterStore store(dir.identity());
  clusters::Cluster cluster;
  SLUICE_RETURN_IF_ERROR(db->Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(cluster, store.RequireCluster(tx, args.name));
    return Status::Ok();
  }));
  std::puts(json{{"Cluster", ClusterJson(cluster, dir.identity())}}.dump(2).c_str());
  return Status::Ok();
}

Status TerminateClustersCommand(DataDir& dir, const ClustersArgs& args) {
  if (args.ids.size() > 10) return UsageError("terminate takes at most 10 cluster ids");
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  clusters::ClusterStore store(dir.identity());
  SLUICE_RETURN_IF_ERROR(db->Write([&](store::Transaction& tx) -> Status {
    for (const std::string& id : args.ids) {
      SLUICE_RETURN_IF_ERROR(store.RequestTermination(tx, id, SystemClock::Instance().Now()));
    }
    return Status::Ok();
  }));
  for (const std::string& id : args.ids)
    std::printf("terminating: %s\n", id.c_str());
  return Status::Ok();
}

}  // namespace

void RegisterClustersCommands(CLI::App& app, Command& command) {
  static ClustersArgs args;
  auto* clusters = app.add_subcommand("clusters", "Transient clusters and their templates");
  clusters->require_subcommand(1);

  auto* templates = clusters->add_subcommand("templates", "Cluster templates");
  templates->require_subcommand(1);
  auto* put = templates->add_subcommand("put", "Create or replace a template (RunJobFlow's JSON)");
  put->add_option("--file", args.file, "The template as JSON, or @file")->required();
  OnChosen(put, command, args, PutTemplateCommand);
  auto* tls = templates->add_subcommand("ls", "List templates");
  tls->add_flag("--json", args.json, "Print one JSON document");
  OnChosen(tls, command, args, ListTemplatesCommand);
  auto* tdescribe = templates->add_subcommand("describe", "Show one template as JSON");
  tdescribe->add_option("name", args.name, "Template name")->required();
  OnChosen(tdescribe, command, args, DescribeTemplateCommand);
  auto* trm = templates->add_subcommand("rm", "Delete a template (its clusters are unaffected)");
  trm->add_option("name", args.name, "Template name")->required();
  OnChosen(trm, command, args, DeleteTemplateCommand);

  auto* create = clusters->add_subcommand("create", "Launch a cluster from a template");
  create->add_option("--template", args.template_name, "Template name")->required();
  create->add_option("--tag", args.tags, "KEY=VALUE, over the template's tags (repeatable)");
  create->add_flag("--json", args.json, "Print {\"ClusterId\": ...}");
  OnChosen(create, command, args, CreateClusterCommand);

  auto* ls = clusters->add_subcommand("ls", "List clusters, newest first");
  ls->add_option("--state", args.states, "Only clusters in this state (repeatable)");
  ls->add_flag("--active", args.active, "Only clusters that have not ended");
  ls->add_option("--limit", args.limit, "At most this many (default 50)");
  ls->add_flag("--json", args.json, "Print one JSON document");
  OnChosen(ls, command, args, ListClustersCommand);

  auto* describe = clusters->add_subcommand("describe", "Show one cluster as JSON");
  describe->add_option("id", args.name, "Cluster id (j-...)")->required();
  OnChosen(describe, command, args, DescribeClusterCommand);

  auto* terminate = clusters->add_subcommand("terminate", "Terminate clusters (TerminateJobFlows)");
  terminate->add_option("ids", args.ids, "Cluster ids")->required();
  OnChosen(terminate, command, args, TerminateClustersCommand);
}

}  // namespace sluice::cli
