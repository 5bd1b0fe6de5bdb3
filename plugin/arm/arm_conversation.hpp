// Talking to ARM the way ARM expects (the base of every ARM conversation): 429 and 5xx retried
// after Retry-After or a capped exponential backoff with jitter; an api-version the service
// rejects replaced once by the fallback; long-running operations followed to their end
// (Azure-AsyncOperation when given, else Location; 202 or a non-terminal status means running);
// every error carries ARM's code and message and the x-ms-request-id and
// x-ms-correlation-request-id a support case needs.
#pragma once

#include <optional>
#include <string>

#include <boost/json/value.hpp>

#include "plugin/arm/arm_access.hpp"
#include "plugin/fanout/conversation.hpp"

namespace nexus_mde::plugin {

class ArmConversation : public Conversation {
 public:
  explicit ArmConversation(const ArmAccess& access) : access_(access), api_version_(access.api_version) {}

  Request first() final;
  Next next(const Response& response) final;

  const std::string& api_version() const { return api_version_; }
  // How the last long-running operation ended: Succeeded, Failed or Canceled (empty before).
  const std::string& operation_status() const { return operation_status_; }

 protected:
  virtual Request begin() = 0;
  // A 2xx answer (retries and fallback already handled).
  virtual Next on_answer(const Response& response) = 0;

  // GET/PATCH/POST `path` on the endpoint with ?api-version=.
  Request arm_request(HttpMethod method, const std::string& path, std::string body = {}) const;
  // A URL ARM handed out (nextLink, operation status): used as given, on the same endpoint.
  std::optional<Request> follow(const std::string& url, std::chrono::milliseconds delay = {}) const;
  // A long-running operation, after its first answer (`initial`) or a poll: the next poll while it
  // runs (honouring Retry-After), a failure naming `what` when it ended other than Succeeded
  // (with ARM's error), nullopt when it succeeded (go on).
  std::optional<Next> follow_operation(const Response& response, bool initial, const std::string& what);
  // ARM's error (code: message) with the request ids, for failures.
  static std::string describe_error(const Response& response);

  const ArmAccess& access_;

 private:
  Request last_;
  std::string api_version_;
  bool fell_back_ = false;
  int retries_ = 0;
  // The next poll, or the end with Succeeded/Failed/Canceled in `final_status`.
  struct LroStep {
    std::optional<Request> poll;
    std::string final_status;
  };
  std::optional<LroStep> lro_step(const Response& response, bool initial);

  std::string poll_url_;
  std::string operation_status_;
};

// The body as JSON, or null when it is not.
boost::json::value parse_body(const std::string& body);

}  // namespace nexus_mde::plugin
