#include "agent/config/agent_config.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <set>

#include <boost/json.hpp>

#include "common/json/json_reader.hpp"
#include "common/sys/files.hpp"
#include "common/sys/text.hpp"

namespace nexus_mde::agent {

namespace json = boost::json;
namespace fs = std::filesystem;

std::string_view to_string(Role role) { return role == Role::kOperator ? "operator" : "reader"; }

namespace {

// Collects every problem while reading; each accessor names the key it looks at.
class Checker {
 public:
  explicit Checker(std::vector<ConfigProblem>& problems) : problems_(problems) {}

  void problem(const std::string& key, std::string message) {
    problems_.push_back({key, std::move(message)});
  }

  // Reports keys the shape does not know (a typo must not fall back to a default silently).
  void only_known(const json::object& o, const std::string& prefix,
                  std::initializer_list<std::string_view> known) {
    for (const auto& kv : o) {
      if (std::find(known.begin(), known.end(), std::string_view(kv.key())) == known.end()) {
        problem(join(prefix, kv.key()), "unknown key (known: " + list(known) + ")");
      }
    }
  }

  const json::object* object(const json::object& o, const std::string& prefix, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end()) return nullptr;
    if (!it->value().is_object()) {
      problem(join(prefix, key), "expected an object, found " + std::string(kind_name(it->value())));
      return nullptr;
    }
    return &it->value().get_object();
  }

  const json::array* array(const json::object& o, const std::string& prefix, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end()) return nullptr;
    if (!it->value().is_array()) {
      problem(join(prefix, key), "expected a list, found " + std::string(kind_name(it->value())));
      return nullptr;
    }
    return &it->value().get_array();
  }

  void text(const json::object& o, const std::string& prefix, std::string_view key, std::string& out,
            bool required = false) {
    auto it = o.find(key);
    if (it == o.end()) {
      if (required) problem(join(prefix, key), "missing");
      return;
    }
    if (!it->value().is_string() || it->value().get_string().empty()) {
      problem(join(prefix, key), "expected a non-empty string");
      return;
    }
    out = std::string(it->value().get_string());
  }

