#include "plugin/fanout/conversation.hpp"

#include <boost/json.hpp>

#include "common/sys/text.hpp"

namespace nexus_mde::plugin {

namespace json = boost::json;

std::optional<ErrorBody> error_body(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const json::value* e = v.get_object().if_contains("error");
  if (!e || !e->is_object()) return std::nullopt;
  const json::value* code = e->get_object().if_contains("code");
  const json::value* message = e->get_object().if_contains("message");
  if (!code || !code->is_string()) return std::nullopt;
  return ErrorBody{std::string(code->get_string()),
                   message && message->is_string() ? std::string(message->get_string()) : ""};
}

std::string_view to_string(ExchangeState state) {
  switch (state) {
    case ExchangeState::kOk:
      return "ok";
    case ExchangeState::kUnreachable:
      return "unreachable";
    case ExchangeState::kTimeout:
      return "timeout";
    case ExchangeState::kTlsError:
      return "tls-error";
    case ExchangeState::kAuthError:
      return "auth-error";
    case ExchangeState::kHttpError:
      return "http-error";
    case ExchangeState::kAgentError:
      return "agent-error";
    case ExchangeState::kIdentityMismatch:
      return "identity-mismatch";
    case ExchangeState::kSkipped:
      return "skipped";
  }
  return "?";
}

std::string Response::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return {};
}

std::string agent_error_code(std::string_view body) {
  auto e = error_body(body);
  return e ? e->code : std::string();
}

std::optional<ExchangeFailure> classify_http_failure(const Response& response) {
  if (response.status >= 200 && response.status < 300) return std::nullopt;
  auto e = error_body(response.body);
  std::string reason = "HTTP " + std::to_string(response.status);
  if (e)
    reason += " " + e->code + (e->message.empty() ? "" : ": " + e->message);
  else if (!response.body.empty())
    reason += ": " + excerpt(response.body, 80);
  if (response.status == 401 || response.status == 403 || response.status == 429) {
    return ExchangeFailure{ExchangeState::kAuthError, reason};
  }
  return ExchangeFailure{e ? ExchangeState::kAgentError : ExchangeState::kHttpError, reason};
}

}  // namespace nexus_mde::plugin
