#include "plugin/arm/arm_conversation.hpp"

#include <sys/random.h>

#include <algorithm>
#include <charconv>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "common/sys/text.hpp"

namespace nexus_mde::plugin {

namespace json = boost::json;

namespace {

constexpr int kMaxRetries = 5;
constexpr std::chrono::milliseconds kMaxBackoff{30'000};

std::chrono::milliseconds retry_after(const Response& r, std::chrono::milliseconds fallback) {
  std::string v = r.header("Retry-After");
  int seconds = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || seconds < 0) return fallback;
  return std::chrono::milliseconds(std::min(seconds, 300) * 1000);
}

// 1, 2, 4, 8, 16 s (capped), each with up to a quarter more at random so that many clients
// throttled together do not come back together.
std::chrono::milliseconds backoff(int attempt) {
  auto base = std::min<std::chrono::milliseconds>(
      std::chrono::milliseconds(1000) * (1 << std::min(attempt, 10)), kMaxBackoff);
  unsigned short r = 0;
  if (::getrandom(&r, sizeof r, 0) != sizeof r) r = 0;
  return base + std::chrono::milliseconds(base.count() / 4 * r / 65536);
}

bool is_version_rejection(const Response& r) {
  if (r.status != 400 && r.status != 404) return false;
  auto error = error_body(r.body);
  std::string code = error ? error->code : std::string();
  return code == "NoRegisteredProviderFound" || code == "InvalidApiVersionParameter" ||
         code == "InvalidResourceType" || code == "UnsupportedApiVersion";
}

std::string replace_api_version(const std::string& target, const std::string& version) {
  auto at = target.find("api-version=");
  if (at == std::string::npos) return target;
  auto end = target.find('&', at);
  return target.substr(0, at) + "api-version=" + version +
         (end == std::string::npos ? "" : target.substr(end));
}

}  // namespace

json::value parse_body(const std::string& body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  return ec ? json::value(nullptr) : v;
}

std::string ArmConversation::describe_error(const Response& r) {
  std::string text = "ARM answered HTTP " + std::to_string(r.status);
  if (auto e = error_body(r.body)) {
    text += " " + e->code + (e->message.empty() ? "" : ": " + e->message);
  } else if (!r.body.empty()) {
    text += ": " + excerpt(r.body, 120);
  }
  std::string request_id = r.header("x-ms-request-id");
  std::string correlation_id = r.header("x-ms-correlation-request-id");
  if (!request_id.empty() || !correlation_id.empty()) {
    text += " (x-ms-request-id " + (request_id.empty() ? "-" : request_id) +
            ", x-ms-correlation-request-id " + (correlation_id.empty() ? "-" : correlation_id) + ")";
  }
  return text;
}

Request ArmConversation::arm_request(HttpMethod method, const std::string& path, std::string body) const {
  return Request{method, path + "?api-version=" + api_version_, std::move(body), {}, {}, {}, {}};
}

std::optional<Request> ArmConversation::follow(const std::string& url,
                                               std::chrono::milliseconds delay) const {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || parsed->scheme() != "https" || std::string(parsed->host()) != access_.endpoint.name)
    return std::nullopt;
  std::string target = std::string(parsed->encoded_path());
  if (parsed->has_query()) target += "?" + std::string(parsed->encoded_query());
  return Request{HttpMethod::kGet, target, {}, {}, {}, delay, {}};
}

Request ArmConversation::first() {
  last_ = begin();
  return last_;
}

Next ArmConversation::next(const Response& r) {
  if ((r.status == 429 || r.status >= 500) && retries_ < kMaxRetries) {
    Request again = last_;
    again.delay = retry_after(r, backoff(retries_));
    again.wait_reason = describe_error(r);
    ++retries_;
    last_ = again;
    return Next::ask(std::move(again));
  }
  if (is_version_rejection(r) && access_.may_fall_back && !fell_back_) {
    fell_back_ = true;
    api_version_ = kFallbackApiVersion;
    last_.target = replace_api_version(last_.target, api_version_);
    return Next::ask(last_);
  }
  if (r.status == 401 || r.status == 403) {
    return Next::fail(
        {ExchangeState::kAuthError,
         describe_error(r) + (r.status == 401 ? "; run 'az login' or refresh NEXUS_MDE_ARM_TOKEN" : "")});
  }
  if (r.status == 412) {  // If-Match: someone changed the resource between our read and our write
    return Next::fail({ExchangeState::kHttpError,
                       describe_error(r) +
                           "; the cluster changed since it was read (another update?), so nothing was "
                           "changed: look at it again, then run the command again"});
  }
  if (r.status < 200 || r.status >= 300) {
    return Next::fail(
        {ExchangeState::kHttpError,
         describe_error(r) + (retries_ ? " after " + std::to_string(retries_) + " retries" : "")});
  }
  retries_ = 0;
  last_.wait_reason.clear();
  Next n = on_answer(r);
  if (n.request) last_ = *n.request;
  return n;
}

std::optional<ArmConversation::LroStep> ArmConversation::lro_step(const Response& r, bool initial) {
  LroStep step;
  if (initial) {
    std::string url = r.header("Azure-AsyncOperation");
    if (url.empty()) url = r.header("Location");
    if (r.status != 201 && r.status != 202) {
      step.final_status = "Succeeded";  // 200: done at once, the body is the result
      return step;
    }
    if (url.empty()) return std::nullopt;
    poll_url_ = url;
  } else {
    std::string status;
    json::value body = parse_body(r.body);
    if (const json::object* o = body.if_object()) {
      if (auto* s = o->if_contains("status"); s && s->is_string()) status = std::string(s->as_string());
    }
    bool terminal = status == "Succeeded" || status == "Failed" || status == "Canceled";
    if (terminal) {
      step.final_status = status;
      return step;
    }
    if (r.status != 202 && status.empty()) {
      step.final_status = "Succeeded";  // Location semantics: 200 with the final body
      return step;
    }
  }
  auto poll = follow(poll_url_, retry_after(r, std::chrono::milliseconds(1000)));
  if (!poll) return std::nullopt;
  step.poll = std::move(*poll);
  return step;
}

std::optional<Next> ArmConversation::follow_operation(const Response& r, bool initial,
                                                      const std::string& what) {
  auto step = lro_step(r, initial);
  if (!step) {
    return Next::fail(
        {ExchangeState::kHttpError,
         "ARM accepted " + what + " but gave no operation to follow (" + describe_error(r) + ")"});
  }
  if (step->poll) return Next::ask(std::move(*step->poll));
  operation_status_ = step->final_status;
  if (operation_status_ == "Succeeded") return std::nullopt;
  std::string why;
  if (auto e = error_body(r.body)) why = e->code + (e->message.empty() ? "" : ": " + e->message);
  return Next::fail({ExchangeState::kAgentError,
                     what + " ended " + operation_status_ + (why.empty() ? "" : " (" + why + ")")});
}

}  // namespace nexus_mde::plugin