  void number(const json::object& o, const std::string& prefix, std::string_view key, std::uint32_t& out,
              std::uint32_t min, std::uint32_t max) {
    auto it = o.find(key);
    if (it == o.end()) return;
    const json::value& v = it->value();
    if (!v.is_int64() && !v.is_uint64()) {
      problem(join(prefix, key),
              "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max));
      return;
    }
    auto n = v.is_int64() ? v.get_int64()
                          : static_cast<std::int64_t>(std::min<std::uint64_t>(v.get_uint64(), INT64_MAX));
    if (n < min || n > max) {
      problem(join(prefix, key),
              std::to_string(n) + " is out of range " + std::to_string(min) + ".." + std::to_string(max));
      return;
    }
    out = static_cast<std::uint32_t>(n);
  }

  // Seconds as a whole or decimal number, kept in milliseconds.
  void seconds(const json::object& o, const std::string& prefix, std::string_view key,
               std::chrono::milliseconds& out, double min, double max) {
    auto it = o.find(key);
    if (it == o.end()) return;
    const json::value& v = it->value();
    auto range = [&] {
      std::ostringstream text;
      text << min << ".." << max;
      return text.str();
    };
    if (!v.is_number()) {
      problem(join(prefix, key), "expected a number of seconds from " + range());
      return;
    }
    double n = v.is_double()  ? v.get_double()
               : v.is_int64() ? static_cast<double>(v.get_int64())
                              : static_cast<double>(v.get_uint64());
    if (!(n >= min && n <= max)) {
      std::ostringstream text;
      text << n;
      problem(join(prefix, key), text.str() + " is out of range " + range());
      return;
    }
    out = std::chrono::milliseconds(std::llround(n * 1000));
  }

  std::optional<Role> role(const json::object& o, const std::string& prefix) {
    std::string name;
    text(o, prefix, "role", name, true);
    if (name.empty()) return std::nullopt;
    if (name == "reader") return Role::kReader;
    if (name == "operator") return Role::kOperator;
    problem(join(prefix, "role"), "\"" + name + "\" is not a role; expected reader or operator");
    return std::nullopt;
  }

  static std::string join(const std::string& prefix, std::string_view key) {
    return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
  }

 private:
  static std::string list(std::initializer_list<std::string_view> names) {
    std::string out;
    for (auto n : names) out += (out.empty() ? "" : ", ") + std::string(n);
    return out;
  }
  std::vector<ConfigProblem>& problems_;
};

// "0.0.0.0:9448", "[::]:9448", "127.0.0.5" (default port), "[fd00::1]".
std::optional<ListenAddress> parse_listen(std::string_view text, std::string& why) {
  ListenAddress a;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) {
      why = "missing ']' after an IPv6 address";
      return std::nullopt;
    }
    a.host = std::string(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        why = "expected ':PORT' after ']'";
        return std::nullopt;
      }
      port_text = rest.substr(1);
    }
  } else {
    auto colon = text.rfind(':');
    if (colon != std::string_view::npos && text.find(':') != colon) {
      why = "an IPv6 address needs brackets: [ADDRESS]:PORT";
      return std::nullopt;
    }
    a.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) port_text = text.substr(colon + 1);
  }
  if (a.host.empty()) {
    why = "no address";
    return std::nullopt;
  }
  if (a.host.find(':') != std::string::npos) {
    // IPv6: hex digits, colons and dots only (the listener resolves it for real).
    if (!std::all_of(a.host.begin(), a.host.end(), [](char c) {
          return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
        })) {
      why = "\"" + a.host + "\" is not an IPv6 address";
      return std::nullopt;
    }
  } else {
    int dots = 0;
    bool digits_only = std::all_of(a.host.begin(), a.host.end(), [&](char c) {
      dots += c == '.';
      return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
    });
    if (!digits_only || dots != 3) {
      why = "\"" + a.host + "\" is not an IPv4 address (listen on addresses, not names)";
      return std::nullopt;
    }
  }
  if (!port_text.empty()) {
    if (port_text.size() > 5 ||
        !std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      why = "\"" + std::string(port_text) + "\" is not a port";
      return std::nullopt;
    }
    int port = std::stoi(std::string(port_text));
    if (port < 1 || port > 65535) {
      why = "port " + std::string(port_text) + " is out of range 1..65535";
      return std::nullopt;
    }
    a.port = static_cast<std::uint16_t>(port);
  }
  return a;
}

bool is_lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

