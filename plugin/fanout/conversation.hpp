// What the fan-out says to one target and how each exchange ends. A command gives every target
// (a node's agent, ARM, a storage host) a Conversation: its first request, then, for each
// answer, the next request or the end. The
// engine (fan_out.hpp) owns connections, TLS, deadlines and concurrency; conversations own the
// meaning of the answers and keep what they parsed for the command to print.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nexus_mde::plugin {

// Every target ends in exactly one of these; for a node's agent it is the node's state.
enum class ExchangeState {
  kOk,                // the agent answered and the answer made sense
  kUnreachable,       // name not resolved, connection refused, no route
  kTimeout,           // no answer within --timeout, or the --deadline passed
  kTlsError,          // handshake failed: certificate not trusted, not naming the node, refused ours
  kAuthError,         // 401, 403, 429: the agent refused our credentials or role
  kHttpError,         // an HTTP answer that is not the agent's (no JSON error), or broken HTTP
  kAgentError,        // the agent answered with an error of its own, or a body that does not parse
  kIdentityMismatch,  // the answer came from another node: its certificate or its own name says so
  kSkipped,           // not asked: the machine is powered off or not ready (ARM's data extract)
};

std::string_view to_string(ExchangeState state);

enum class HttpMethod { kGet, kPost, kPatch };

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// One HTTPS exchange as the engine sends it, to an agent, ARM or storage alike.
struct Request {
  HttpMethod method = HttpMethod::kGet;
  std::string target;  // "/v1/status"
  std::string body;    // JSON, for POST and PATCH
  // A long-poll (GET /v1/scans/{id}?wait=S): the answer may take this long on top of --timeout,
  // and the node gives up its --concurrency slot while it waits.
  std::chrono::seconds long_poll{0};
  HttpHeaders headers;                 // extra request headers (If-Match)
  std::chrono::milliseconds delay{0};  // wait this long before sending (Retry-After, polling)
  // Why the server asked for the delay (its own words: "ARM answered HTTP 429 …"), when it is a
  // refusal to retry later: if the delay would outlast the overall deadline, the node fails at
  // once with this, rather than sleeping until the deadline says only that it passed.
  std::string wait_reason;
};

// What came back: status, body and headers, whoever the peer was.
struct Response {
  unsigned status = 0;
  std::string body;
  HttpHeaders headers;

  // The first header of that name (case-insensitive), or empty.
  std::string header(std::string_view name) const;
};

struct ExchangeFailure {
  ExchangeState state = ExchangeState::kAgentError;
  std::string reason;
};

// What a conversation does after an answer: ask again, or end (ok, or failed).
struct Next {
  std::optional<Request> request;
  std::optional<ExchangeFailure> failure;

  static Next ask(Request r) { return {std::move(r), std::nullopt}; }
  static Next done() { return {}; }
  static Next fail(ExchangeFailure f) { return {std::nullopt, std::move(f)}; }
};

// The usual reading of a non-2xx answer: 401/403/429 are auth-error, the agent's
// {"error":{"code","message"}} is agent-error ("409 scan_running: …"), anything else http-error.
// nullopt for 2xx.
std::optional<ExchangeFailure> classify_http_failure(const Response& response);

// {"error":{"code":"…","message":"…"}}: how the agent and ARM both say what went wrong.
struct ErrorBody {
  std::string code;
  std::string message;  // may be empty
};
// The error a body holds; nullopt when it is not such a body (or has no code).
std::optional<ErrorBody> error_body(std::string_view body);

// The agent's error code from a JSON error body ("scan_running"), or empty.
std::string agent_error_code(std::string_view body);

class Conversation {
 public:
  virtual ~Conversation() = default;
  virtual Request first() = 0;
  virtual Next next(const Response& response) = 0;
};

}  // namespace nexus_mde::plugin
