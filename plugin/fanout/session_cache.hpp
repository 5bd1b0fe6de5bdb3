// TLS sessions kept across invocations, so that the next command resumes each node's session
// (TLS 1.3 PSK) instead of verifying its certificate chain again. One file, 0600, replaced whole:
// a line per session, keyed by the trust it was made under (the CA and client certificate
// files' SHA-256), the node's name and its address, so a session is only offered to the node
// it came from under the same trust. Sessions past their lifetime are dropped; a missing or
// damaged file is an empty cache, never an error. The ticket is a secret, hence 0600 under
// the user's own cache directory.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>

#include "common/net/ossl_handles.hpp"
#include "common/sys/result.hpp"
#include "plugin/fanout/target.hpp"

namespace nexus_mde::plugin {

class TlsSessionCache {
 public:
  // `trust`: what a session depends on besides the node (trust_id below).
  TlsSessionCache(std::string path, std::string trust) : path_(std::move(path)), trust_(std::move(trust)) {}

  void load();                // the file's sessions still alive
  Result<bool> save() const;  // the file replaced whole, 0600; its directory made 0700
  net::SslSessionHandle take(const Target& target) const;  // a copy to resume with, or empty
  void keep(const Target& target, const SSL_SESSION* session);
  std::size_t size() const;

 private:
  std::string key(const Target& target) const;

  std::string path_;
  std::string trust_;
  mutable std::mutex mutex_;                  // the fan-out's engines share the cache
  std::map<std::string, std::string> lines_;  // key -> "EXPIRES BASE64-DER"
};

// SHA-256 (hex) over the CA and client certificate files' bytes.
std::string trust_id(const std::string& ca_file, const std::string& cert_file);

// $XDG_CACHE_HOME/nexus-mde/tls-sessions, else ~/.cache/nexus-mde/tls-sessions; empty without either.
std::string default_session_cache_file();

}  // namespace nexus_mde::plugin
