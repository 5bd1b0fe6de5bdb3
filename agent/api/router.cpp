#include "agent/api/router.hpp"

#include <charconv>

#include <boost/json.hpp>

#include "common/json/json_reader.hpp"
#include "common/sys/time.hpp"

namespace nexus_mde::agent {

namespace json = boost::json;

namespace {

constexpr std::string_view kScansPrefix = "/v1/scans/";

HttpResponse json_ok(unsigned status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse method_not_allowed(std::string_view allow) {
  auto r = json_error(405, "method_not_allowed", "this route allows " + std::string(allow));
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

// The value of `name` in "a=1&wait=30", if present.
std::optional<std::string_view> query_value(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name)
      return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
  }
  return std::nullopt;
}

bool is_scan_id(std::string_view id) {
  if (id.size() != 32) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string trigger_json(const ScanTrigger& t) { return json::serialize(json::value_from(t)); }

}  // namespace

std::string_view route_label(std::string_view path) {
  for (std::string_view fixed :
       {"/v1/status", "/v1/scans", "/v1/threats", "/v1/detection-test", "/metrics"}) {
    if (path == fixed) return fixed;
  }
  if (path.starts_with(kScansPrefix) && path.size() > kScansPrefix.size()) return "/v1/scans/{id}";
  return "other";
}

Router::Router(SnapshotCache& cache, ScanManager& scans, DetectionTester& detection, Metrics& metrics,
               const EventLog& log, Authenticator authenticator,
               std::function<std::size_t()> open_connections)
    : cache_(cache),
      scans_(scans),
      detection_(detection),
      metrics_(metrics),
      log_(log),
      authenticator_(std::move(authenticator)),
      open_connections_(std::move(open_connections)) {}

void Router::handle(HttpRequest request, Responder respond) {
  std::string_view target = request.target;
  auto question = target.find('?');
  std::string_view path = target.substr(0, question);
  std::string_view query =
      question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  std::string label(route_label(path));

  // Every answer is counted by route and status, with the time it took.
  Responder finish = [this, label, received = request.received,
                      respond = std::move(respond)](HttpResponse r) {
    auto took =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - received);
    metrics_.count_request(label, r.status, took);
    respond(std::move(r));
  };

