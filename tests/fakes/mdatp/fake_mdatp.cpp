// fake mdatp: see README.md beside this file. Output formats follow docs/formats.md:
// text `key : value` with the key padded to 44, JSON camelCase with settings wrapped as
// {"displayValue","isManaged","value"}, epoch-ms as strings in health and scan list JSON, numbers
// in threat list JSON, and the ATTENTION line on unlicensed devices.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "common/mdatp/eicar.hpp"

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr const char* kAttention = "ATTENTION: No license found. Contact your administrator for help.";
const std::string& kEicar = nexus_mde::kEicarTestString;

// Settings that mdatp's JSON wraps as {"displayValue","isManaged","value"}; the ones with
// displayValue false are not shown in text output (FORMATS.md §2.2).
const std::map<std::string, bool> kSettings = {{"automaticDefinitionUpdateEnabled", true},
                                               {"behaviorMonitoring", true},
                                               {"cloudAutomaticSampleSubmissionConsent", true},
                                               {"cloudDiagnosticEnabled", true},
                                               {"cloudEnabled", true},
                                               {"edrDeviceTags", true},
                                               {"edrEarlyPreviewEnabled", true},
                                               {"edrGroupIds", true},
                                               {"functionalityMode", false},
                                               {"managedBy", false},
                                               {"networkProtectionEnforcementLevel", true},
                                               {"passiveModeEnabled", true},
                                               {"proxy", false},
                                               {"realTimeProtectionEnabled", true},
                                               {"tamperProtection", true},
                                               {"telemetryClient", false}};
// Settings the enforcement level governs: shown as managed when `managed` is set.
const std::set<std::string> kEnforcementSettings = {"realTimeProtectionEnabled", "passiveModeEnabled"};
const std::set<std::string> kEpochFields = {"definitionsUpdated", "productExpiration"};

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string camel_to_snake(const std::string& camel) {
  std::string out;
  for (char c : camel) {
    if (c >= 'A' && c <= 'Z') {
      out += '_';
      out += static_cast<char>(c | 0x20);
    } else {
      out += c;
    }
  }
  return out;
}

std::string snake_to_camel(const std::string& snake) {
  std::string out;
  bool up = false;
  for (char c : snake) {
    if (c == '_') {
      up = true;
      continue;
    }
    out += up && c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c;
    up = false;
  }
  return out;
}

// "Aug 12, 2023 at 03:26:24 AM", in UTC and the C locale.
std::string mdatp_date(std::int64_t ms) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  int h12 = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %02d, %04d at %02d:%02d:%02d %s", kMonths[tm.tm_mon], tm.tm_mday,
                tm.tm_year + 1900, h12, tm.tm_min, tm.tm_sec, tm.tm_hour < 12 ? "AM" : "PM");
  return buf;
}

std::int64_t as_ms(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) return static_cast<std::int64_t>(v.get_uint64());
  if (v.is_string()) return std::stoll(std::string(v.get_string()));
  return 0;
}

class State {
 public:
  explicit State(fs::path dir) : dir_(std::move(dir)) { reload(); }

