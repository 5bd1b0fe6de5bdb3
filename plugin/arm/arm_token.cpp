#include "plugin/arm/arm_token.hpp"

#include <cstdlib>
#include <optional>

#include <boost/json.hpp>

#include "common/sys/process.hpp"
#include "common/sys/text.hpp"
#include "common/sys/time.hpp"

namespace nexus_mde::plugin {

namespace {

constexpr const char* kHowToLogIn =
    "run 'az login' (nexus-mde then asks 'az account get-access-token'), or set NEXUS_MDE_ARM_TOKEN";

std::optional<std::string> base64url_decode(std::string_view in) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '-' || c == '+')
      v = 62;
    else if (c == '_' || c == '/')
      v = 63;
    else if (c == '=')
      break;
    else
      return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

Result<std::string> checked(std::string token, const std::string& source) {
  token = std::string(trim(token));
  if (token.empty()) return make_error("the ARM token from " + source + " is empty; " + kHowToLogIn);
  if (auto exp = jwt_expiry(token); exp && *exp * 1000 <= now_epoch_ms()) {
    auto when = format_rfc3339_ms(*exp * 1000);
    return make_error("the ARM token from " + source + " expired at " + (when ? *when : std::string("?")) +
                      "; " + kHowToLogIn);
  }
  return token;
}

}  // namespace

std::optional<std::int64_t> jwt_expiry(const std::string& token) {
  auto first = token.find('.');
  auto second = first == std::string::npos ? std::string::npos : token.find('.', first + 1);
  if (second == std::string::npos) return std::nullopt;
  auto payload = base64url_decode(std::string_view(token).substr(first + 1, second - first - 1));
  if (!payload) return std::nullopt;
  boost::system::error_code ec;
  auto claims = boost::json::parse(*payload, ec);
  if (ec || !claims.is_object()) return std::nullopt;
  const auto* exp = claims.as_object().if_contains("exp");
  if (!exp || !exp->is_number()) return std::nullopt;
  return exp->to_number<std::int64_t>();
}

Result<std::string> arm_token(const std::string& endpoint) {
  for (const char* name : {"NEXUS_MDE_ARM_TOKEN", "AZURE_ACCESS_TOKEN"}) {
    if (const char* v = std::getenv(name); v && *v) return checked(v, name);
  }
  // az reads its login from HOME (or AZURE_CONFIG_DIR) and needs PATH; nothing else is passed.
  ProcessOptions o;
  o.timeout = std::chrono::seconds(60);
  for (const char* name :
       {"PATH", "HOME", "AZURE_CONFIG_DIR", "AZURE_CORE_COLLECT_TELEMETRY", "REQUESTS_CA_BUNDLE"}) {
    if (const char* v = std::getenv(name)) o.environment.push_back(std::string(name) + "=" + v);
  }
  auto run = run_process(
      {"az", "account", "get-access-token", "--resource", endpoint, "--query", "accessToken", "-o", "tsv"},
      o);
  if (!run)
    return make_error("no ARM token: the az CLI could not be run (" + run.error().describe() + "); " +
                      kHowToLogIn);
  if (!run->succeeded()) {
    return make_error("no ARM token: 'az account get-access-token' failed (" + run->describe() + "); " +
                      kHowToLogIn);
  }
  return checked(run->out, "az account get-access-token");
}

}  // namespace nexus_mde::plugin
