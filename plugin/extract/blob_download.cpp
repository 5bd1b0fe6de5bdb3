#include "plugin/extract/blob_download.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "common/sys/text.hpp"

namespace nexus_mde::plugin {

namespace {

constexpr int kMaxRedirects = 5;

}  // namespace

std::optional<BlobLocation> blob_location(const std::string& url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || parsed->scheme() != "https" || parsed->host().empty()) return std::nullopt;
  BlobLocation where;
  where.host.name = std::string(parsed->host());
  where.host.host = where.host.name;
  if (where.host.host.size() > 2 && where.host.host.front() == '[')
    where.host.host = where.host.host.substr(1, where.host.host.size() - 2);
  where.host.port = parsed->has_port() ? static_cast<std::uint16_t>(parsed->port_number()) : 443;
  where.target = std::string(parsed->encoded_path());
  if (where.target.empty()) where.target = "/";
  if (parsed->has_query()) where.target += "?" + std::string(parsed->encoded_query());
  return where;
}

Next BlobDownload::next(const Response& r) {
  if (r.status >= 300 && r.status < 400) {
    std::string location = r.header("Location");
    auto to = blob_location(location);
    if (!to)
      return Next::fail({ExchangeState::kHttpError, "storage redirected (" + std::to_string(r.status) +
                                                        ") to something that is not an https URL"});
    if (++hops_ > kMaxRedirects)
      return Next::fail({ExchangeState::kHttpError, "storage redirected more than 5 times"});
    if (to->host.name == where_.host.name && to->host.port == where_.host.port) {
      where_ = std::move(*to);
      return Next::ask(Request{HttpMethod::kGet, where_.target, {}, {}, {}, {}, {}});
    }
    elsewhere_ = std::move(*to);
    return Next::done();
  }
  if (r.status == 200) {
    body_ = r.body;
    return Next::done();
  }
  // Storage's errors are XML (AuthorizationFailure, AuthenticationFailed, BlobNotFound…): keep the
  // status and a short excerpt, never the URL.
  std::string why =
      "storage answered " + std::to_string(r.status) + " to the download from " + where_.host.name;
  if (r.status == 403) why += " (the storage account's firewall or an expired SAS; docs/cli.md, extract)";
  if (!r.body.empty()) why += ": " + excerpt(r.body, 160);
  return Next::fail({ExchangeState::kHttpError, why});
}

}  // namespace nexus_mde::plugin