  void reload() {
    std::ifstream in(dir_ / "state.json");
    if (!in) {
      doc_ = json::object{};
      return;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    doc_ = json::parse(ss.str()).as_object();
  }

  const json::object& doc() const { return doc_; }
  json::object& doc() { return doc_; }
  const fs::path& dir() const { return dir_; }

  bool flag(const char* key, bool fallback) const {
    auto it = doc_.find(key);
    return it != doc_.end() && it->value().is_bool() ? it->value().get_bool() : fallback;
  }
  std::int64_t number(const char* key, std::int64_t fallback) const {
    auto it = doc_.find(key);
    return it != doc_.end() && it->value().is_number() ? it->value().to_number<std::int64_t>() : fallback;
  }
  std::string text(const char* key, const std::string& fallback) const {
    auto it = doc_.find(key);
    return it != doc_.end() && it->value().is_string() ? std::string(it->value().get_string()) : fallback;
  }

  // Read-modify-write under an exclusive lock, replaced atomically so readers never see half a file.
  template <typename Fn>
  void update(Fn&& fn) {
    int lock = ::open((dir_ / ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    ::flock(lock, LOCK_EX);
    reload();
    fn(doc_);
    fs::path tmp = dir_ / ("state.json.tmp." + std::to_string(::getpid()));
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << json::serialize(doc_);
      out.flush();
    }
    fs::rename(tmp, dir_ / "state.json");
    ::flock(lock, LOCK_UN);
    ::close(lock);
  }

 private:
  fs::path dir_;
  json::object doc_;
};

struct Options {
  std::vector<std::string> words;            // positional words: "health", "scan", "quick", ...
  std::map<std::string, std::string> flags;  // --output json, --field x, --path p, --value v ...
  bool json_output() const {
    auto it = flags.find("output");
    return it != flags.end() && it->second == "json";
  }
  std::string flag(const std::string& name) const {
    auto it = flags.find(name);
    return it == flags.end() ? "" : it->second;
  }
  bool has(const std::string& name) const { return flags.count(name) != 0; }
};

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) == 0) {
      std::string name = a.substr(2);
      bool takes_value = name != "ignore-exclusions" && name != "list-all" && name != "sort";
      o.flags[name] = takes_value && i + 1 < argc ? argv[++i] : "";
    } else {
      o.words.push_back(a);
    }
  }
  return o;
}

[[noreturn]] void usage_error() {
  // The list of commands an invalid invocation prints (reference sample, Linux list).
  std::cout << "Expected one of:\n";
  const std::vector<std::pair<const char*, const char*>> commands = {
      {"config", "Manage product configuration"},
      {"connectivity", "Troubleshoot cloud connectivity"},
      {"definitions", "Manage security intelligence updates"},
      {"diagnostic", "Troubleshoot product issues and collect diagnostics"},
      {"edr", "Manage Endpoint Detection & Response (EDR) configuration"},
      {"exclusion", "Manage antivirus exclusions"},
      {"health", "Display product health information"},
      {"help", "Display all available options for this tool"},
      {"log", "Manage product logging"},
      {"scan", "Scan for malicious software"},
      {"threat", "Manage threats and configure threat handling policies"},
      {"version", "Display the product version"}};
  for (const auto& [name, text] : commands) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "  %-20s", name);
    std::cout << buf << '\t' << text << '\n';
  }
  std::exit(1);
}

// ---------- health ----------

