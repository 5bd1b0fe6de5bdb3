#include "common/net/tls_context.hpp"
#include "common/net/ossl_handles.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "common/sys/files.hpp"
#include "common/sys/time.hpp"

namespace nexus_mde::net {

namespace {

// The oldest OpenSSL error of the calling thread as text ("no start line"), and the queue cleared.
std::string openssl_reason(const char* fallback) {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return fallback;
  const char* reason = ERR_reason_error_string(code);
  return reason ? reason : fallback;
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

File open_for_reading(TlsFileRole role, const std::string& path, std::vector<TlsProblem>& problems) {
  if (auto why = not_a_regular_file(path); !why.empty()) {
    problems.push_back({role, path, why});
    return File(nullptr);
  }
  File f(std::fopen(path.c_str(), "rb"));
  if (!f) problems.push_back({role, path, std::string("cannot read: ") + std::strerror(errno)});
  return f;
}

// "2024-01-01T00:00:00.000Z" for an ASN1_TIME, or "?" when it cannot be converted.
std::string asn1_time_text(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return "?";
  auto text = format_rfc3339_ms(static_cast<std::int64_t>(timegm(&tm)) * 1000);
  return text ? *text : "?";
}

using Cert = X509Handle;
using Key = EvpPkeyHandle;

// Reads the (first) certificate to say, by file, what is wrong with it before OpenSSL is asked.
Cert check_certificate_file(TlsFileRole role, const std::string& path, const char* what,
                            std::vector<TlsProblem>& problems) {
  Cert none;
  File f = open_for_reading(role, path, problems);
  if (!f) return none;
  Cert cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    problems.push_back(
        {role, path, std::string("not a PEM ") + what + ": " + openssl_reason("no certificate found")});
    return none;
  }
  if (X509_cmp_current_time(X509_get0_notAfter(cert.get())) < 0) {
    problems.push_back(
        {role, path, std::string(what) + " expired on " + asn1_time_text(X509_get0_notAfter(cert.get()))});
  } else if (X509_cmp_current_time(X509_get0_notBefore(cert.get())) > 0) {
    problems.push_back(
        {role, path,
         std::string(what) + " is not valid before " + asn1_time_text(X509_get0_notBefore(cert.get()))});
  }
  return cert;
}

// The private key in `path`, checked against `cert` when there is one.
void check_private_key_file(const std::string& path, const Cert& cert, const std::string& cert_path,
                            std::vector<TlsProblem>& problems) {
  if (File f = open_for_reading(TlsFileRole::kPrivateKey, path, problems)) {
    Key key(PEM_read_PrivateKey(f.get(), nullptr, nullptr, nullptr));
    if (!key) {
      problems.push_back({TlsFileRole::kPrivateKey, path,
                          "not an unencrypted PEM private key: " + openssl_reason("no key found")});
    } else if (cert && X509_check_private_key(cert.get(), key.get()) != 1) {
      problems.push_back({TlsFileRole::kPrivateKey, path, "does not match the certificate " + cert_path});
    }
  }
}

// TLS 1.2 and 1.3 only; for 1.2, forward-secret AEAD suites only (1.3's are all acceptable).
void restrict_protocols(SSL_CTX* native) {
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_cipher_list(native, "ECDHE+AESGCM:ECDHE+CHACHA20");
}

}  // namespace

TlsContextResult make_server_tls_context(const TlsFiles& files) {
  namespace ssl = boost::asio::ssl;
  TlsContextResult out;
  ERR_clear_error();
  Cert cert =
      check_certificate_file(TlsFileRole::kCertificate, files.certificate, "certificate", out.problems);
  check_certificate_file(TlsFileRole::kTrustedCa, files.trusted_ca, "CA certificate", out.problems);
  check_private_key_file(files.private_key, cert, files.certificate, out.problems);
  ERR_clear_error();
  if (!out.problems.empty()) return out;

  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  restrict_protocols(native);
  SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_use_certificate_chain_file(native, files.certificate.c_str()) != 1) {
    out.problems.push_back({TlsFileRole::kCertificate, files.certificate,
                            "cannot use certificate: " + openssl_reason("unknown error")});
  }
  if (SSL_CTX_use_PrivateKey_file(native, files.private_key.c_str(), SSL_FILETYPE_PEM) != 1) {
    out.problems.push_back({TlsFileRole::kPrivateKey, files.private_key,
                            "cannot use private key: " + openssl_reason("unknown error")});
  }
  if (SSL_CTX_load_verify_locations(native, files.trusted_ca.c_str(), nullptr) != 1) {
    out.problems.push_back({TlsFileRole::kTrustedCa, files.trusted_ca,
                            "cannot use as client CA: " + openssl_reason("unknown error")});
  } else if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.trusted_ca.c_str())) {
    SSL_CTX_set_client_CA_list(native, names);
  }
  SSL_CTX_set_verify(native, SSL_VERIFY_PEER, nullptr);
  // Session ids are scoped to this context, so a resumed session never skips client verification.
  static const unsigned char kSessionContext[] = "nexus-mde-agent";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
  // Resumption is by stateless tickets only: a server-side cache would hold every session of every
  // handshake (up to 20480 by default) for nothing. One ticket per handshake, not OpenSSL's two:
  // the CLI keeps one session per node, and each ticket costs both ends a key derivation and an
  // encryption (in a 1000-node fan-out, a third of the client's CPU and a sixth of the agent's
  // went to tickets and caches nobody used).
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(native, 1);
  if (out.problems.empty()) out.context = std::move(ctx);
  return out;
}

