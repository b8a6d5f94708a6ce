#include "actions/put_events_action.h"

#include "sluice/bus/put_events.h"
#include "sluice/common/hex.h"
#include "sluice/common/sha256.h"
#include "sluice/store/event_log.h"

namespace sluice::actions {
namespace {

// A UUID derived from the delivery key, so that a retried delivery makes the same event id and
// the log's unique index turns the second append into a no-op.
std::string EventIdFor(std::string_view delivery_key) {
  std::string digest = Sha256Binary(delivery_key);
  digest[6] = static_cast<char>((digest[6] & 0x0f) | 0x50);  // version 5 style: name-based
  digest[8] = static_cast<char>((digest[8] & 0x3f) | 0x80);
  std::string h = ToHex(std::string_view(digest).substr(0, 16));
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

}  // namespace

Status PutEventsAction::CheckParameters(const nlohmann::json& p) const {
  bus::PutEventsEntry probe;
  probe.source = p.value("Source", "");
  probe.detail_type = p.value("DetailType", "");
  probe.detail = "{}";
  return bus::ValidatePutEventsEntry(probe).WithContext("Parameters");
}

bus::InvokeResult PutEventsAction::Run(const bus::Invocation& invocation) {
  const nlohmann::json& p = invocation.target.parameters;
  auto input = nlohmann::json::parse(invocation.input, nullptr, false);
  if (input.is_discarded()) {
    return bus::InvokeResult::Fail("INVALID_INPUT", "the input is not JSON");
  }
  store::EventSpec spec;
  spec.id = EventIdFor(invocation.delivery_key);
  spec.source = p.value("Source", "");
  spec.detail_type = p.value("DetailType", "");
  // EventBridge's detail is an object; any other input is wrapped.
  spec.detail = input.is_object() ? input : nlohmann::json{{"input", input}};
  spec.time = context_.clock->Now();
  spec.account = context_.identity.account_id;
  spec.region = context_.identity.region;
  store::LoggedEvent event = store::BuildEvent(spec);
  Status status = context_.db->Write([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(auto existing,
                            tx.Query("SELECT 1 FROM events WHERE event_id = ?", event.id));
    SLUICE_ASSIGN_OR_RETURN(bool done, existing.Next());
    if (done) return Status::Ok();  // an earlier attempt emitted it
    return store::AppendEvent(tx, event).status();
  });
  if (!status.ok()) return bus::InvokeResult::Retry("INTERNAL_ERROR", status.ToString());
  return bus::InvokeResult::Ok();
}

}  // namespace sluice::actions