json::object default_health(const State& s) {
  // The Linux 101.23062.0010 field set, in its text order.
  json::object h;
  h["healthy"] = true;
  h["healthIssues"] = json::array{};
  h["licensed"] = true;
  h["engineVersion"] = "1.1.23070.1002";
  h["appVersion"] = "101.23062.0010";
  h["orgId"] = "b6cafe3e-bf50-4d8d-829a-d68b3fd21827";
  h["logLevel"] = "info";
  h["machineGuid"] = "ae672b31-45db-467e-a9be-401284530c07";
  h["releaseRing"] = "Production";
  h["productExpiration"] = now_ms() + 200LL * 86400 * 1000;
  h["cloudEnabled"] = true;
  h["cloudAutomaticSampleSubmissionConsent"] = "safe";
  h["cloudDiagnosticEnabled"] = false;
  h["passiveModeEnabled"] = false;
  h["behaviorMonitoring"] = "disabled";
  h["realTimeProtectionEnabled"] = true;
  h["realTimeProtectionAvailable"] = true;
  h["realTimeProtectionSubsystem"] = "fanotify";
  h["supplementaryEventsSubsystem"] = "ebpf";
  h["tamperProtection"] = "disabled";
  h["automaticDefinitionUpdateEnabled"] = true;
  h["definitionsUpdated"] = 0;
  h["definitionsUpdatedMinutesAgo"] = 0;
  h["definitionsVersion"] = "1.395.227.0";
  h["definitionsStatus"] = "up_to_date";
  h["edrEarlyPreviewEnabled"] = "disabled";
  h["edrDeviceTags"] = json::array{};
  h["edrGroupIds"] = "";
  h["edrConfigurationVersion"] = "30.199999.main.2023.08.10.04-54CD2DC991A7EBDEECB7784DAEEF452E6527FEC2";
  h["edrMachineId"] = "94cb840531fd5d9f8031cd26317eed0c72b08d7e";
  h["conflictingApplications"] = json::array{};
  h["networkProtectionStatus"] = "stopped";
  h["networkProtectionEnforcementLevel"] = "disabled";
  h["troubleshootingMode"] = false;
  // JSON-only settings (displayValue false).
  h["functionalityMode"] = "default";
  h["managedBy"] = "";
  h["proxy"] = "None";
  h["telemetryClient"] = "OneDs";

  for (const char* k :
       {"appVersion", "engineVersion", "orgId", "releaseRing", "definitionsVersion", "machineGuid"}) {
    if (auto it = s.doc().find(k); it != s.doc().end()) h[k] = it->value();
  }
  std::int64_t age = s.number("definitionsAgeMinutes", 60);
  h["definitionsUpdated"] = now_ms() - age * 60'000;
  h["definitionsUpdatedMinutesAgo"] = age;
  if (auto it = s.doc().find("definitionsStatus"); it != s.doc().end()) h["definitionsStatus"] = it->value();
  bool healthy = s.flag("healthy", true);
  h["healthy"] = healthy;
  if (auto it = s.doc().find("healthIssues"); it != s.doc().end()) {
    h["healthIssues"] = it->value();
  } else if (!healthy) {
    h["healthIssues"] = json::array{"no active supplementary event provider"};
  }
  std::string level = s.text("enforcementLevel", "real_time");
  h["realTimeProtectionEnabled"] = level == "real_time";
  h["passiveModeEnabled"] = level == "passive";
  if (level != "real_time") h["realTimeProtectionSubsystem"] = "unavailable";
  for (const char* k : {"realTimeProtectionEnabled", "passiveModeEnabled"}) {  // explicit overrides
    if (auto it = s.doc().find(k); it != s.doc().end()) h[k] = it->value();
  }
  if (!s.flag("licensed", true)) {
    // An unlicensed device prints only a few fields (sample health-linux-101.85.27-unlicensed.txt).
    json::object u;
    u["healthy"] = false;
    u["healthIssues"] = json::array{"missing license"};
    u["licensed"] = false;
    u["engineVersion"] = h["engineVersion"];
    u["appVersion"] = h["appVersion"];
    u["orgId"] = nullptr;
    u["logLevel"] = "info";
    u["networkProtectionStatus"] = "stopped";
    u["networkProtectionEnforcementLevel"] = "disabled";
    return u;
  }
  return h;
}

json::object health_fields(const State& s) {
  if (auto it = s.doc().find("health"); it != s.doc().end() && it->value().is_object())
    return it->value().get_object();
  return default_health(s);
}

bool is_managed(const State& s, const std::string& key) {
  if (auto it = s.doc().find("managedSettings"); it != s.doc().end() && it->value().is_array()) {
    for (const auto& v : it->value().get_array()) {
      if (v.is_string() && v.get_string() == key) return true;
    }
  }
  return s.flag("managed", false) && kEnforcementSettings.count(key) != 0;
}

std::string text_value(const std::string& key, const json::value& v) {
  if (v.is_null()) return "unavailable";
  if (kEpochFields.count(key) && (v.is_number() || v.is_string())) return mdatp_date(as_ms(v));
  if (v.is_string()) return "\"" + std::string(v.get_string()) + "\"";
  return json::serialize(v);  // booleans, numbers and lists print as JSON
}

std::string text_line(const std::string& snake_key, const std::string& value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%-44s", snake_key.c_str());
  return std::string(buf) + ": " + value + "\n";
}

std::string render_text(const State& s, const json::object& fields) {
  std::string out;
  for (const auto& kv : fields) {
    std::string key(kv.key());
    if (auto st = kSettings.find(key); st != kSettings.end() && !st->second) continue;  // JSON only
    std::string line = text_value(key, kv.value());
    if (is_managed(s, key)) line += " [managed]";
    out += text_line(camel_to_snake(key), line);
  }
  return out;
}

