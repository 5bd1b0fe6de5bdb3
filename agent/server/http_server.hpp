// The agent's HTTPS server: listeners on the configured addresses and one session per connection
// (Boost.Beast, as in its http_server_async_ssl and advanced_server examples). Every step has a
// deadline: the handshake gets the handshake timeout, each request read and response write the
// I/O timeout (a client trickling bytes is cut off), a keep-alive connection waiting for its next
// request the idle timeout. Header and body sizes are capped (431, 413). Connections that have
// not finished TLS have a budget of their own, so that peers without credentials cannot starve
// those with them: at most max_handshakes at once (a newcomer past that closes the oldest) and
// max_handshakes_per_address from one address (past that a newcomer is closed). Past max
// connections a newcomer closes the oldest connection still in its handshake, or is closed at once
// when every open connection is past TLS. The certificate can be replaced while serving: new
// connections use the new one.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "agent/server/http_types.hpp"

namespace boost::asio {
class io_context;
namespace ssl {
class context;
}
}  // namespace boost::asio

namespace nexus_mde::agent {

struct ServerLimits {
  std::uint32_t max_connections = 256;
  std::uint32_t header_bytes = 8192;
  std::uint32_t body_bytes = 4096;
  std::chrono::seconds io_timeout{10};
  std::chrono::seconds idle{60};
  std::chrono::seconds handshake_timeout{3};  // a real client's ClientHello comes within a round trip
  std::uint32_t max_handshakes = 64;
  std::uint32_t max_handshakes_per_address = 16;
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& ioc, RequestHandler& handler, ServerLimits limits);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens on host:port ("0.0.0.0", "::", "127.0.0.5"); an IPv6 listener is v6-only so
  // "0.0.0.0" and "::" can share a port. Returns the error text if it cannot.
  std::optional<std::string> listen(const std::string& host, std::uint16_t port);

  void set_tls_context(std::shared_ptr<boost::asio::ssl::context> context);
  void set_limits(ServerLimits limits);  // new reads and connections use them
  void start();                          // accepts on every listener

  // Draining: stop accepting, close connections waiting for a request, and close the others once
  // their response is written. open_connections() reaches 0 when the drain is done.
  void drain();
  std::size_t open_connections() const;

  struct State;  // shared with listeners and sessions (defined in http_server.cpp)

 private:
  std::shared_ptr<State> state_;
};

}  // namespace nexus_mde::agent