  if (auto wait = throttle_.retry_after(request.peer_address, request.received)) {
    auto r = json_error(429, "too_many_requests",
                        "too many failed authentications from " + request.peer_address + "; retry in " +
                            std::to_string(wait->count()) + " s");
    r.headers.emplace_back("Retry-After", std::to_string(wait->count()));
    return finish(std::move(r));
  }
  AuthDecision auth =
      authenticator_.authenticate(request.certificate_identities, request.authorization, request.method);
  if (!auth.allowed()) {
    throttle_.record_failure(request.peer_address, request.received);
    metrics_.count_auth_failure(std::string(auth.metric_reason()));
    audit_auth_failure(request, auth, label);
    auto r =
        json_error(auth.http_status(), auth.http_status() == 401 ? "unauthorized" : "forbidden", auth.reason);
    if (auth.http_status() == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return finish(std::move(r));
  }
  route(request, auth.identity, path, query, std::move(finish));
}

void Router::route(const HttpRequest& request, const std::string& identity, std::string_view path,
                   std::string_view query, Responder respond) {
  const std::string& method = request.method;
  bool get = method == "GET";
  if (path == "/v1/status") {
    if (!get) return respond(method_not_allowed("GET, HEAD"));
    return serve_snapshot(&CachedSnapshot::status_json, false, std::move(respond));
  }
  if (path == "/v1/threats") {
    if (!get) return respond(method_not_allowed("GET, HEAD"));
    return serve_snapshot(&CachedSnapshot::threats_json, false, std::move(respond));
  }
  if (path == "/v1/scans") {
    if (get) return serve_snapshot(&CachedSnapshot::scans_json, true, std::move(respond));
    if (method == "POST") return trigger_scan(request, identity, std::move(respond));
    return respond(method_not_allowed("GET, HEAD, POST"));
  }
  if (path.starts_with(kScansPrefix)) {
    if (!get) return respond(method_not_allowed("GET, HEAD"));
    return get_scan(std::string(path.substr(kScansPrefix.size())), query, std::move(respond));
  }
  if (path == "/v1/detection-test") {
    if (method != "POST") return respond(method_not_allowed("POST"));
    return test_detection(request, identity, std::move(respond));
  }
  if (path == "/metrics") {
    if (!get) return respond(method_not_allowed("GET, HEAD"));
    if (open_connections_) metrics_.set_open_connections(open_connections_());
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = metrics_.render(now_epoch_ms());
    return respond(std::move(r));
  }
  respond(json_error(404, "not_found", "no such route: " + std::string(path)));
}

void Router::serve_snapshot(std::string CachedSnapshot::*body, bool with_triggers, Responder respond) {
  cache_.get([this, body, with_triggers,
              respond = std::move(respond)](std::shared_ptr<const CachedSnapshot> snapshot) {
    if (!snapshot) {
      auto r = json_error(503, "not_ready", "the first collection from mdatp has not finished yet");
      r.headers.emplace_back("Retry-After", "5");
      return respond(std::move(r));
    }
    if (!with_triggers) return respond(json_ok(200, (*snapshot).*body));
    // {…,"scans":[…]} + ,"triggered":[…]}: the agent's own scans next to mdatp's history.
    std::string text = (*snapshot).*body;
    text.pop_back();
    text += ",\"triggered\":";
    text += json::serialize(json::value_from(scans_.triggers()));
    text += '}';
    respond(json_ok(200, std::move(text)));
  });
}

void Router::trigger_scan(const HttpRequest& request, const std::string& identity, Responder respond) {
  std::string type = "quick";
  if (!request.body.empty()) {
    auto doc = parse_json_text(request.body, "body");
    const json::object* o = doc ? doc->if_object() : nullptr;
    if (!o) {
      return respond(
          json_error(400, "bad_request",
                     doc ? "the body must be a JSON object: {\"type\":\"quick\"}" : doc.error().describe()));
    }
    for (const auto& kv : *o) {
      if (kv.key() != "type") {
        return respond(json_error(400, "bad_request",
                                  "unknown field \"" + std::string(kv.key()) + "\"; expected only \"type\""));
      }
    }
    if (const json::value* t = o->if_contains("type")) {
      if (!t->is_string() || (t->get_string() != "quick" && t->get_string() != "full")) {
        return respond(json_error(400, "bad_request", "type: must be \"quick\" or \"full\""));
      }
      type = std::string(t->get_string());
    }
  }
  auto outcome = scans_.trigger(type, identity, request.peer);
  if (auto* refused = std::get_if<ScanManager::Refused>(&outcome)) {
    log_.write(Priority::kNotice, message_id::kScanTrigger, "scan trigger refused: " + refused->message,
               {{"PEER", request.peer},
                {"IDENTITY", identity},
                {"ROUTE", "/v1/scans"},
                {"STATUS", std::to_string(refused->status)},
                {"SCAN_TYPE", type}});
    return respond(json_error(refused->status, refused->code, refused->message));
  }
  const auto& t = std::get<ScanTrigger>(outcome);
  metrics_.set_scan_running(true);
  log_.write(Priority::kNotice, message_id::kScanTrigger,
             "scan " + t.id + " (" + type + ") triggered by " + identity,
             {{"PEER", request.peer},
              {"IDENTITY", identity},
              {"ROUTE", "/v1/scans"},
              {"STATUS", "202"},
              {"SCAN_ID", t.id},
              {"SCAN_TYPE", type}});
  auto r = json_ok(202, trigger_json(t));
  r.headers.emplace_back("Location", std::string(kScansPrefix) + t.id);
  respond(std::move(r));
}

void Router::get_scan(const std::string& id, std::string_view query, Responder respond) {
  if (!is_scan_id(id) || !scans_.find(id))
    return respond(json_error(404, "not_found", "no scan with id " + id.substr(0, 64)));
  int wait_seconds = 0;
  if (auto wait = query_value(query, "wait")) {
    auto [end, ec] = std::from_chars(wait->data(), wait->data() + wait->size(), wait_seconds);
    if (ec != std::errc() || end != wait->data() + wait->size() || wait_seconds < 0) {
      return respond(json_error(
          400, "bad_request",
          "wait: must be a whole number of seconds (0 to " + std::to_string(kMaxWaitSeconds) + ")"));
    }
    wait_seconds = std::min(wait_seconds, kMaxWaitSeconds);
  }
  scans_.wait(id, std::chrono::seconds(wait_seconds),
              [respond = std::move(respond), id](const ScanTrigger* t) {
                if (!t) return respond(json_error(404, "not_found", "no scan with id " + id));
                respond(json_ok(200, trigger_json(*t)));
              });
}

void Router::test_detection(const HttpRequest& request, const std::string& identity, Responder respond) {
  // The file's place is the agent's to choose: a request names nothing.
  if (!request.body.empty()) {
    auto doc = parse_json_text(request.body, "body");
    if (!doc || !doc->is_object() || !doc->get_object().empty()) {
      return respond(
          json_error(400, "bad_request", "the detection test takes no parameters; send no body or {}"));
    }
  }
  auto refuse_busy = [this, &request, &identity](Responder& r) {
    log_.write(
        Priority::kNotice, message_id::kDetectionTest, "detection test refused: one is already running",
        {{"PEER", request.peer}, {"IDENTITY", identity}, {"ROUTE", "/v1/detection-test"}, {"STATUS", "409"}});
    r(json_error(409, "detection_test_running",
                 "a detection test is already running on this node; try again when it ends"));
  };
  if (detection_.running()) return refuse_busy(respond);
  // Whether real-time protection is on decides how the detection is proven.
  cache_.get([this, peer = request.peer, identity, refuse_busy, request,
              respond = std::move(respond)](std::shared_ptr<const CachedSnapshot> snapshot) mutable {
    const auto* health = snapshot && snapshot->snapshot.health ? &*snapshot->snapshot.health : nullptr;
    bool real_time = health && health->real_time_protection_enabled == true;
    log_.write(
        Priority::kNotice, message_id::kDetectionTest,
        "detection test (" + std::string(real_time ? "real-time" : "scan") + ") started by " + identity,
        {{"PEER", peer}, {"IDENTITY", identity}, {"ROUTE", "/v1/detection-test"}, {"STATUS", "started"}});
    bool started =
        detection_.start(real_time, identity, [this, peer, identity, respond](const DetectionResult& r) {
          log_.write(r.detected ? Priority::kNotice : Priority::kWarning, message_id::kDetectionTest,
                     std::string("detection test ") + (r.detected ? "detected" : "not detected") +
                         (r.threat ? ": " + *r.threat : std::string()) +
                         (r.error.empty() ? "" : " (" + r.error + ")"),
                     {{"PEER", peer},
                      {"IDENTITY", identity},
                      {"ROUTE", "/v1/detection-test"},
                      {"STATUS", "200"},
                      {"DETECTED", r.detected ? "yes" : "no"},
                      {"ACTION", r.action},
                      {"DURATION_MS", r.time_to_detect_ms ? std::to_string(*r.time_to_detect_ms) : "-"}});
          respond(json_ok(200, json::serialize(json::value_from(r))));
        });
    if (!started) refuse_busy(respond);
  });
}

void Router::audit_auth_failure(const HttpRequest& request, const AuthDecision& decision,
                                std::string_view route) {
  log_.write(Priority::kWarning, message_id::kAuthFailure,
             "authentication failed from " + request.peer + ": " + decision.reason,
             {{"PEER", request.peer},
              {"IDENTITY", decision.identity.empty() ? "-" : decision.identity},
              {"ROUTE", std::string(route)},
              {"METHOD", request.method},
              {"STATUS", std::to_string(decision.http_status())},
              {"OUTCOME", std::string(decision.metric_reason())}});
}

void Router::on_rejected_request(const std::string& peer, unsigned status, std::string_view reason) {
  metrics_.count_request("other", status, std::chrono::microseconds(0));
  log_.write(Priority::kInfo, message_id::kRequestRejected,
             "request from " + peer + " rejected: " + std::string(reason),
             {{"PEER", peer}, {"STATUS", std::to_string(status)}});
}

void Router::on_handshake_failure(const std::string& peer_address, const std::string& peer,
                                  std::string_view reason) {
  // A certificate that does not verify is an authentication failure like a bad token; other
  // handshake failures (a port scanner, a plain-HTTP client) are only worth a debug line.
  if (reason.starts_with("certificate verify failed")) {
    throttle_.record_failure(peer_address, std::chrono::steady_clock::now());
    metrics_.count_auth_failure("bad-certificate");
    log_.write(Priority::kWarning, message_id::kAuthFailure,
               "TLS handshake from " + peer + " failed: " + std::string(reason),
               {{"PEER", peer},
                {"IDENTITY", "-"},
                {"ROUTE", "-"},
                {"STATUS", "handshake"},
                {"OUTCOME", "bad-certificate"}});
    return;
  }
  log_.write(Priority::kDebug, message_id::kRequestRejected,
             "TLS handshake from " + peer + " failed: " + std::string(reason), {{"PEER", peer}});
}

void Router::on_connection_refused(const std::string& peer, std::string_view reason) {
  metrics_.count_refused_connection();
  ++refusals_unlogged_;
  auto now = std::chrono::steady_clock::now();
  if (now - last_refusal_log_ < std::chrono::seconds(10)) return;
  std::string message = "connection from " + peer + " refused: " + std::string(reason);
  if (refusals_unlogged_ > 1)
    message += " (" + std::to_string(refusals_unlogged_) + " refused since the last such entry)";
  log_.write(Priority::kWarning, message_id::kRequestRejected, message, {{"PEER", peer}});
  last_refusal_log_ = now;
  refusals_unlogged_ = 0;
}

void Router::on_handshake_evicted(const std::string&) { metrics_.count_evicted_handshake(); }

}  // namespace nexus_mde::agent