namespace {

void read_listen(Checker& c, const json::object& top, AgentConfig& cfg) {
  const json::array* listen = c.array(top, "", "listen");
  if (!listen) return;
  cfg.listen.clear();
  if (listen->empty()) c.problem("listen", "an empty list: the agent would not listen anywhere");
  for (std::size_t i = 0; i < listen->size(); ++i) {
    std::string key = "listen[" + std::to_string(i) + "]";
    if (!(*listen)[i].is_string()) {
      c.problem(key, "expected \"ADDRESS:PORT\"");
      continue;
    }
    std::string why;
    auto a = parse_listen(std::string_view((*listen)[i].get_string()), why);
    if (!a) {
      c.problem(key, why);
      continue;
    }
    for (const auto& existing : cfg.listen) {
      if (existing.host == a->host && existing.port == a->port) c.problem(key, "listed twice");
    }
    cfg.listen.push_back(*a);
  }
}

void read_tls(Checker& c, const json::object& top, AgentConfig& cfg) {
  const json::object* tls = c.object(top, "", "tls");
  if (!tls) return;
  c.only_known(*tls, "tls", {"cert", "key", "clientCa"});
  c.text(*tls, "tls", "cert", cfg.tls_cert);
  c.text(*tls, "tls", "key", cfg.tls_key);
  c.text(*tls, "tls", "clientCa", cfg.tls_client_ca);
}

// The one walk clients and tokens share: each entry of the list at `list_key` must be an object
// (else `shape` says what was expected), and `read` gets it with its key ("tokens[2]").
template <typename Read>
void each_entry(Checker& c, const json::object& top, const char* list_key, const char* shape, Read read) {
  const json::array* list = c.array(top, "", list_key);
  if (!list) return;
  for (std::size_t i = 0; i < list->size(); ++i) {
    std::string key = std::string(list_key) + "[" + std::to_string(i) + "]";
    if (!(*list)[i].is_object()) {
      c.problem(key, std::string("expected ") + shape);
      continue;
    }
    read((*list)[i].get_object(), key);
  }
}

void read_clients(Checker& c, const json::object& top, AgentConfig& cfg) {
  std::set<std::string> seen;
  each_entry(c, top, "clients", "{\"identity\":…,\"role\":…}",
             [&](const json::object& o, const std::string& key) {
               c.only_known(o, key, {"identity", "role"});
               ClientIdentity id;
               c.text(o, key, "identity", id.identity, true);
               auto role = c.role(o, key);
               if (!id.identity.empty() && !seen.insert(id.identity).second)
                 c.problem(key + ".identity", "listed twice");
               if (role) id.role = *role;
               cfg.clients.push_back(id);
             });
}

void read_tokens(Checker& c, const json::object& top, AgentConfig& cfg) {
  std::set<std::string> names;
  each_entry(c, top, "tokens", "{\"name\":…,\"sha256\":…,\"role\":…}",
             [&](const json::object& o, const std::string& key) {
               c.only_known(o, key, {"name", "sha256", "role"});
               TokenHash t;
               c.text(o, key, "name", t.name, true);
               c.text(o, key, "sha256", t.sha256_hex, true);
               std::string lower = to_lower(t.sha256_hex);
               if (!t.sha256_hex.empty() && (lower.size() != 64 || !is_lower_hex(lower))) {
                 c.problem(key + ".sha256",
                           "expected 64 hex digits (the SHA-256 of the token, not the token)");
               }
               t.sha256_hex = lower;
               auto role = c.role(o, key);
               if (!t.name.empty() && !names.insert(t.name).second) c.problem(key + ".name", "listed twice");
               if (role) t.role = *role;
               cfg.tokens.push_back(t);
             });
}

void read_mdatp(Checker& c, const json::object& top, AgentConfig& cfg) {
  const json::object* m = c.object(top, "", "mdatp");
  if (!m) return;
  c.only_known(*m, "mdatp",
               {"path", "timeoutSeconds", "scanTimeoutSeconds", "refreshSeconds", "maxAgeSeconds"});
  c.text(*m, "mdatp", "path", cfg.mdatp_path);
  if (!cfg.mdatp_path.empty() && cfg.mdatp_path.front() != '/') {
    c.problem("mdatp.path", "must be an absolute path (mdatp is never looked up in PATH)");
  }
  c.seconds(*m, "mdatp", "timeoutSeconds", cfg.mdatp_timeout, 0.01, 3600);
  c.number(*m, "mdatp", "scanTimeoutSeconds", cfg.scan_timeout_seconds, 1, 7 * 86400);
  c.number(*m, "mdatp", "refreshSeconds", cfg.refresh_seconds, 1, 86400);
  c.number(*m, "mdatp", "maxAgeSeconds", cfg.max_age_seconds, 0, 86400);
}

void read_limits(Checker& c, const json::object& top, AgentConfig& cfg) {
  const json::object* l = c.object(top, "", "limits");
  if (!l) return;
  c.only_known(*l, "limits",
               {"maxConnections", "headerBytes", "bodyBytes", "ioTimeoutSeconds", "idleSeconds",
                "handshakeTimeoutSeconds", "maxHandshakes", "maxHandshakesPerAddress"});
  c.number(*l, "limits", "maxConnections", cfg.max_connections, 1, 65536);
  c.number(*l, "limits", "headerBytes", cfg.header_bytes, 1024, 1 << 20);
  c.number(*l, "limits", "bodyBytes", cfg.body_bytes, 64, 1 << 20);
  c.number(*l, "limits", "ioTimeoutSeconds", cfg.io_timeout_seconds, 1, 3600);
  c.number(*l, "limits", "idleSeconds", cfg.idle_seconds, 1, 86400);
  c.number(*l, "limits", "handshakeTimeoutSeconds", cfg.handshake_timeout_seconds, 1, 60);
  c.number(*l, "limits", "maxHandshakes", cfg.max_handshakes, 1, 65536);
  c.number(*l, "limits", "maxHandshakesPerAddress", cfg.max_handshakes_per_address, 1, 65536);
}

void read_state_and_detection(Checker& c, const json::object& top, AgentConfig& cfg) {
  c.text(top, "", "stateDir", cfg.state_dir);
  if (!cfg.state_dir.empty() && cfg.state_dir.front() != '/')
    c.problem("stateDir", "must be an absolute path");
  const json::object* d = c.object(top, "", "detectionTest");
  if (!d) return;
  c.only_known(*d, "detectionTest", {"directory", "timeoutSeconds"});
  c.text(*d, "detectionTest", "directory", cfg.detection_directory);
  if (!cfg.detection_directory.empty() && cfg.detection_directory.front() != '/') {
    c.problem("detectionTest.directory", "must be an absolute path");
  }
  c.number(*d, "detectionTest", "timeoutSeconds", cfg.detection_timeout_seconds, 1, 3600);
}

}  // namespace

