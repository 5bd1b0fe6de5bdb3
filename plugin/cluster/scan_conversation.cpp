#include "plugin/cluster/scan_conversation.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "common/json/json_reader.hpp"

namespace nexus_mde::plugin {

namespace json = boost::json;

namespace {

Next not_understood(const std::string& what, const Error& e) {
  return Next::fail(
      {ExchangeState::kAgentError, "the answer to " + what + " is not a scan: " + e.describe()});
}

}  // namespace

ScanConversation::ScanConversation(std::string type, bool wait,
                                   std::chrono::steady_clock::time_point give_up_at,
                                   std::chrono::seconds poll)
    : type_(std::move(type)), wait_(wait), give_up_at_(give_up_at), poll_(poll) {}

Request ScanConversation::first() {
  phase_ = Phase::kTrigger;
  return Request{
      HttpMethod::kPost, "/v1/scans", json::serialize(json::object{{"type", type_}}), {}, {}, {}, {}};
}

Request ScanConversation::wait_request() const {
  // Never ask the agent to hold the answer past our own deadline; at least a second.
  auto left =
      std::chrono::duration_cast<std::chrono::seconds>(give_up_at_ - std::chrono::steady_clock::now());
  auto wait = std::clamp(left, std::chrono::seconds(1), poll_);
  return Request{HttpMethod::kGet,
                 "/v1/scans/" + trigger_->id + "?wait=" + std::to_string(wait.count()),
                 {},
                 wait,
                 {},
                 {},
                 {}};
}

Next ScanConversation::next(const Response& response) {
  switch (phase_) {
    case Phase::kTrigger:
      return on_trigger(response);
    case Phase::kFindRunning:
      return on_find_running(response);
    case Phase::kWait:
      return on_wait(response);
  }
  return Next::done();
}

Next ScanConversation::on_trigger(const Response& response) {
  if (response.status == 409 && agent_error_code(response.body) == "scan_running") {
    if (!wait_) return Next::fail({ExchangeState::kAgentError, "a scan is already running on this node"});
    phase_ = Phase::kFindRunning;
    return Next::ask(Request{HttpMethod::kGet, "/v1/scans", {}, {}, {}, {}, {}});
  }
  if (auto failure = classify_http_failure(response)) return Next::fail(std::move(*failure));
  auto doc = parse_json_text(response.body, "POST /v1/scans");
  if (!doc) return not_understood("POST /v1/scans", doc.error());
  auto trigger = scan_trigger_from_json(*doc, "");
  if (!trigger) return not_understood("POST /v1/scans", trigger.error());
  trigger_ = std::move(*trigger);
  if (!wait_ || trigger_->finished()) return Next::done();
  phase_ = Phase::kWait;
  return Next::ask(wait_request());
}

Next ScanConversation::on_find_running(const Response& response) {
  if (auto failure = classify_http_failure(response)) return Next::fail(std::move(*failure));
  auto doc = parse_json_text(response.body, "GET /v1/scans");
  if (!doc) return not_understood("GET /v1/scans", doc.error());
  const json::object* top = doc->if_object();
  const json::value* list = top ? top->if_contains("triggered") : nullptr;
  if (list && list->is_array()) {
    for (const auto& item : list->get_array()) {
      auto t = scan_trigger_from_json(item, "triggered[]");
      if (t && !t->finished()) {
        trigger_ = std::move(*t);
        joined_ = true;
        phase_ = Phase::kWait;
        return Next::ask(wait_request());
      }
    }
  }
  // It ended between our POST and this look: start ours after all, once.
  if (retried_trigger_)
    return Next::fail(
        {ExchangeState::kAgentError, "the agent refused the scan (409) but lists none running"});
  retried_trigger_ = true;
  return Next::ask(first());
}

Next ScanConversation::on_wait(const Response& response) {
  if (auto failure = classify_http_failure(response)) return Next::fail(std::move(*failure));
  auto doc = parse_json_text(response.body, "GET /v1/scans/{id}");
  if (!doc) return not_understood("GET /v1/scans/{id}", doc.error());
  auto trigger = scan_trigger_from_json(*doc, "");
  if (!trigger) return not_understood("GET /v1/scans/{id}", trigger.error());
  trigger_ = std::move(*trigger);
  if (trigger_->finished()) return Next::done();
  return Next::ask(wait_request());
}

}  // namespace nexus_mde::plugin