json::value json_value(const State& s, const std::string& key, const json::value& v) {
  if (kEpochFields.count(key) && (v.is_number() || v.is_string()))
    return json::value(std::to_string(as_ms(v)));
  if (key == "definitionsStatus" && v.is_string()) {
    return json::object{{"$type", snake_to_camel(std::string(v.get_string()))}};
  }
  if (auto st = kSettings.find(key); st != kSettings.end()) {
    return json::object{{"displayValue", st->second}, {"isManaged", is_managed(s, key)}, {"value", v}};
  }
  return v;
}

std::string render_json(const State& s, const json::object& fields) {
  // mdatp sorts keys, with "$type" first.
  std::vector<std::string> keys;
  for (const auto& kv : fields) keys.emplace_back(kv.key());
  std::sort(keys.begin(), keys.end());
  json::object out;
  if (!fields.contains("$type")) out["$type"] = "getHealthAllResult";
  for (const auto& k : keys) out[k] = json_value(s, k, fields.at(k));
  return json::serialize(out);
}

json::object details(const State& s, const std::string& section) {
  json::object h = health_fields(s);
  json::object d;
  auto copy = [&](const char* k) {
    if (auto it = h.find(k); it != h.end()) d[k] = it->value();
  };
  if (section == "definitions") {
    for (const char* k : {"automaticDefinitionUpdateEnabled", "definitionsUpdated",
                          "definitionsUpdatedMinutesAgo", "definitionsVersion", "definitionsStatus"}) {
      copy(k);
    }
    d["definitionsUpdateSourceUri"] = "https://go.microsoft.com/fwlink/?linkid=2144709";
    d["definitionsUpdateFailReason"] = "";
  } else if (section == "antivirus") {
    for (const char* k : {"passiveModeEnabled", "realTimeProtectionEnabled", "realTimeProtectionAvailable",
                          "realTimeProtectionSubsystem"}) {
      copy(k);
    }
    d["scanArchives"] = true;
    d["scanAfterDefinitionUpdate"] = true;
    d["scanHistoryCleanupIntervalHours"] = 7;
    d["scanResultsRetentionDays"] = 90;
    d["scanHistoryMaximumItems"] = 10000;
    d["enableFileHashComputation"] = false;
    if (auto it = s.doc().find("scans");
        it != s.doc().end() && it->value().is_array() && !it->value().get_array().empty()) {
      const auto& last = it->value().get_array().back().get_object();
      d["lastOnDemandScanStartTime"] = last.at("startTime");
      d["lastOnDemandScanEndTime"] = last.at("endTime");
      d["lastOnDemandScanType"] = last.at("type");
      d["lastOnDemandScanThreatCount"] = last.contains("threats") ? last.at("threats").get_array().size() : 0;
      d["lastOnDemandScanFilesScanned"] = last.at("filesScanned");
    }
    d["maximumOnDemandScanThreads"] = 2;
    d["enforcementLevel"] = s.text("enforcementLevel", "real_time");
  } else {
    std::cerr << "Unknown feature: " << section << "\n";
    std::exit(1);
  }
  return d;
}

int cmd_health(const State& s, const Options& o) {
  json::object fields = o.has("details") ? details(s, o.flag("details")) : health_fields(s);
  if (o.has("field")) {
    std::string key = snake_to_camel(o.flag("field"));
    auto it = fields.find(key);
    if (it == fields.end()) {
      std::cerr << "Unknown field: " << o.flag("field") << "\n";
      return 1;
    }
    std::string v = text_value(key, it->value());
    if (is_managed(s, key)) v += " [managed]";
    std::cout << v << "\n";
    return 0;
  }
  if (o.json_output()) {
    std::cout << render_json(s, fields);
  } else {
    std::cout << render_text(s, fields);
  }
  return 0;
}

// ---------- scans and threats ----------

json::array state_array(const State& s, const char* key) {
  if (auto it = s.doc().find(key); it != s.doc().end() && it->value().is_array())
    return it->value().get_array();
  return {};
}

