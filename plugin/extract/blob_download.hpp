// Downloads a data extract's result from storage: HTTPS GET of the SAS URL ARM handed out,
// without ARM's token (the URL carries its own authorization), following redirects on the same
// host (up to 5) and handing a redirect elsewhere back to the caller. The body is capped at
// kMaxExtractBytes (the run sets the fan-out's answer limit to it). The URL is a secret: errors
// name the host only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "plugin/fanout/conversation.hpp"
#include "plugin/inventory/inventory.hpp"

namespace nexus_mde::plugin {

// The largest data-extract archive a download takes.
inline constexpr std::uint64_t kMaxExtractBytes = 64ull << 20;

struct BlobLocation {
  Target host;         // where to connect (its name is the host the certificate must name)
  std::string target;  // path and query
};

// An https:// URL as a place to GET; nullopt when it is not one.
std::optional<BlobLocation> blob_location(const std::string& url);

class BlobDownload final : public Conversation {
 public:
  explicit BlobDownload(BlobLocation where) : where_(std::move(where)) {}

  Request first() override { return Request{HttpMethod::kGet, where_.target, {}, {}, {}, {}, {}}; }
  Next next(const Response& response) override;

  std::string& body() { return body_; }
  // Set when storage redirected to another host: the next place to ask.
  const std::optional<BlobLocation>& elsewhere() const { return elsewhere_; }

 private:
  BlobLocation where_;
  int hops_ = 0;
  std::string body_;
  std::optional<BlobLocation> elsewhere_;
};

}  // namespace nexus_mde::plugin
