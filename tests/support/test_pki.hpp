// A throwaway PKI for tests, made with OpenSSL's API: CAs, and server and client certificates with
// chosen names, SANs and validity (an expired one included), written as PEM files.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace nexus_mde::testing {

struct PemPair {
  std::filesystem::path cert;
  std::filesystem::path key;
};

struct CertSpec {
  std::string common_name;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  long valid_from_days = -1;  // relative to now
  long valid_to_days = 30;
  bool server = false;  // serverAuth, else clientAuth
};

class TestPki {
 public:
  explicit TestPki(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // A self-signed CA named `name`, written to <dir>/<name>.crt and .key.
  PemPair make_ca(const std::string& name) const;
  // A certificate signed by `ca`, written to <dir>/<file_name>.crt and .key.
  PemPair issue(const PemPair& ca, const std::string& file_name, const CertSpec& spec) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace nexus_mde::testing
