// fake-arm: an Azure Resource Manager emulator for the Microsoft.NetworkCloud routes nexus-mde
// uses, with the payload shapes of tests/fixtures/networkcloud (the reference samples are the
// templates every answer is made from). HTTPS (the agent's own Beast server), bearer check,
// api-version check, long-running operations that take a configurable time (Azure-AsyncOperation
// and Location, 202 while running), nextLink paging, and injected faults (429 with Retry-After,
// 500, a failed operation). A PATCH of the enforcement level acts on the emulated nodes' mdatp
// doubles the way the platform would.
//
//   fake-arm --listen 127.0.0.1:PORT --cert C --key K --ca CA --world world.json
//
// world.json: {"subscription","resourceGroup","cluster","managedResourceGroup","location","token",
//   "enforcementLevel" (absent: never set), "definitionUpdateMode", "apiVersions":[…],
//   "lroMilliseconds", "pageSize",
//   "faults":{"throttle":N,"retryAfterSeconds":S,"serverErrors":N,"failPatch":bool, "concurrentWriter":bool
//   (the etag changes after every GET: a PATCH with If-Match gets 412)},
//   "nodes":[{"name","address","readyState","powerState","clusterId"?,"mdatpState"?,
//             "applyDelayMilliseconds"?,"scanMilliseconds"?,"stuck"?}]}
// scanRuntime: each powered-on, non-stuck node reports scanStartedTime when the operation
// completes and scanCompletedTime scanMilliseconds (default 500) later, when the scan is also
// added to its mdatp double's history (a quick scan, succeeded).
// runtimeProtectionStatus's health, license and definitions come from the node's mdatp double state.
// A node reports a new level (runtimeProtectionStatus.enforcementLevel) applyDelayMilliseconds
// after the operation completes; a stuck node never does.
// Faults count down: the next N requests get 429 (Retry-After: retryAfterSeconds, default 1), then
// the next N get 500.
// runDataExtracts / runDataExtractsRestricted (mde-agent-information): a Location LRO; when it
// completes the platform runs the node's mdatp (the double next to its state file) as the data
// extract does, packs mde-agent-information.json into a tar.gz and serves it as a blob with a
// SAS-style query (sig checked; an Authorization header is refused: a SAS request carries none).
// Per node: "extractMilliseconds" (over limitTimeSeconds: exit code 252), "extractTimesOut" (252
// at once, without the wait). World: "blobRedirect"
// (the result URL answers 307 first), "blobForbidden" (403, the storage firewall).
// faults.status: every request for the cluster answered 403 (AuthorizationFailed) or that 5xx
// (with Retry-After: retryAfterSeconds), a cluster the operator cannot read.
// A world with "clusters" serves several (FleetArm, below); either way the subscription's
// machines can be listed (BareMetalMachines_ListBySubscription).
#include <archive.h>
#include <archive_entry.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include "agent/server/http_server.hpp"
#include "common/net/tls_context.hpp"
#include "common/sys/process.hpp"
#include "common/sys/text.hpp"
#include "common/sys/time.hpp"

namespace json = boost::json;
using nexus_mde::agent::HttpRequest;
using nexus_mde::agent::HttpResponse;
using nexus_mde::agent::Responder;

