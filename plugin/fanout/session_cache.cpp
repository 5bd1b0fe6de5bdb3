#include "plugin/fanout/session_cache.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <vector>

#include <openssl/evp.h>

#include "common/sys/files.hpp"
#include "common/sys/text.hpp"

namespace nexus_mde::plugin {

namespace {

constexpr std::size_t kMaxFileBytes = 64ull << 20;
constexpr std::size_t kMaxSessions = 50'000;  // a fleet's worth; the oldest keys are not special
constexpr const char* kHeader =
    "# nexus-mde TLS sessions v1: TRUST NODE ADDRESS EXPIRES(epoch s) SESSION(base64 DER)";

std::string base64(const std::vector<unsigned char>& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                          static_cast<int>(bytes.size()));
  out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  return out;
}

// A session from its line, when it parses and is still alive.
net::SslSessionHandle session_of(const std::string& encoded) {
  std::vector<unsigned char> der(encoded.size() / 4 * 3 + 3);
  int n = EVP_DecodeBlock(der.data(), reinterpret_cast<const unsigned char*>(encoded.data()),
                          static_cast<int>(encoded.size()));
  if (n <= 0) return {};
  std::size_t padding = 0;
  for (auto it = encoded.rbegin(); it != encoded.rend() && *it == '='; ++it) ++padding;
  const unsigned char* p = der.data();
  net::SslSessionHandle session{d2i_SSL_SESSION(nullptr, &p, n - static_cast<long>(padding))};
  if (!session) return {};
  long expires = SSL_SESSION_get_time(session.get()) + SSL_SESSION_get_timeout(session.get());
  if (expires <= std::time(nullptr) || !SSL_SESSION_is_resumable(session.get())) return {};
  return session;
}

}  // namespace

std::string TlsSessionCache::key(const Target& target) const {
  return trust_ + " " + target.name + " " + target.endpoint();
}

void TlsSessionCache::load() {
  auto text = read_small_file(path_, kMaxFileBytes);
  if (!text) return;
  auto now = static_cast<long long>(std::time(nullptr));
  std::lock_guard lock(mutex_);
  for (auto line : split_lines(*text)) {
    if (line.empty() || line.front() == '#') continue;
    // Sessions are parsed when a node asks for one; here only their expiry is read.
    auto last = line.rfind(' ');
    auto before =
        last == std::string_view::npos || last == 0 ? std::string_view::npos : line.rfind(' ', last - 1);
    if (before == std::string_view::npos) continue;
    long long expires = 0;
    try {
      expires = std::stoll(std::string(line.substr(before + 1, last - before - 1)));
    } catch (...) {
      continue;
    }
    if (expires <= now) continue;
    lines_[std::string(line.substr(0, before))] = std::string(line.substr(before + 1));
  }
}

Result<bool> TlsSessionCache::save() const {
  std::string text = std::string(kHeader) + "\n";
  {
    std::lock_guard lock(mutex_);
    std::size_t written = 0;
    for (const auto& [k, entry] : lines_) {
      if (++written > kMaxSessions) break;
      text += k + " " + entry + "\n";
    }
  }
  std::error_code ec;
  auto folder = std::filesystem::path(path_).parent_path();
  if (!folder.empty() && !std::filesystem::exists(folder, ec)) {
    std::filesystem::create_directories(folder, ec);
    if (!ec) ::chmod(folder.c_str(), 0700);
  }
  return replace_file(path_, text, 0600);
}

net::SslSessionHandle TlsSessionCache::take(const Target& target) const {
  std::string entry;
  {
    std::lock_guard lock(mutex_);
    auto it = lines_.find(key(target));
    if (it == lines_.end()) return {};
    entry = it->second;
  }
  return session_of(entry.substr(entry.find(' ') + 1));
}

void TlsSessionCache::keep(const Target& target, const SSL_SESSION* session) {
  if (!session || !SSL_SESSION_is_resumable(session)) return;
  int size = i2d_SSL_SESSION(const_cast<SSL_SESSION*>(session), nullptr);
  if (size <= 0) return;
  std::vector<unsigned char> der(static_cast<std::size_t>(size));
  unsigned char* p = der.data();
  if (i2d_SSL_SESSION(const_cast<SSL_SESSION*>(session), &p) != size) return;
  long long expires =
      static_cast<long long>(SSL_SESSION_get_time(session)) + SSL_SESSION_get_timeout(session);
  std::string entry = std::to_string(expires) + " " + base64(der);
  std::lock_guard lock(mutex_);
  lines_[key(target)] = std::move(entry);
}

std::size_t TlsSessionCache::size() const {
  std::lock_guard lock(mutex_);
  return lines_.size();
}

std::string trust_id(const std::string& ca_file, const std::string& cert_file) {
  std::string all;
  for (const auto* file : {&ca_file, &cert_file}) {
    auto text = file->empty() ? Result<std::string>(std::string()) : read_small_file(*file, kMaxFileBytes);
    all += (text ? *text : "unreadable " + *file) + "\n--\n";
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(all.data(), all.size(), digest, &size, EVP_sha256(), nullptr) != 1) return "no-digest";
  return to_hex(digest, 16);  // 128 bits name the trust well enough
}

std::string default_session_cache_file() { return xdg_file("XDG_CACHE_HOME", ".cache", "tls-sessions"); }

}  // namespace nexus_mde::plugin