TlsContextResult make_client_tls_context(const ClientTlsFiles& files) {
  namespace ssl = boost::asio::ssl;
  TlsContextResult out;
  ERR_clear_error();
  if (!files.trusted_ca.empty()) {
    check_certificate_file(TlsFileRole::kTrustedCa, files.trusted_ca, "CA certificate", out.problems);
  }
  if (!files.certificate.empty() || !files.private_key.empty()) {
    if (files.certificate.empty()) {
      out.problems.push_back(
          {TlsFileRole::kCertificate, files.certificate, "a client key needs its certificate"});
    } else if (files.private_key.empty()) {
      out.problems.push_back(
          {TlsFileRole::kPrivateKey, files.private_key, "a client certificate needs its key"});
    } else {
      Cert cert =
          check_certificate_file(TlsFileRole::kCertificate, files.certificate, "certificate", out.problems);
      check_private_key_file(files.private_key, cert, files.certificate, out.problems);
    }
  }
  ERR_clear_error();
  if (!out.problems.empty()) return out;

  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX* native = ctx->native_handle();
  restrict_protocols(native);
  if (files.trusted_ca.empty()) {
    SSL_CTX_set_default_verify_paths(native);  // the system's CAs (a public endpoint such as ARM)
  } else if (SSL_CTX_load_verify_locations(native, files.trusted_ca.c_str(), nullptr) != 1) {
    out.problems.push_back(
        {TlsFileRole::kTrustedCa, files.trusted_ca, "cannot use as CA: " + openssl_reason("unknown error")});
  }
  if (!files.certificate.empty()) {
    if (SSL_CTX_use_certificate_chain_file(native, files.certificate.c_str()) != 1) {
      out.problems.push_back({TlsFileRole::kCertificate, files.certificate,
                              "cannot use certificate: " + openssl_reason("unknown error")});
    }
    if (SSL_CTX_use_PrivateKey_file(native, files.private_key.c_str(), SSL_FILETYPE_PEM) != 1) {
      out.problems.push_back({TlsFileRole::kPrivateKey, files.private_key,
                              "cannot use private key: " + openssl_reason("unknown error")});
    }
  }
  SSL_CTX_set_verify(native, SSL_VERIFY_PEER, nullptr);
  // No internal cache: the fan-out keeps the one session per node it resumes (OpenSSL's client
  // cache would only collect every ticket of a run and sweep them).
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  ERR_clear_error();
  if (out.problems.empty()) out.context = std::move(ctx);
  return out;
}

std::vector<std::string> peer_certificate_identities(void* native_ssl) {
  std::vector<std::string> ids;
  auto* ssl = static_cast<SSL*>(native_ssl);
  X509Handle cert(SSL_get1_peer_certificate(ssl));
  if (!cert || SSL_get_verify_result(ssl) != X509_V_OK) return ids;
  X509_NAME* subject = X509_get_subject_name(cert.get());
  int cn_index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (cn_index >= 0) {
    ASN1_STRING* cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, cn_index));
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, cn);
    OsslBytes owned(utf8);
    if (len > 0) ids.emplace_back(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
  }
  GeneralNamesHandle sans = subject_alt_names(cert.get());
  for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans.get(), i);
    if (name->type != GEN_DNS && name->type != GEN_URI && name->type != GEN_EMAIL) continue;
    const ASN1_IA5STRING* s = name->d.ia5;
    ids.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
  }
  return ids;
}

std::string peer_verify_failure(void* native_ssl) {
  long result = SSL_get_verify_result(static_cast<SSL*>(native_ssl));
  if (result == X509_V_OK) return {};
  return std::string("certificate verify failed: ") + X509_verify_cert_error_string(result);
}

}  // namespace nexus_mde::net
