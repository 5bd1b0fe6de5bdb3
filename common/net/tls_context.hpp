// TLS contexts built from PEM files, with every problem named by the file it concerns: the
// agent reports bad certificates or keys at start (and refuses them on reload) by file, and the
// CLI will load its client certificate the same way. TLS 1.2 and 1.3 only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ssl/context.hpp>

namespace nexus_mde::net {

struct TlsFiles {
  std::string certificate;  // PEM chain: leaf first
  std::string private_key;  // PEM, unencrypted
  std::string trusted_ca;   // PEM bundle that peers' certificates must chain to
};

enum class TlsFileRole { kCertificate, kPrivateKey, kTrustedCa };

struct TlsProblem {
  TlsFileRole role;
  std::string file;     // the path concerned
  std::string message;  // "not a PEM certificate", "expired on 2024-01-01T00:00:00Z", ...
};

struct TlsContextResult {
  std::shared_ptr<boost::asio::ssl::context> context;  // set only when there are no problems
  std::vector<TlsProblem> problems;
};

// A server context: presents `certificate`/`private_key`, asks clients for a certificate and
// verifies one if given against `trusted_ca` (a client may still authenticate with a token, so a
// missing certificate is not a handshake failure; a bad one is).
TlsContextResult make_server_tls_context(const TlsFiles& files);

// What the CLI presents to agents: the CA that agents' certificates must chain to, and
// optionally a client certificate and key (mTLS; a bearer token may be used instead).
struct ClientTlsFiles {
  std::string trusted_ca;   // empty: the system's CAs
  std::string certificate;  // empty: no client certificate
  std::string private_key;  // required with a certificate
};

// A client context: verifies the server's chain against `trusted_ca` (the name check is the
// caller's: it knows which node it dialled), presents the client certificate if given, and
// caches sessions so that a node asked again resumes instead of a full handshake.
TlsContextResult make_client_tls_context(const ClientTlsFiles& files);

// The identities a verified peer certificate carries: subject CN first, then DNS, URI and email
// SANs, in certificate order. `native_ssl` is the SSL* of a completed handshake; empty when the
// peer sent no certificate.
std::vector<std::string> peer_certificate_identities(void* native_ssl);

// "certificate verify failed: certificate has expired" for a failed handshake on `native_ssl`,
// or the empty string when verification was not what failed.
std::string peer_verify_failure(void* native_ssl);

}  // namespace nexus_mde::net