int cmd_scan_list(const State& s, const Options& o) {
  json::array scans = state_array(s, "scans");
  if (o.json_output()) {
    // camelCase keys, every number as a string (reference nexus-scanList.json).
    json::array out;
    for (const auto& v : scans) {
      const auto& sc = v.get_object();
      json::object r;
      r["endTime"] = std::to_string(as_ms(sc.at("endTime")));
      r["filesScanned"] = std::to_string(as_ms(sc.at("filesScanned")));
      r["startTime"] = std::to_string(as_ms(sc.at("startTime")));
      r["state"] = sc.at("state");
      r["threats"] = sc.contains("threats") ? sc.at("threats") : json::array{};
      r["type"] = sc.at("type");
      out.push_back(std::move(r));
    }
    std::cout << json::serialize(out);
    return 0;
  }
  // The text layout is not public (only screenshots): type, start, state, duration, files, threats.
  for (const auto& v : scans) {
    const auto& sc = v.get_object();
    std::int64_t start = as_ms(sc.at("startTime"));
    std::cout << "Scan type: " << sc.at("type").get_string() << ", started: " << mdatp_date(start)
              << ", state: " << sc.at("state").get_string()
              << ", duration: " << (as_ms(sc.at("endTime")) - start) / 1000
              << "s, files scanned: " << as_ms(sc.at("filesScanned"))
              << ", threats: " << (sc.contains("threats") ? sc.at("threats").get_array().size() : 0) << "\n";
  }
  return 0;
}

int cmd_threat_list(const State& s, const Options& o) {
  json::array scans = state_array(s, "scans");
  if (o.json_output()) {
    // snake_case keys with numbers, threats grouped by scan (reference nexus-threatInformation.json).
    json::array out;
    for (const auto& v : scans) {
      const auto& sc = v.get_object();
      json::object r;
      r["type"] = sc.at("type");
      r["start_time"] = as_ms(sc.at("startTime"));
      r["end_time"] = as_ms(sc.at("endTime"));
      r["files_scanned"] = as_ms(sc.at("filesScanned"));
      r["threats"] = sc.contains("threats") ? sc.at("threats") : json::array{};
      r["state"] = sc.at("state");
      out.push_back(std::move(r));
    }
    json::array live = state_array(s, "realTimeThreats");
    if (!live.empty()) {
      // Real-time detections are not in the reference samples: grouped like a scan of type
      // real_time spanning them (an assumption, see README.md).
      std::int64_t first = INT64_MAX, last = 0;
      for (const auto& t : live) {
        std::int64_t at = as_ms(t.at("threat").at("detection_time"));
        first = std::min(first, at);
        last = std::max(last, at);
      }
      out.push_back(json::object{{"type", "real_time"},
                                 {"start_time", first},
                                 {"end_time", last},
                                 {"files_scanned", static_cast<std::int64_t>(live.size())},
                                 {"threats", live},
                                 {"state", "succeeded"}});
    }
    std::cout << json::serialize(json::object{{"threats", json::object{{"scans", out}}}});
    return 0;
  }
  bool any = false;
  scans.push_back(json::object{{"threats", state_array(s, "realTimeThreats")}});
  for (const auto& v : scans) {
    const auto& sc = v.get_object();
    if (!sc.contains("threats")) continue;
    for (const auto& t : sc.at("threats").get_array()) {
      const auto& th = t.at("threat").get_object();
      std::string status = "detected";
      std::int64_t best = -1;
      for (const auto& h : t.at("history").get_array()) {
        if (as_ms(h.at("key")) >= best) {
          best = as_ms(h.at("key"));
          status = std::string(h.at("value").get_string());
        }
      }
      std::time_t when = static_cast<std::time_t>(as_ms(th.at("detection_time")) / 1000);
      char date[64];
      std::tm tm{};
      gmtime_r(&when, &tm);
      std::strftime(date, sizeof date, "%a %b %e %H:%M:%S %Y", &tm);
      if (any) std::cout << "\n";
      std::cout << "Id: " << th.at("tracking_id").get_string() << "\nName: " << th.at("name").get_string()
                << "\nType: \"" << th.at("type").get_string() << "\"\nDetection time: " << date
                << "\nStatus: \"" << status << "\"\nPath: \"" << th.at("path").get_string() << "\"\n";
      any = true;
    }
  }
  if (!any) std::cout << "No threats\n";
  return 0;
}

