#include "cli/pipeline_watch.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "cli/progress.h"
#include "sluice/bus/deliveries.h"
#include "sluice/clusters/step_logs.h"
#include "sluice/store/event_log.h"

namespace sluice::cli {
namespace {

using nlohmann::json;

constexpr int kBatch = 1000;

// 1234567 -> "1,234,567"
std::string Thousands(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string Text(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// What a finished sql step did: "1,000,000 rows (56.2 MiB) in, 9,000 out -> s3://...; 9,000
// rows loaded into daily_revenue".
std::string StepResultText(const std::string& result_json) {
  json r = json::parse(result_json, nullptr, false);
  if (!r.is_object()) return "";
  std::string text =
      fmt::format("{} rows ({}) in, {} out", Thousands(r.value("RowsIn", 0)),
                  FormatBytes(r.value("BytesIn", 0.0)), Thousands(r.value("RowsOut", 0)));
  if (int64_t bad = r.value("BadRows", 0); bad > 0) {
    text += fmt::format(", {} bad rows set aside in {}", Thousands(bad), Text(r, "Rejects"));
  }
  if (auto outputs = r.find("Outputs"); outputs != r.end() && outputs->is_array()) {
    if (outputs->size() == 1 && (*outputs)[0].is_string()) {
      text += " -> " + (*outputs)[0].get<std::string>();
    } else if (outputs->size() > 1) {
      text += fmt::format(" -> {} objects", outputs->size());
    }
  }
  if (auto load = r.find("Load"); load != r.end() && load->is_object()) {
    text += load->value("Skipped", false)
                ? fmt::format("; already loaded into {}", Text(*load, "Table"))
                : fmt::format("; {} rows loaded into {}", Thousands(load->value("Rows", 0)),
                              Text(*load, "Table"));
  }
  return text + fmt::format(" ({:.3f} s)", r.value("DurationSeconds", 0.0));
}

// The reason code in an EMR state change's `stateChangeReason` ("{\"code\":\"...\"}").
std::string ReasonCode(const json& detail) {
  json reason = json::parse(Text(detail, "stateChangeReason"), nullptr, false);
  return reason.is_object() ? Text(reason, "code") : "";
}

}  // namespace

std::string Elapsed(TimePoint start, TimePoint t) {
  double seconds = std::chrono::duration<double>(t - start).count();
  return fmt::format("{:+.3f}s", seconds);
}

Result<PipelineWatch> PipelineWatch::Start(store::Database& db, const AwsIdentity& identity) {
  int64_t after_seq = 0;
  int64_t first_delivery = 0;
  SLUICE_RETURN_IF_ERROR(db.Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(after_seq, store::LastEventSeq(tx));
    SLUICE_ASSIGN_OR_RETURN(first_delivery, bus::NextDeliveryId(tx));
    return Status::Ok();
  }));
  return PipelineWatch(db, identity, after_seq, first_delivery);
}

Result<std::vector<Happening>> PipelineWatch::Poll() {
  std::vector<Happening> out;
  SLUICE_RETURN_IF_ERROR(db_->Read([&](store::Transaction& tx) -> Status {
    SLUICE_RETURN_IF_ERROR(ReadEvents(tx, out));
    return ReadDeliveries(tx, out);
  }));
  std::stable_sort(out.begin(), out.end(),
                   [](const Happening& a, const Happening& b) { return a.time < b.time; });
  return out;
}

Status PipelineWatch::ReadEvents(store::Transaction& tx, std::vector<Happening>& out) {
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(std::vector<store::LoggedEvent> events,
                            store::ReadEvents(tx, after_seq_, kBatch));
    for (const store::LoggedEvent& e : events) {
      after_seq_ = e.seq;
      json body = json::parse(e.body, nullptr, false);
      json detail = body.is_object() ? body.value("detail", json::object()) : json::object();
      if (!detail.is_object()) detail = json::object();
      Happening h{e.received, "event", e.source + " " + e.detail_type};
      if (e.source == "aws.s3" && detail.contains("object")) {
        const json& object = detail["object"];
        std::string uri = "s3://" + Text(detail.value("bucket", json::object()), "name") + "/" +
                          Text(object, "key");
        if (IsClusterLog(uri)) continue;
        h.subject = "s3";
        h.text = e.detail_type + " " + uri;
        if (object.contains("size") && object["size"].is_number()) {
          h.text += " (" + FormatBytes(object["size"].get<double>()) + ")";
        }
      } else if (e.detail_type == "EMR Cluster State Change") {
        std::string id = Text(detail, "clusterId");
        if (std::find(clusters_.begin(), clusters_.end(), id) == clusters_.end()) {
          clusters_.push_back(id);
          SLUICE_ASSIGN_OR_RETURN(std::optional<clusters::Cluster> cluster,
                                  store_.GetCluster(tx, id));
          if (cluster && !cluster->spec.log_uri.empty()) {
            log_prefixes_.push_back(clusters::ArchivedClusterLogPrefix(*cluster));
          }
        }
        std::string state = Text(detail, "state");
        h.subject = "cluster";
        h.text = fmt::format("{} ({}) {}", id, Text(detail, "name"), state);
        if (state.rfind("TERMINATED", 0) == 0) h.text += " " + ReasonCode(detail);
      } else if (e.detail_type == "EMR Step Status Change") {
        std::string state = Text(detail, "state");
        std::string step_id = Text(detail, "stepId");
        h.subject = "step";
        h.text = fmt::format("{} {} {}", step_id, Text(detail, "name"), state);
        if (state == "COMPLETED" || state == "FAILED") {
          SLUICE_ASSIGN_OR_RETURN(std::optional<clusters::Step> step, store_.GetStep(tx, step_id));
          if (step && state == "COMPLETED" && !step->result.empty()) {
            h.text += ": " + StepResultText(step->result);
          } else if (step && state == "FAILED") {
            h.text += ": " + step->failure_message;
            if (!step->failure_log.empty()) h.text += " (log: " + step->failure_log + ")";
          }
        }
      }
      out.push_back(std::move(h));
    }
    if (events.size() < static_cast<size_t>(kBatch)) return Status::Ok();
  }
}