ConfigResult parse_agent_config(std::string_view text, const std::string& fallback_node) {
  ConfigResult result;
  auto& problems = result.problems;
  auto doc = parse_json_text(text, "config");
  if (!doc) {
    problems.push_back({"(file)", doc.error().describe()});
    return result;
  }
  if (!doc->is_object()) {
    problems.push_back({"(file)", "expected a JSON object, found " + std::string(kind_name(*doc))});
    return result;
  }
  const json::object& top = doc->get_object();
  Checker c(problems);
  for (const auto& d : find_duplicate_keys(text)) {
    c.problem(d.path.empty() ? d.key : d.path + "." + d.key,
              "given twice (lines " + std::to_string(d.first_line) + " and " + std::to_string(d.second_line) +
                  "); say it once");
  }
  AgentConfig cfg;
  c.only_known(
      top, "",
      {"node", "listen", "tls", "clients", "tokens", "mdatp", "limits", "stateDir", "detectionTest"});
  cfg.node = fallback_node;
  c.text(top, "", "node", cfg.node);
  if (cfg.node.empty()) c.problem("node", "missing, and the host name is unknown");
  read_listen(c, top, cfg);
  read_tls(c, top, cfg);
  read_clients(c, top, cfg);
  read_tokens(c, top, cfg);
  read_mdatp(c, top, cfg);
  read_limits(c, top, cfg);
  read_state_and_detection(c, top, cfg);
  if (cfg.clients.empty() && cfg.tokens.empty()) {
    c.problem("clients", "no client identity and no token: nobody could use the agent");
  }
  if (problems.empty())
    result.config = std::move(cfg);
  else
    result.partial = std::move(cfg);
  return result;
}

std::vector<ConfigProblem> check_config_files(const AgentConfig& config) {
  std::vector<ConfigProblem> problems;
  auto readable = [&](const std::string& key, const std::string& path) {
    if (auto why = not_a_regular_file(path); !why.empty()) {
      problems.push_back({key, path + ": " + why});
    } else if (::access(path.c_str(), R_OK) != 0) {
      problems.push_back({key, path + ": not readable by this user"});
    }
  };
  readable("tls.cert", config.tls_cert);
  readable("tls.key", config.tls_key);
  readable("tls.clientCa", config.tls_client_ca);
  std::error_code ec;
  if (auto why = not_a_regular_file(config.mdatp_path); !why.empty()) {
    // On a node, the usual reason: MDE is not installed yet (its package's trigger restarts us).
    std::string hint = why == "no such file" ? " (is Microsoft Defender for Endpoint installed?)" : "";
    problems.push_back({"mdatp.path", config.mdatp_path + ": " + why + hint});
  } else if (::access(config.mdatp_path.c_str(), X_OK) != 0) {
    problems.push_back({"mdatp.path", config.mdatp_path + ": not executable by this user"});
  }
  fs::path state(config.state_dir);
  if (!fs::is_directory(state, ec) && !fs::is_directory(state.parent_path(), ec)) {
    problems.push_back({"stateDir", config.state_dir + ": neither it nor its parent folder exists"});
  }
  return problems;
}

std::string describe(const std::vector<ConfigProblem>& problems) {
  std::string out;
  for (const auto& p : problems) out += p.key + ": " + p.message + "\n";
  return out;
}

}  // namespace nexus_mde::agent