int cmd_quarantine_list(const State& s, const Options& o) {
  json::array q = state_array(s, "quarantine");
  if (o.json_output()) {
    std::cout << json::serialize(json::object{{"type", "quarantined"}, {"threats", q}});
    return 0;
  }
  // The text format is not public; one line per entry.
  if (q.empty()) std::cout << "No threats in quarantine\n";
  for (const auto& t : q) {
    const auto& th = t.at("threat").get_object();
    std::cout << "Id: " << th.at("tracking_id").get_string() << ", Name: " << th.at("name").get_string()
              << ", Path: \"" << th.at("path").get_string() << "\"\n";
  }
  return 0;
}

bool contains_eicar(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return content.find(kEicar) != std::string::npos;
}

std::string new_tracking_id() {
  static const char* hex = "0123456789abcdef";
  std::string id;
  std::srand(static_cast<unsigned>(now_ms() ^ ::getpid()));
  for (int i = 0; i < 36; ++i) id += (i == 8 || i == 13 || i == 18 || i == 23) ? '-' : hex[std::rand() % 16];
  return id;
}

int cmd_scan(State& s, const Options& o, const std::string& type) {
  std::vector<fs::path> roots;
  if (type == "custom") {
    if (!o.has("path") || o.flag("path").empty()) {
      std::cout << "Scan a custom path:\n  --path arg            Path to scan\n";
      return 1;
    }
    roots.emplace_back(o.flag("path"));
  } else {
    for (const auto& p : state_array(s, "scanPaths")) roots.emplace_back(std::string(p.get_string()));
  }
  std::int64_t start = now_ms();
  fs::remove(s.dir() / "cancel");
  {
    std::ofstream running(s.dir() / "scan-running");
    running << ::getpid() << " " << type << "\n";
  }
  std::int64_t files = 0;
  std::vector<fs::path> hits;
  std::error_code ec;
  for (const auto& root : roots) {
    if (fs::is_regular_file(root, ec)) {
      ++files;
      if (contains_eicar(root)) hits.push_back(root);
    } else if (fs::is_directory(root, ec)) {
      for (auto it =
               fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
           it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) break;
        if (it->is_regular_file(ec)) {
          ++files;
          if (contains_eicar(it->path())) hits.push_back(it->path());
        }
      }
    }
  }
  if (type != "custom") files += s.number("scanFilesScanned", 1750);
  // A quick or full scan takes the configured time; a cancel marker ends it early.
  std::int64_t duration =
      type == "custom" ? s.number("customScanDurationMs", 100) : s.number("scanDurationMs", 1000);
  bool cancelled = false;
  for (std::int64_t waited = 0; waited < duration; waited += 20) {
    if (fs::exists(s.dir() / "cancel")) {
      cancelled = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min<std::int64_t>(20, duration - waited)));
  }
  bool failed = s.flag("scanFails", false);
  std::string level = s.text("enforcementLevel", "real_time");
  bool remediate = level != "passive";  // passive: no automatic remediation
  json::array threats;
  json::array quarantined;
  std::int64_t end = now_ms();
  if (!cancelled && !failed) {
    for (const auto& hit : hits) {
      json::object threat{{"tracking_id", new_tracking_id()},
                          {"name", "Virus:DOS/EICAR_Test_File"},
                          {"type", "virus"},
                          {"path", hit.string()},
                          {"detection_time", end}};
      json::array history{json::object{{"key", end}, {"value", "detected"}}};
      if (remediate) {
        history.push_back(json::object{{"key", end + 1}, {"value", "quarantined"}});
        quarantined.push_back(json::object{{"threat", threat}});
        fs::remove(hit, ec);  // quarantine moves the file away
      }
      threats.push_back(json::object{{"threat", threat}, {"history", history}});
    }
  }
  json::object record{
      {"type", type},          {"state", cancelled ? "cancelled" : failed ? "failed" : "succeeded"},
      {"startTime", start},    {"endTime", end},
      {"filesScanned", files}, {"threats", threats}};
  s.update([&](json::object& doc) {
    auto& scans = doc["scans"];
    if (!scans.is_array()) scans.emplace_array();
    scans.get_array().push_back(record);
    auto& q = doc["quarantine"];
    if (!q.is_array()) q.emplace_array();
    for (auto& e : quarantined) q.get_array().push_back(e);
  });
  fs::remove(s.dir() / "scan-running", ec);
  if (cancelled) {
    std::cout << "Scan was cancelled\n";
    return 1;
  }
  if (failed) {
    std::cerr << "Scan failed: the antivirus engine could not complete the scan\n";
    return 2;
  }
  std::cout << "Scan has finished\n\t" << files << " file(s) scanned\n\t" << threats.size()
            << " threat(s) detected\n";
  return 0;
}