bool PipelineWatch::IsClusterLog(const std::string& uri) const {
  return std::any_of(log_prefixes_.begin(), log_prefixes_.end(),
                     [&](const std::string& prefix) { return uri.rfind(prefix, 0) == 0; });
}

Status PipelineWatch::ReadDeliveries(store::Transaction& tx, std::vector<Happening>& out) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<bus::Delivery> deliveries,
                          bus::DeliveriesFrom(tx, first_delivery_, kBatch));
  bool all_settled_so_far = true;
  for (const bus::Delivery& d : deliveries) {
    std::string head = fmt::format("{} -> {}", d.rule,
                                   d.target.action.empty() ? d.target.function : d.target.action);
    bool settled =
        d.state == bus::DeliveryState::kSucceeded || d.state == bus::DeliveryState::kDeadLettered;
    if (settled && settled_reported_.insert(d.id).second) {
      out.push_back({d.updated, "rule",
                     d.state == bus::DeliveryState::kSucceeded
                         ? head
                         : head + " dead-lettered: " + d.last_error});
    } else if (!settled && d.attempts > 0 && !d.last_error.empty()) {
      int& shown = retries_reported_[d.id];
      if (d.attempts != shown) {
        out.push_back({d.updated, "rule",
                       fmt::format("{} failed (attempt {}), will retry: {}", head, d.attempts,
                                   d.last_error)});
        shown = d.attempts;
      }
    }
    if (!settled) {
      all_settled_so_far = false;
    } else if (all_settled_so_far) {
      // Everything up to here is done with: the next read starts after it.
      first_delivery_ = d.id + 1;
      settled_reported_.erase(d.id);
      retries_reported_.erase(d.id);
    }
  }
  return Status::Ok();
}

}  // namespace sluice::cli
