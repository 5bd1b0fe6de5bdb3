// RAII for the OpenSSL objects this code owns (bmcweb's ossl_wrappers are the model): each handle
// frees its object once, on every path, so no early return can leak one.
#pragma once

#include <memory>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace nexus_mde::net {

template <auto Free>
struct OsslFree {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};

using X509Handle = std::unique_ptr<X509, OsslFree<X509_free>>;
using EvpPkeyHandle = std::unique_ptr<EVP_PKEY, OsslFree<EVP_PKEY_free>>;
using GeneralNamesHandle = std::unique_ptr<GENERAL_NAMES, OsslFree<GENERAL_NAMES_free>>;
using SslSessionHandle = std::unique_ptr<SSL_SESSION, OsslFree<SSL_SESSION_free>>;

// OPENSSL_free is a macro; the text ASN1_STRING_to_UTF8 returns is freed through this.
struct OsslBytesFree {
  void operator()(unsigned char* p) const { OPENSSL_free(p); }
};
using OsslBytes = std::unique_ptr<unsigned char, OsslBytesFree>;

// The subject alternative names of `cert`, or an empty handle when it has none.
inline GeneralNamesHandle subject_alt_names(const X509* cert) {
  return GeneralNamesHandle(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
}

}  // namespace nexus_mde::net