// Real-time protection, emulated lazily: mdatp would have caught a file with the EICAR string as
// it was written; the double catches it at its next command. Files under `realTimePaths` are
// swept when real-time protection is on; each hit becomes a threat (detected, then quarantined
// unless passive) with the file's write time as its detection time, and the file goes away.
void sweep_real_time(State& s) {
  bool rtp = s.text("enforcementLevel", "real_time") == "real_time";
  if (auto it = s.doc().find("realTimeProtectionEnabled"); it != s.doc().end() && it->value().is_bool()) {
    rtp = it->value().get_bool();
  }
  json::array roots = state_array(s, "realTimePaths");
  if (!rtp || roots.empty()) return;
  std::vector<fs::path> hits;
  std::error_code ec;
  for (const auto& root : roots) {
    for (auto it = fs::recursive_directory_iterator(std::string(root.get_string()),
                                                    fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec) && contains_eicar(it->path())) hits.push_back(it->path());
    }
  }
  if (hits.empty()) return;
  json::array threats, quarantined;
  for (const auto& hit : hits) {
    auto written = fs::last_write_time(hit, ec);
    std::int64_t at = ec ? now_ms()
                         : std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::file_clock::to_sys(written).time_since_epoch())
                               .count();
    json::object threat{{"tracking_id", new_tracking_id()},
                        {"name", "Virus:DOS/EICAR_Test_File"},
                        {"type", "virus"},
                        {"path", hit.string()},
                        {"detection_time", at}};
    json::array history{json::object{{"key", at}, {"value", "detected"}}};
    history.push_back(json::object{{"key", at + 1}, {"value", "quarantined"}});
    quarantined.push_back(json::object{{"threat", threat}});
    fs::remove(hit, ec);
    threats.push_back(json::object{{"threat", threat}, {"history", history}});
  }
  s.update([&](json::object& doc) {
    for (auto [key, list] : {std::pair{"realTimeThreats", &threats}, std::pair{"quarantine", &quarantined}}) {
      auto& target = doc[key];
      if (!target.is_array()) target.emplace_array();
      for (auto& e : *list) target.get_array().push_back(e);
    }
  });
}

int cmd_config(State& s, const Options& o) {
  if (o.words.size() < 2) usage_error();
  const std::string& what = o.words[1];
  if (what != "real-time-protection" && what != "passive-mode") usage_error();
  if (!o.has("value") || (o.flag("value") != "enabled" && o.flag("value") != "disabled")) {
    std::cout << (what == "real-time-protection" ? "Configure real-time protection:\n"
                                                 : "Configure passive mode:\n")
              << "  --value arg           Accepted values: enabled, disabled\n";
    return 1;
  }
  if (s.flag("managed", false)) {
    std::cerr << "Error: the setting is managed by the organization and cannot be changed\n";
    return 1;
  }
  bool on = o.flag("value") == "enabled";
  s.update([&](json::object& doc) {
    doc[what == "real-time-protection" ? "realTimeProtectionEnabled" : "passiveModeEnabled"] = on;
  });
  std::cout << "Configuration property updated.\n";
  return 0;
}

// ---------- faults ----------