namespace {

json::value read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

json::object fixture_body(const char* file) {
  auto doc = read_json(std::string(NEXUS_MDE_FIXTURES) + "/networkcloud/" + file);
  return doc.at("responses").at("200").at("body").as_object();
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A node's mdatp double state (empty when missing or unreadable).
json::object read_state(const std::string& state_file) {
  try {
    return read_json(state_file).as_object();
  } catch (...) {
    return {};
  }
}

// Replaced whole (a temporary file, then rename): the double and the agents never read half a file.
void write_state(const std::string& state_file, const json::object& state) {
  std::string tmp = state_file + ".arm-tmp";
  std::ofstream(tmp) << json::serialize(state);
  std::rename(tmp.c_str(), state_file.c_str());
}

// mdatp's state for a Nexus enforcement level, as the platform would configure the node.
void apply_level(const std::string& state_file, const std::string& level) {
  json::object state = read_state(state_file);
  state.erase("daemonRunning");
  state.erase("realTimeProtectionEnabled");
  state.erase("passiveModeEnabled");
  if (level == "Disabled")
    state["daemonRunning"] = false;
  else if (level == "RealTime")
    state["enforcementLevel"] = "real_time";
  else if (level == "OnDemand")
    state["enforcementLevel"] = "on_demand";
  else if (level == "Passive")
    state["enforcementLevel"] = "passive";
  else if (level == "Audit") {
    state["enforcementLevel"] = "real_time";
    state["passiveModeEnabled"] = true;
  }
  write_state(state_file, state);
}

// What a node applies, and from when: the platform rolls a new level out node by node.
struct NodeLevel {
  std::string level = "Disabled";
  std::string pending;
  std::chrono::steady_clock::time_point pending_at;
  // The last scan the platform ran here (epoch ms); a scan completes scanMilliseconds after it starts.
  std::int64_t scan_started_ms = 0;
  std::int64_t scan_completed_ms = 0;
  bool scan_recorded = true;  // the finished scan is in the node's mdatp history
};

// A scan the platform ran, as mdatp records it in its history (scan list, agent's /v1/scans).
void record_scan(const std::string& state_file, std::int64_t started_ms, std::int64_t ended_ms) {
  json::object state = read_state(state_file);
  auto& scans = state["scans"];
  if (!scans.is_array()) scans = json::array{};
  scans.as_array().push_back(json::object{{"type", "quick"},
                                          {"state", "succeeded"},
                                          {"startTime", started_ms},
                                          {"endTime", ended_ms},
                                          {"filesScanned", 1750},
                                          {"threats", json::array{}}});
  write_state(state_file, state);
}

struct Operation {
  bool scan = false;  // scanRuntime, else an enforcement PATCH
  std::chrono::steady_clock::time_point done_at;
  bool fails = false;
  std::string level;  // applied when it completes
  std::string update_mode;
  bool applied = false;
  std::string resource_id;
  std::string extract_node;  // a data extract on this machine
  std::int64_t limit_seconds = 0;
  json::object properties;  // the data extract's result: exitCode, outputHead, resultUrl
};

// A .tar.gz holding one file, built in memory as the platform's data extract does.
std::string tar_gz(const std::string& member, const std::string& content) {
  std::string out;
  archive* a = archive_write_new();
  archive_write_add_filter_gzip(a);
  archive_write_set_format_pax_restricted(a);
  archive_write_open(
      a, &out, nullptr,
      [](archive*, void* data, const void* buffer, size_t length) -> la_ssize_t {
        static_cast<std::string*>(data)->append(static_cast<const char*>(buffer), length);
        return static_cast<la_ssize_t>(length);
      },
      nullptr);
  if (!member.empty()) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, member.c_str());
    archive_entry_set_size(entry, static_cast<la_int64_t>(content.size()));
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_write_header(a, entry);
    archive_write_data(a, content.data(), content.size());
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

class FakeArm final {
 public:
  FakeArm(json::object world, std::string host, std::string op_prefix = "op-")
      : world_(std::move(world)), host_(std::move(host)), op_prefix_(std::move(op_prefix)) {
    cluster_template_ = fixture_body("stable-2026-10-01_Clusters_Get.json");
    machine_template_ = fixture_body("stable-2026-10-01_BareMetalMachines_ListByResourceGroup.json")
                            .at("value")
                            .at(0)
                            .as_object();
    auto faults = world_.if_contains("faults");
    if (faults && faults->is_object()) {
      if (auto* t = faults->as_object().if_contains("throttle")) throttle_left_ = t->to_number<int>();
      if (auto* t = faults->as_object().if_contains("retryAfterSeconds")) retry_after_ = t->to_number<long>();
      if (auto* e = faults->as_object().if_contains("serverErrors")) errors_left_ = e->to_number<int>();
      if (auto* f = faults->as_object().if_contains("failPatch")) fail_patch_ = f->as_bool();
      if (auto* f = faults->as_object().if_contains("concurrentWriter")) concurrent_writer_ = f->as_bool();
      if (auto* f = faults->as_object().if_contains("status")) fault_status_ = f->to_number<unsigned>();
    }
    for (const auto& n : world_.at("nodes").as_array()) {
      node_levels_[std::string(n.at("name").as_string())].level = text("enforcementLevel", "Disabled");
    }
  }

  std::string subscription() const { return text("subscription"); }

  // Whether a request for `target` is this cluster's: its resource, its machines (in the managed
  // resource group), one of its operations or one of its blobs.
  bool serves(const std::string& target) const {
    std::string path = lower(target.substr(0, target.find('?')));
    std::string sub = "/subscriptions/" + text("subscription");
    if (path.starts_with(lower(cluster_id()))) return true;
    if (path.starts_with(lower(sub + "/resourceGroups/" + text("managedResourceGroup") + "/"))) return true;
    auto slash = path.rfind('/');
    if (path.find("/operationstatuses/") != std::string::npos)
      return operations_.count(target.substr(0, target.find('?')).substr(slash + 1)) > 0;
    for (const auto& [id, blob] : blobs_) {
      if (target.find("/bmm-run-command-output/" + id) != std::string::npos) return true;
    }
    return false;
  }

  // The checks every ARM request meets first: the token, then the api-version.
  std::optional<HttpResponse> refuse(const HttpRequest& request) const {
    std::string token = text("token", "arm-token");
    if (request.authorization != "Bearer " + token) {
      if (request.authorization.empty())
        return error(401, "AuthenticationFailed",
                     "Authentication failed. The 'Authorization' header is missing.");
      return error(401, "InvalidAuthenticationToken", "The access token is invalid.");
    }
    std::string api_version = param(query_of(request.target), "api-version");
    bool accepted_version = false;
    if (auto* versions = world_.if_contains("apiVersions"); versions && versions->is_array()) {
      for (const auto& v : versions->as_array())
        accepted_version = accepted_version || v.as_string() == api_version;
    } else {
      accepted_version = api_version == "2026-07-01" || api_version == "2025-09-01";
    }
    if (!accepted_version) {
      return error(400, "NoRegisteredProviderFound",
                   "No registered resource provider found for location '" + text("location", "eastus") +
                       "' and API version '" + api_version + "' for type 'clusters'.");
    }
    return std::nullopt;
  }

  // Every machine, as a list of this api-version shows it (BareMetalMachines_ListBySubscription).
  json::array all_machines(const std::string& api_version) {
    complete_operations();
    json::array out;
    for (const auto& n : world_.at("nodes").as_array()) {
      json::object m = machine_json(n.as_object());
      shape_machine(m, api_version);
      out.push_back(std::move(m));
    }
    return out;
  }

  static std::string query_of(const std::string& target) {
    auto q = target.find('?');
    return q == std::string::npos ? "" : target.substr(q + 1);
  }

  static HttpResponse error(unsigned status, const std::string& code, const std::string& message) {
    HttpResponse r;
    r.status = status;
    r.body = json::serialize(json::object{{"error", json::object{{"code", code}, {"message", message}}}});
    return r;
  }

  static std::string param(const std::string& query, const std::string& name) {
    std::size_t at = 0;
    while (at <= query.size()) {
      std::size_t end = query.find('&', at);
      std::string pair = query.substr(at, end == std::string::npos ? std::string::npos : end - at);
      if (pair.rfind(name + "=", 0) == 0) return pair.substr(name.size() + 1);
      if (end == std::string::npos) break;
      at = end + 1;
    }
    return {};
  }

  HttpResponse answer(const HttpRequest& request) {
    // Storage, not ARM: a SAS URL carries its own authorization.
    if (request.target.starts_with("/bmm-run-command-output/") || request.target.starts_with("/redirect/")) {
      return get_blob(request);
    }
    if (auto refused = refuse(request)) return *refused;
    if (fault_status_ == 403) {
      return error(
          403, "AuthorizationFailed",
          "The client 'operator@example.com' with object id '00000000-0000-0000-0000-000000000001' "
          "does not have authorization to perform action 'Microsoft.NetworkCloud/clusters/read' over "
          "scope '" +
              cluster_id() +
              "' or the scope is invalid. If access was recently granted, "
              "please refresh your credentials.");
    }
    if (fault_status_ >= 500) {
      auto r = error(fault_status_, "InternalServerError", "Encountered internal server error.");
      r.headers.emplace_back("Retry-After", std::to_string(retry_after_));
      return r;
    }
    if (throttle_left_ > 0) {
      --throttle_left_;
      auto r = error(429, "TooManyRequests", "The request is being throttled.");
      r.headers.emplace_back("Retry-After", std::to_string(retry_after_));
      return r;
    }
    if (errors_left_ > 0) {
      --errors_left_;
      return error(500, "InternalServerError", "Encountered internal server error.");
    }
    std::string path = request.target.substr(0, request.target.find('?'));
    std::string query = query_of(request.target);
    std::string api_version = param(query, "api-version");
    std::string sub = "/subscriptions/" + text("subscription");
    std::string cluster_path = sub + "/resourceGroups/" + text("resourceGroup") +
                               "/providers/Microsoft.NetworkCloud/clusters/" + text("cluster");
    std::string machines_path = sub + "/resourceGroups/" + text("managedResourceGroup") +
                                "/providers/Microsoft.NetworkCloud/bareMetalMachines";
    std::string operations_prefix = sub + "/providers/Microsoft.NetworkCloud/locations/" +
                                    text("location", "eastus") + "/operationStatuses/";
    if (lower(path) == lower(cluster_path)) {
      if (request.method == "GET") return get_cluster(api_version);
      if (request.method == "PATCH") return patch_cluster(request, api_version);
      return error(405, "MethodNotAllowed", "The requested method is not allowed.");
    }
    if (lower(path) == lower(cluster_path + "/scanRuntime") && request.method == "POST")
      return scan_runtime(request, api_version);
    if (lower(path) == lower(machines_path) && request.method == "GET")
      return list_machines(query, api_version);
    if (lower(path).starts_with(lower(machines_path) + "/") && request.method == "POST") {
      std::string rest = path.substr(machines_path.size() + 1);
      auto slash = rest.find('/');
      if (slash != std::string::npos)
        return run_data_extracts(request, rest.substr(0, slash), rest.substr(slash + 1), api_version);
    }
    if (path.starts_with(operations_prefix) && request.method == "GET")
      return operation_status(path.substr(operations_prefix.size()));
    return error(404, "ResourceNotFound", "The Resource '" + path + "' was not found.");
  }

 private:
  std::string text(const char* key, const std::string& fallback = "") const {
    auto* v = world_.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : fallback;
  }
  std::string cluster_id() const {
    return "/subscriptions/" + text("subscription") + "/resourceGroups/" + text("resourceGroup") +
           "/providers/Microsoft.NetworkCloud/clusters/" + text("cluster");
  }

  // What each api-version's schema has (the TypeSpec @added decorators, and the 2025-09-01 and
  // 2026-10-01 examples): before 2026-01-01-preview the cluster's runtimeProtectionConfiguration
  // has no definitionUpdateMode and a machine's runtimeProtectionStatus only its five times and
  // definitions fields; the BMC addresses came with 2026-01-01-preview and
  // monitoringConfigurationStatus with 2026-05-01-preview. ARM answers in the version asked for.
  static bool before(const std::string& api_version, const char* version) {
    return api_version.substr(0, 10) < version;
  }

  static void shape_cluster(json::object& c, const std::string& api_version) {
    auto& p = c["properties"].as_object();
    if (before(api_version, "2026-01-01")) {
      if (auto* rpc = p.if_contains("runtimeProtectionConfiguration"); rpc && rpc->is_object())
        rpc->as_object().erase("definitionUpdateMode");
      c.erase("kind");
    }
  }

  static void shape_machine(json::object& m, const std::string& api_version) {
    auto& p = m["properties"].as_object();
    if (before(api_version, "2026-05-01")) p.erase("monitoringConfigurationStatus");
    if (!before(api_version, "2026-01-01")) return;
    p.erase("bmcIpv4Address");
    p.erase("bmcIpv6Address");
    if (auto* rps = p.if_contains("runtimeProtectionStatus"); rps && rps->is_object()) {
      json::object kept;
      for (const char* k : {"definitionsLastUpdated", "definitionsVersion", "scanCompletedTime",
                            "scanScheduledTime", "scanStartedTime"}) {
        if (auto* v = rps->as_object().if_contains(k)) kept[k] = *v;
      }
      *rps = std::move(kept);
    }
  }

  json::object cluster_json() {
    json::object c = cluster_template_;
    c["id"] = cluster_id();
    c["name"] = text("cluster");
    c["location"] = text("location", "eastus");
    c["etag"] = "\"etag-" + std::to_string(etag_) + "\"";
    auto& p = c["properties"].as_object();
    p["managedResourceGroupConfiguration"] =
        json::object{{"location", text("location", "eastus")}, {"name", text("managedResourceGroup")}};
    if (world_.contains("enforcementLevel") && world_.at("enforcementLevel").is_string()) {
      p["runtimeProtectionConfiguration"] =
          json::object{{"enforcementLevel", world_.at("enforcementLevel")},
                       {"definitionUpdateMode", text("definitionUpdateMode", "None")}};
    } else {
      p.erase("runtimeProtectionConfiguration");  // never set: absent, which means Disabled
    }
    return c;
  }

  HttpResponse get_cluster(const std::string& api_version) {
    complete_operations();
    HttpResponse r;
    json::object c = cluster_json();
    shape_cluster(c, api_version);
    r.body = json::serialize(c);
    if (concurrent_writer_) ++etag_;  // someone else changes the cluster right after every read
    return r;
  }

  HttpResponse patch_cluster(const HttpRequest& request, const std::string& api_version) {
    std::string etag = "\"etag-" + std::to_string(etag_) + "\"";
    if (!request.if_match.empty() && request.if_match != "*" && request.if_match != etag) {
      return error(412, "PreconditionFailed",
                   "The specified precondition 'If-Match = " + request.if_match + "' failed.");
    }
    json::value body;
    try {
      body = json::parse(request.body);
    } catch (...) {
      return error(400, "InvalidRequestContent",
                   "The request content was invalid and could not be deserialized.");
    }
    const json::value* rpc = nullptr;
    if (auto* props = body.is_object() ? body.as_object().if_contains("properties") : nullptr;
        props && props->is_object()) {
      rpc = props->as_object().if_contains("runtimeProtectionConfiguration");
    }
    if (!rpc || !rpc->is_object())
      return error(400, "InvalidRequestContent",
                   "properties.runtimeProtectionConfiguration is required here.");
    Operation op;
    op.level = text("enforcementLevel", "Disabled");
    op.update_mode = text("definitionUpdateMode", "None");
    if (auto* l = rpc->as_object().if_contains("enforcementLevel")) {
      static const std::set<std::string> levels{"Audit", "Disabled", "OnDemand", "Passive", "RealTime"};
      if (!l->is_string() || !levels.count(std::string(l->as_string()))) {
        return error(400, "InvalidRequestContent",
                     "enforcementLevel: not one of Audit, Disabled, OnDemand, Passive, RealTime.");
      }
      op.level = std::string(l->as_string());
    }
    if (auto* m = rpc->as_object().if_contains("definitionUpdateMode")) {
      // The member is not in that version's schema. Whether ARM ignores or refuses it is not
      // documented; the emulator refuses, so that a client which sends it anyway is caught.
      if (before(api_version, "2026-01-01")) {
        return error(
            400, "InvalidRequestContent",
            "Could not find member 'definitionUpdateMode' on object of type 'RuntimeProtectionConfiguration' "
            "(api-version " +
                api_version + ").");
      }
      if (m->is_string()) op.update_mode = std::string(m->as_string());
    }
    op.fails = fail_patch_;
    return start_operation(std::move(op), api_version, true);
  }

  // POST scanRuntime: a Location-only LRO (no Azure-AsyncOperation for actions); when it
  // completes, every powered-on node runs a scan.
  HttpResponse scan_runtime(const HttpRequest& request, const std::string& api_version) {
    std::string activity = "Scan";
    if (!request.body.empty()) {
      json::value body;
      try {
        body = json::parse(request.body);
      } catch (...) {
        return error(400, "InvalidRequestContent",
                     "The request content was invalid and could not be deserialized.");
      }
      if (auto* a = body.is_object() ? body.as_object().if_contains("scanActivity") : nullptr) {
        if (!a->is_string() || (a->as_string() != "Scan" && a->as_string() != "Skip")) {
          return error(400, "InvalidRequestContent", "scanActivity: must be Scan or Skip.");
        }
        activity = std::string(a->as_string());
      }
    }
    Operation op;
    op.scan = activity == "Scan";
    return start_operation(std::move(op), api_version, false);
  }

  // POST …/bareMetalMachines/{name}/runDataExtracts[Restricted]: mde-agent-information moved to the
  // restricted action from 2025-07-01-preview on (docs/formats.md, ARM api-versions).
  HttpResponse run_data_extracts(const HttpRequest& request, const std::string& machine,
                                 const std::string& action, const std::string& api_version) {
    bool restricted_era = api_version.substr(0, 10) >= "2025-07-01";
    if (action != "runDataExtracts" && action != "runDataExtractsRestricted") {
      return error(404, "ResourceNotFound", "No action '" + action + "'.");
    }
    if (action == "runDataExtractsRestricted" && !restricted_era) {
      return error(
          400, "InvalidResourceType",
          "The action 'runDataExtractsRestricted' is not supported by api-version " + api_version + ".");
    }
    const json::object* node = nullptr;
    for (const auto& n : world_.at("nodes").as_array()) {
      if (lower(std::string(n.at("name").as_string())) == lower(machine)) node = &n.as_object();
    }
    if (!node)
      return error(404, "ResourceNotFound",
                   "The Resource 'Microsoft.NetworkCloud/bareMetalMachines/" + machine + "' was not found.");
    json::value body;
    try {
      body = json::parse(request.body);
    } catch (...) {
      return error(400, "InvalidRequestContent",
                   "The request content was invalid and could not be deserialized.");
    }
    const json::object* o = body.if_object();
    const json::value* commands = o ? o->if_contains("commands") : nullptr;
    const json::value* limit = o ? o->if_contains("limitTimeSeconds") : nullptr;
    if (!commands || !commands->is_array() || commands->as_array().empty()) {
      return error(400, "InvalidRequestContent", "commands: at least one command is required.");
    }
    if (!limit || !limit->is_number() || limit->to_number<std::int64_t>() < 60 ||
        limit->to_number<std::int64_t>() > 14400) {
      return error(400, "InvalidRequestContent", "limitTimeSeconds: required, from 60 to 14400.");
    }
    const auto& first = commands->as_array().front();
    if (!first.is_object() || !first.as_object().contains("command") ||
        first.at("command") != "mde-agent-information") {
      return error(400, "InvalidRequestContent", "Only mde-agent-information is emulated.");
    }
    if (action == "runDataExtracts" && restricted_era) {
      return error(400, "InvalidRequestContent",
                   "The command mde-agent-information is not supported by runDataExtracts as of api-version "
                   "2025-07-01-preview; "
                   "use runDataExtractsRestricted.");
    }
    if ((node->contains("powerState") && node->at("powerState") != "On") ||
        (node->contains("readyState") && node->at("readyState") != "True")) {
      return error(409, "BareMetalMachineNotReady", "The bare metal machine " + machine + " is not ready.");
    }
    Operation op;
    op.extract_node = std::string(node->at("name").as_string());
    op.limit_seconds = limit->to_number<std::int64_t>();
    std::int64_t work =
        node->contains("extractMilliseconds") ? node->at("extractMilliseconds").to_number<std::int64_t>() : 0;
    auto r = start_operation(std::move(op), api_version, false);
    // The script's own time, bounded by limitTimeSeconds, comes on top of the platform's.
    auto& started = operations_[op_prefix_ + std::to_string(operation_count_)];
    started.done_at += std::chrono::milliseconds(std::min(work, started.limit_seconds * 1000));
    started.resource_id = "/subscriptions/" + text("subscription") + "/resourceGroups/" +
                          text("managedResourceGroup") +
                          "/providers/Microsoft.NetworkCloud/bareMetalMachines/" + started.extract_node;
    return r;
  }

  // What the mde-agent-information script does on the node: mdatp commands into the template.
  json::object run_extract(const Operation& op) {
    const json::object* node = nullptr;
    for (const auto& n : world_.at("nodes").as_array()) {
      if (n.at("name").as_string() == op.extract_node) node = &n.as_object();
    }
    std::string head = "====Action Command Output====\nExecuting mde-agent-information command\n";
    std::int64_t work = node && node->contains("extractMilliseconds")
                            ? node->at("extractMilliseconds").to_number<std::int64_t>()
                            : 0;
    bool times_out = node && node->contains("extractTimesOut") && node->at("extractTimesOut").as_bool();
    if (times_out ||
        work > op.limit_seconds * 1000) {  // stopped at limitTimeSeconds, with what it wrote so far
      head += "MDE agent is running, proceeding with data extract\nGetting MDE agent information for " +
              op.extract_node + "\n";
      return {{"exitCode", "252"}, {"outputHead", head}, {"resultUrl", store_blob(tar_gz("", ""))}};
    }
    const json::value* state = node ? node->if_contains("mdatpState") : nullptr;
    if (!state || !state->is_string()) {
      return {{"exitCode", "1"}, {"outputHead", head + "mdatp: command not found\n"}};
    }
    std::filesystem::path state_dir = std::filesystem::path(std::string(state->as_string())).parent_path();
    std::string mdatp = (state_dir.parent_path() / "mdatp").string();
    auto run = [&](std::vector<std::string> args, json::value& out) {
      args.insert(args.begin(), mdatp);
      nexus_mde::ProcessOptions o;
      o.timeout = std::chrono::seconds(10);
      o.environment = {"FAKE_MDATP_STATE=" + state_dir.string()};
      auto r = nexus_mde::run_process(args, o);
      if (!r || r->exit_code != 0) return false;
      auto start = r->out.find_first_of("{[");  // after an ATTENTION line, if any
      try {
        out = json::parse(start == std::string::npos ? std::string() : r->out.substr(start));
      } catch (...) {
        return false;
      }
      return true;
    };
    json::value health, definitions, scans, threats, quarantine;
    if (!run({"health", "--output", "json"}, health)) {
      return {{"exitCode", "1"}, {"outputHead", head + "MDE agent is not running, no data extracted\n"}};
    }
    run({"health", "--details", "definitions", "--output", "json"}, definitions);
    run({"scan", "list", "--output", "json"}, scans);
    run({"threat", "list", "--output", "json"}, threats);
    run({"threat", "quarantine", "list", "--output", "json"}, quarantine);
    json::object info{{"diagnosticInformation",
                       json::object{{"realTimeProtectionStats", nullptr}, {"eventProviderStats", nullptr}}},
                      {"mdeDefinitions", definitions},
                      {"generalHealth", health},
                      {"mdeConfiguration", nullptr},
                      {"scanList", scans},
                      {"threatInformation", json::object{{"list", threats}, {"quarantineList", quarantine}}}};
    head += "MDE agent is running, proceeding with data extract\nGetting MDE agent information for " +
            op.extract_node + "\nWriting to /hostfs/tmp/runcommand\n";
    std::string archive = tar_gz("hostfs/tmp/runcommand/mde-agent-information.json", json::serialize(info));
    return {{"exitCode", "0"}, {"outputHead", head}, {"resultUrl", store_blob(archive)}};
  }

  std::string store_blob(std::string bytes) {
    std::string id = nexus_mde::random_hex(16);
    std::string sig = nexus_mde::random_hex(16);
    blobs_[id] = {std::move(bytes), sig};
    bool redirect = world_.contains("blobRedirect") && world_.at("blobRedirect").as_bool();
    return "https://" + host_ + (redirect ? "/redirect" : "") + "/bmm-run-command-output/" + id +
           "-action-bmmdataextcmd.tar.gz?se=2099-01-01T00%3A00%3A00Z&sig=" + sig +
           "&sp=r&spr=https&sr=b&sv=2019-12-12";
  }

  HttpResponse get_blob(const HttpRequest& request) {
    if (request.target.starts_with("/redirect/")) {
      HttpResponse r;
      r.status = 307;
      r.headers.emplace_back("Location",
                             "https://" + host_ + request.target.substr(std::string("/redirect").size()));
      return r;
    }
    if (!request.authorization.empty()) {
      return error(400, "InvalidAuthenticationInfo", "A SAS request must not carry an Authorization header.");
    }
    if (world_.contains("blobForbidden") && world_.at("blobForbidden").as_bool()) {
      return error(403, "AuthorizationFailure", "This request is not authorized to perform this operation.");
    }
    std::string path = request.target.substr(0, request.target.find('?'));
    std::string query = request.target.find('?') == std::string::npos
                            ? ""
                            : request.target.substr(request.target.find('?') + 1);
    std::string name = path.substr(std::string("/bmm-run-command-output/").size());
    auto it = blobs_.find(name.substr(0, name.find('-')));
    if (it == blobs_.end()) return error(404, "BlobNotFound", "The specified blob does not exist.");
    if (param(query, "sig") != it->second.second) {
      return error(403, "AuthenticationFailed", "Server failed to authenticate the request.");
    }
    HttpResponse r;
    r.content_type = "application/octet-stream";
    r.body = it->second.first;
    return r;
  }

  HttpResponse start_operation(Operation op, const std::string& api_version, bool async_operation_header) {
    op.resource_id = cluster_id();
    op.done_at = std::chrono::steady_clock::now() +
                 std::chrono::milliseconds(world_.contains("lroMilliseconds")
                                               ? world_.at("lroMilliseconds").to_number<int>()
                                               : 1000);
    std::string id = op_prefix_ + std::to_string(++operation_count_);
    operations_[id] = op;
    std::string url = "https://" + host_ + "/subscriptions/" + text("subscription") +
                      "/providers/Microsoft.NetworkCloud/locations/" + text("location", "eastus") +
                      "/operationStatuses/" + id + "?api-version=" + api_version;
    HttpResponse r;
    r.status = 202;
    r.body = "";
    if (async_operation_header) r.headers.emplace_back("Azure-AsyncOperation", url);
    r.headers.emplace_back("Location", url);
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }

  // Operations past their time complete; a completed enforcement change reaches the nodes, and
  // a node's finished scan its mdatp history.
  void complete_operations() {
    auto now = std::chrono::steady_clock::now();
    for (const auto& n : world_.at("nodes").as_array()) {
      auto& level = node_levels_[std::string(n.at("name").as_string())];
      if (level.scan_recorded || nexus_mde::now_epoch_ms() < level.scan_completed_ms) continue;
      level.scan_recorded = true;
      if (auto* state = n.as_object().if_contains("mdatpState"); state && state->is_string()) {
        record_scan(std::string(state->as_string()), level.scan_started_ms, level.scan_completed_ms);
      }
    }
    for (auto& [id, op] : operations_) {
      if (op.applied || now < op.done_at) continue;
      op.applied = true;
      if (op.fails) continue;
      if (!op.extract_node.empty()) {
        op.properties = run_extract(op);
        continue;
      }
      if (op.scan) {
        std::int64_t now_ms = nexus_mde::now_epoch_ms();
        for (const auto& n : world_.at("nodes").as_array()) {
          const auto& o = n.as_object();
          if ((o.contains("powerState") && o.at("powerState") != "On") ||
              (o.contains("stuck") && o.at("stuck").as_bool()))
            continue;
          auto& state = node_levels_[std::string(o.at("name").as_string())];
          state.scan_started_ms = now_ms;
          state.scan_completed_ms =
              now_ms +
              (o.contains("scanMilliseconds") ? o.at("scanMilliseconds").to_number<std::int64_t>() : 500);
          state.scan_recorded = false;
        }
        continue;
      }
      world_["enforcementLevel"] = op.level;
      world_["definitionUpdateMode"] = op.update_mode;
      ++etag_;
      if (auto* nodes = world_.if_contains("nodes"); nodes && nodes->is_array()) {
        for (auto& n : nodes->as_array()) {
          auto& o = n.as_object();
          if (o.contains("stuck") && o.at("stuck").as_bool()) continue;  // never takes a new level
          auto& applied = node_levels_[std::string(o.at("name").as_string())];
          applied.pending = op.level;
          applied.pending_at =
              now + std::chrono::milliseconds(o.contains("applyDelayMilliseconds")
                                                  ? o.at("applyDelayMilliseconds").to_number<int>()
                                                  : 0);
          if (auto* state = o.if_contains("mdatpState"); state && state->is_string()) {
            apply_level(std::string(state->as_string()), op.level);
          }
        }
      }
    }
  }

  HttpResponse operation_status(const std::string& id) {
    complete_operations();
    auto it = operations_.find(id);
    if (it == operations_.end())
      return error(404, "OperationNotFound", "The operation '" + id + "' was not found.");
    const Operation& op = it->second;
    json::object status{
        {"id", "/subscriptions/" + text("subscription") + "/providers/Microsoft.NetworkCloud/locations/" +
                   text("location", "eastus") + "/operationStatuses/" + id},
        {"name", id},
        {"resourceId", op.resource_id},
        {"startTime", *nexus_mde::format_rfc3339_ms(nexus_mde::now_epoch_ms())}};
    HttpResponse r;
    if (!op.applied) {
      status["status"] = "InProgress";
      status["percentComplete"] = 50;
      r.status = 202;  // Location semantics; the body says the same for Azure-AsyncOperation pollers
      r.headers.emplace_back("Retry-After", "1");
    } else if (op.fails) {
      status["status"] = "Failed";
      status["error"] = json::object{{"code", "RuntimeProtectionUpdateFailed"},
                                     {"message", "The cluster rejected the runtime protection update."}};
    } else {
      status["status"] = "Succeeded";
      status["percentComplete"] = 100;
      if (!op.properties.empty()) status["properties"] = op.properties;
    }
    r.body = json::serialize(status);
    return r;
  }

  HttpResponse list_machines(const std::string& query, const std::string& api_version) {
    complete_operations();
    std::size_t page = world_.contains("pageSize") ? world_.at("pageSize").to_number<std::size_t>() : 100;
    std::size_t skip = 0;
    if (auto token = param(query, "%24skipToken"); !token.empty()) skip = std::stoul(token);
    if (auto token = param(query, "$skipToken"); !token.empty()) skip = std::stoul(token);
    json::array value;
    const auto& nodes = world_.at("nodes").as_array();
    for (std::size_t i = skip; i < nodes.size() && value.size() < page; ++i) {
      json::object m = machine_json(nodes[i].as_object());
      shape_machine(m, api_version);
      value.push_back(std::move(m));
    }
    json::object list{{"value", std::move(value)}};
    if (skip + page < nodes.size()) {
      list["nextLink"] = "https://" + host_ + "/subscriptions/" + text("subscription") + "/resourceGroups/" +
                         text("managedResourceGroup") +
                         "/providers/Microsoft.NetworkCloud/bareMetalMachines?api-version=" + api_version +
                         "&%24skipToken=" + std::to_string(skip + page);
    }
    HttpResponse r;
    r.body = json::serialize(list);
    return r;
  }

  json::object machine_json(const json::object& node) {
    json::object m = machine_template_;
    std::string name(node.at("name").as_string());
    m["name"] = name;
    m["id"] = "/subscriptions/" + text("subscription") + "/resourceGroups/" + text("managedResourceGroup") +
              "/providers/Microsoft.NetworkCloud/bareMetalMachines/" + name;
    auto& p = m["properties"].as_object();
    p["machineName"] = name;
    p["oamIpv4Address"] = node.contains("address") ? node.at("address") : json::value(nullptr);
    if (auto* v6 = node.if_contains("ipv6"))
      p["oamIpv6Address"] = *v6;
    else
      p.erase("oamIpv6Address");
    // ARM IDs differ in case now and then: the client must compare case-insensitively.
    p["clusterId"] = node.contains("clusterId") ? node.at("clusterId") : json::value(lower(cluster_id()));
    p["readyState"] = node.contains("readyState") ? node.at("readyState") : json::value("True");
    p["powerState"] = node.contains("powerState") ? node.at("powerState") : json::value("On");
    // As in the api-version examples: the rack's ARM id (world node "rack", else aggregator-rack).
    p["rackId"] =
        "/subscriptions/" + text("subscription") + "/resourceGroups/" + text("resourceGroup") +
        "/providers/Microsoft.NetworkCloud/racks/" +
        (node.contains("rack") ? std::string(node.at("rack").as_string()) : std::string("aggregator-rack"));
    auto& rps = p["runtimeProtectionStatus"].as_object();
    auto& applied = node_levels_[name];
    if (!applied.pending.empty() && std::chrono::steady_clock::now() >= applied.pending_at) {
      applied.level = applied.pending;
      applied.pending.clear();
    }
    rps["enforcementLevel"] = applied.level;
    if (applied.scan_started_ms) {
      rps["scanStartedTime"] = *nexus_mde::format_rfc3339_ms(applied.scan_started_ms);
      // A scan under way has started but not completed: the completion time is the previous one.
      if (nexus_mde::now_epoch_ms() >= applied.scan_completed_ms) {
        rps["scanCompletedTime"] = *nexus_mde::format_rfc3339_ms(applied.scan_completed_ms);
      }
    }
    rps["definitionUpdateMode"] = text("definitionUpdateMode", "None");
    // What the platform's own MDE monitoring reports, from the node's mdatp double state (the
    // fields the double reads, with its defaults).
    if (auto* state_file = node.if_contains("mdatpState")) {
      json::object state = read_state(std::string(state_file->as_string()));
      auto flag = [&](const char* key, bool fallback) {
        auto* v = state.if_contains(key);
        return v && v->is_bool() ? v->as_bool() : fallback;
      };
      bool healthy = flag("healthy", true) && flag("daemonRunning", true);
      rps["agentHealthStatus"] = healthy ? "Healthy" : "Unhealthy";
      json::array issues;
      if (auto* list = state.if_contains("healthIssues"); list && list->is_array()) issues = list->as_array();
      if (!flag("daemonRunning", true)) issues.emplace_back("daemon not running");
      rps["agentHealthStatusIssues"] = issues;
      rps["agentLicenseStatus"] = flag("licensed", true) ? "Licensed" : "Unlicensed";
      auto* version = state.if_contains("definitionsVersion");
      rps["definitionsVersion"] =
          version && version->is_string() ? version->as_string() : json::string("1.395.227.0");
      auto* age = state.if_contains("definitionsAgeMinutes");
      std::int64_t minutes = age && age->is_number() ? age->to_number<std::int64_t>() : 60;
      rps["definitionsLastUpdated"] =
          *nexus_mde::format_rfc3339_ms(nexus_mde::now_epoch_ms() - minutes * 60'000);
      // Until the platform runs a scan here, the last scan is the node's own (not the template's).
      if (!applied.scan_started_ms) {
        rps.erase("scanStartedTime");
        rps.erase("scanCompletedTime");
        auto* scans = state.if_contains("scans");
        if (scans && scans->is_array() && !scans->as_array().empty() &&
            scans->as_array().back().is_object()) {
          const auto& last = scans->as_array().back().as_object();
          for (auto [from, to] :
               {std::pair{"startTime", "scanStartedTime"}, std::pair{"endTime", "scanCompletedTime"}}) {
            if (auto* t = last.if_contains(from); t && t->is_number()) {
              rps[to] = *nexus_mde::format_rfc3339_ms(t->to_number<std::int64_t>());
            }
          }
        }
      }
    }
    return m;
  }

  json::object world_;
  std::string host_;
  json::object cluster_template_;
  json::object machine_template_;
  std::map<std::string, Operation> operations_;
  std::map<std::string, NodeLevel> node_levels_;
  int throttle_left_ = 0;
  long retry_after_ = 1;
  int errors_left_ = 0;
  bool fail_patch_ = false;
  std::size_t operation_count_ = 0;
  std::size_t etag_ = 1;
  bool concurrent_writer_ = false;
  unsigned fault_status_ = 0;  // every request answered with this (403 or a 5xx): an unreadable cluster
  std::string op_prefix_;
  std::map<std::string, std::pair<std::string, std::string>> blobs_;  // id -> (tar.gz, SAS sig)
};

// Several clusters in several resource groups and subscriptions ("clusters": [world, …], each
// entry a cluster's world with the top level's keys as defaults): each request goes to the
// cluster it names, and BareMetalMachines_ListBySubscription lists every cluster's machines of
// the subscription, paged ("pageSize"). "subscriptionFaults": {"SUB": 403} refuses a listing.
class FleetArm final : public nexus_mde::agent::RequestHandler {
 public:
  FleetArm(const json::object& world, const std::string& host) : world_(world), host_(host) {
    if (!world.contains("clusters")) {  // one cluster: the world is its own
      arms_.push_back(std::make_unique<FakeArm>(world, host));
      return;
    }
    for (const auto& entry : world.at("clusters").as_array()) {
      json::object cluster = entry.as_object();
      for (const auto& kv : world) {
        if (kv.key() != "clusters" && !cluster.contains(kv.key())) cluster[kv.key()] = kv.value();
      }
      std::string name(cluster.at("cluster").as_string());
      arms_.push_back(std::make_unique<FakeArm>(std::move(cluster), host, name + "-op-"));
    }
  }

  void handle(HttpRequest request, Responder respond) override {
    ++request_count_;
    std::cerr << "fake-arm: " << request.method << " " << request.target << "\n";
    auto r = answer(request);
    r.headers.emplace_back("x-ms-request-id", "req-" + std::to_string(request_count_));
    r.headers.emplace_back("x-ms-correlation-request-id", "corr-" + std::to_string(request_count_));
    respond(std::move(r));
  }
  void on_rejected_request(const std::string&, unsigned, std::string_view) override {}
  void on_handshake_failure(const std::string&, const std::string&, std::string_view) override {}
  void on_connection_refused(const std::string&, std::string_view) override {}
  void on_handshake_evicted(const std::string&) override {}

 private:
  HttpResponse answer(const HttpRequest& request) {
    std::string path = request.target.substr(0, request.target.find('?'));
    // /subscriptions/{s}/providers/Microsoft.NetworkCloud/bareMetalMachines
    const std::string suffix = "/providers/microsoft.networkcloud/baremetalmachines";
    std::string low = lower(path);
    if (low.starts_with("/subscriptions/") && low.ends_with(suffix) && request.method == "GET") {
      std::string sub = path.substr(15, path.size() - 15 - suffix.size());
      if (sub.find('/') == std::string::npos) return list_by_subscription(request, sub);
    }
    if (arms_.size() == 1) return arms_.front()->answer(request);  // as it always answered
    for (auto& arm : arms_) {
      if (arm->serves(request.target)) return arm->answer(request);
    }
    if (auto refused = arms_.front()->refuse(request)) return *refused;
    return FakeArm::error(404, "ResourceNotFound", "The Resource '" + path + "' was not found.");
  }

  HttpResponse list_by_subscription(const HttpRequest& request, const std::string& sub) {
    if (auto refused = arms_.front()->refuse(request)) return *refused;
    if (auto* faults = world_.if_contains("subscriptionFaults"); faults && faults->is_object()) {
      if (auto* status = faults->as_object().if_contains(sub);
          status && status->to_number<unsigned>() == 403) {
        return FakeArm::error(
            403, "AuthorizationFailed",
            "The client 'operator@example.com' with object id "
            "'00000000-0000-0000-0000-000000000001' does not have authorization to perform "
            "action 'Microsoft.NetworkCloud/bareMetalMachines/read' over scope '/subscriptions/" +
                sub + "' or the scope is invalid.");
      }
    }
    std::string query = FakeArm::query_of(request.target);
    std::string api_version = FakeArm::param(query, "api-version");
    json::array all;
    for (auto& arm : arms_) {
      if (lower(arm->subscription()) != lower(sub)) continue;
      for (auto& m : arm->all_machines(api_version)) all.push_back(std::move(m));
    }
    std::size_t page = world_.contains("pageSize") ? world_.at("pageSize").to_number<std::size_t>() : 100;
    std::size_t skip = 0;
    if (auto token = FakeArm::param(query, "%24skipToken"); !token.empty()) skip = std::stoul(token);
    json::array value;
    for (std::size_t i = skip; i < all.size() && value.size() < page; ++i) value.push_back(all[i]);
    json::object list{{"value", std::move(value)}};
    if (skip + page < all.size()) {
      list["nextLink"] = "https://" + host_ + "/subscriptions/" + sub +
                         "/providers/Microsoft.NetworkCloud/bareMetalMachines?api-version=" + api_version +
                         "&%24skipToken=" + std::to_string(skip + page);
    }
    HttpResponse r;
    r.body = json::serialize(list);
    return r;
  }

  json::object world_;
  std::string host_;
  std::vector<std::unique_ptr<FakeArm>> arms_;
  std::size_t request_count_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> args;
  for (int i = 1; i + 1 < argc; i += 2) args[argv[i]] = argv[i + 1];
  for (const char* required : {"--listen", "--cert", "--key", "--ca", "--world"}) {
    if (!args.count(required)) {
      std::cerr << "usage: fake-arm --listen HOST:PORT --cert C --key K --ca CA --world FILE (missing "
                << required << ")\n";
      return 2;
    }
  }
  try {
    std::string listen = args["--listen"];
    auto colon = listen.rfind(':');
    std::string host = listen.substr(0, colon);
    auto port = static_cast<std::uint16_t>(std::stoi(listen.substr(colon + 1)));
    FleetArm arm(read_json(args["--world"]).as_object(), listen);
    boost::asio::io_context ioc;
    nexus_mde::agent::ServerLimits limits;
    limits.body_bytes = 64 * 1024;
    limits.header_bytes = 32 * 1024;
    nexus_mde::agent::HttpServer server(ioc, arm, limits);
    auto tls = nexus_mde::net::make_server_tls_context({args["--cert"], args["--key"], args["--ca"]});
    if (!tls.context)
      throw std::runtime_error(tls.problems.front().file + ": " + tls.problems.front().message);
    server.set_tls_context(tls.context);
    if (auto e = server.listen(host, port))
      throw std::runtime_error("cannot listen on " + listen + ": " + *e);
    server.start();
    boost::asio::signal_set signals(ioc, SIGTERM, SIGINT);
    signals.async_wait([&](boost::system::error_code, int) { ioc.stop(); });
    std::cerr << "fake-arm: listening on " << listen << "\n";
    ioc.run();
  } catch (const std::exception& e) {
    std::cerr << "fake-arm: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
