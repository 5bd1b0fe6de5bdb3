#include "plugin/cluster/detection_conversation.hpp"

#include "common/json/json_reader.hpp"

namespace nexus_mde::plugin {

Next DetectionConversation::next(const Response& response) {
  if (auto failure = classify_http_failure(response)) return Next::fail(std::move(*failure));
  auto doc = parse_json_text(response.body, "POST /v1/detection-test");
  if (!doc)
    return Next::fail({ExchangeState::kAgentError, "the answer is not JSON: " + doc.error().describe()});
  auto result = detection_result_from_json(*doc);
  if (!result) {
    return Next::fail(
        {ExchangeState::kAgentError, "the answer is not a detection result: " + result.error().describe()});
  }
  result_ = std::move(*result);
  return Next::done();
}

}  // namespace nexus_mde::plugin