void apply_faults(const State& s, const std::string& command) {
  auto it = s.doc().find("faults");
  if (it == s.doc().end() || !it->value().is_object()) return;
  const auto& f = it->value().get_object();
  if (auto c = f.find("commands"); c != f.end() && c->value().is_array()) {
    bool listed = false;
    for (const auto& v : c->value().get_array())
      listed = listed || (v.is_string() && v.get_string() == command);
    if (!listed) return;
  }
  if (auto l = f.find("latencyMs"); l != f.end() && l->value().is_number()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(l->value().to_number<std::int64_t>()));
  }
  if (auto h = f.find("hang"); h != f.end() && h->value().is_bool() && h->value().get_bool()) {
    for (;;) ::pause();
  }
  if (auto c = f.find("crashSignal"); c != f.end() && c->value().is_number()) {
    std::cout << "healthy                                     : tr" << std::flush;  // half a line, then die
    ::signal(c->value().to_number<int>(), SIG_DFL);
    ::raise(c->value().to_number<int>());
  }
  if (auto g = f.find("garbage"); g != f.end() && g->value().is_bool() && g->value().get_bool()) {
    std::cout << "{\"$type\":\"getHealthAllResult\",\"healthy\":tru\x01\xfe\n###" << std::flush;
    std::exit(0);
  }
  if (auto e = f.find("exitCode"); e != f.end() && e->value().is_number()) {
    std::cerr << "Error: injected failure\n";
    std::exit(e->value().to_number<int>());
  }
}

// A recorded public output, replayed as it was: state "replay" maps the arguments (space-separated,
// "health --output json") to {"stdout": FILE, "stderr": TEXT, "exitCode": N}. A FILE relative to
// the state directory; its first line, "# source: …", names the public source and is not printed.
std::optional<int> replay(State& state, int argc, char** argv) {
  auto it = state.doc().find("replay");
  if (it == state.doc().end() || !it->value().is_object()) return std::nullopt;
  std::string args;
  for (int i = 1; i < argc; ++i) args += (i > 1 ? " " : "") + std::string(argv[i]);
  auto entry = it->value().get_object().find(args);
  if (entry == it->value().get_object().end() || !entry->value().is_object()) return std::nullopt;
  const json::object& r = entry->value().get_object();
  if (auto* file = r.if_contains("stdout")) {
    fs::path path(std::string(file->as_string()));
    if (path.is_relative()) path = state.dir() / path;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read replay file " + path.string());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.rfind("# source:", 0) == 0)
      text.erase(0, text.find('\n') == std::string::npos ? text.size() : text.find('\n') + 1);
    std::cout << text;
  }
  if (auto* err = r.if_contains("stderr")) std::cerr << err->as_string().c_str();
  auto* code = r.if_contains("exitCode");
  return code ? code->to_number<int>() : 0;
}

fs::path state_dir(const char* argv0) {
  if (const char* env = std::getenv("FAKE_MDATP_STATE"); env && *env) return env;
  return fs::path(argv0).parent_path() / "fake-mdatp-state";
}

}  // namespace

int main(int argc, char** argv) {
  try {
    State state(state_dir(argv[0]));
    if (auto code = replay(state, argc, argv)) return *code;
    Options o = parse_args(argc, argv);
    if (o.words.empty()) usage_error();
    const std::string& command = o.words[0];
    if (command == "version") {
      std::cout << "Product version: " << state.text("appVersion", "101.23062.0010") << "\n";
      return 0;
    }
    apply_faults(state, command);
    if (!state.flag("daemonRunning", true)) {
      // The modern text is not public (FORMATS.md §6.2): non-zero exit, stderr only.
      std::cerr
          << "Could not connect to the daemon -- Defender for Endpoint service (mdatp) is not running\n";
      return 1;
    }
    if (!state.flag("licensed", true)) std::cout << kAttention << "\n";
    sweep_real_time(state);
    if (command == "health") return cmd_health(state, o);
    if (command == "scan" && o.words.size() >= 2) {
      const std::string& sub = o.words[1];
      if (sub == "list") return cmd_scan_list(state, o);
      if (sub == "quick" || sub == "full" || sub == "custom") return cmd_scan(state, o, sub);
      if (sub == "cancel") {
        std::ofstream(state.dir() / "cancel") << "1\n";
        std::cout << "Scan cancelled\n";
        return 0;
      }
    }
    if (command == "threat" && o.words.size() >= 2) {
      if (o.words[1] == "list") return cmd_threat_list(state, o);
      if (o.words[1] == "quarantine" && o.words.size() >= 3 && o.words[2] == "list")
        return cmd_quarantine_list(state, o);
    }
    if (command == "config") return cmd_config(state, o);
    usage_error();
  } catch (const std::exception& e) {
    std::cerr << "fake mdatp: " << e.what() << "\n";
    return 70;
  }
}
