#include "agent/server/http_server.hpp"

#include <openssl/ssl.h>

#include <list>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "common/net/tls_context.hpp"

namespace nexus_mde::agent {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using beast::error_code;

class Session;
class Listener;

// What listeners and sessions share with the server; they keep it alive by shared_ptr.
struct HttpServer::State {
  asio::io_context& ioc;
  RequestHandler& handler;
  ServerLimits limits;
  std::shared_ptr<asio::ssl::context> tls;
  std::vector<std::shared_ptr<Listener>> listeners;
  std::unordered_set<Session*> sessions;
  // Connections that have not finished TLS, oldest first, and how many each address has.
  std::list<Session*> handshaking;
  std::unordered_map<std::string, std::uint32_t> handshaking_from;
  std::size_t evicted = 0;  // closed, still in `sessions` until their handshake handler runs
  bool draining = false;

  State(asio::io_context& i, RequestHandler& h, ServerLimits l) : ioc(i), handler(h), limits(l) {}
};

namespace {

std::string address_text(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string();
  return a.to_string();
}

std::string endpoint_text(const tcp::endpoint& e) {
  std::string host = address_text(e.address());
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return host + ":" + std::to_string(e.port());
}

}  // namespace

// One connection: handshake, then requests read, handled and answered until the client closes,
// a deadline passes, or the server drains.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, std::shared_ptr<asio::ssl::context> tls,
          std::shared_ptr<HttpServer::State> server)
      : server_(std::move(server)), tls_(std::move(tls)), stream_(std::move(socket), *tls_) {
    error_code ec;
    auto remote = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) {
      peer_address_ = address_text(remote.address());
      peer_ = endpoint_text(remote);
    }
    server_->sessions.insert(this);
    enter_handshake();
  }
  ~Session() {
    leave_handshake();
    if (evicted_) --server_->evicted;
    server_->sessions.erase(this);
  }

  void run() {
    beast::get_lowest_layer(stream_).expires_after(server_->limits.handshake_timeout);
    stream_.async_handshake(asio::ssl::stream_base::server,
                            beast::bind_front_handler(&Session::on_handshake, shared_from_this()));
  }

  // Closed to make room for a newer connection: its handshake ends with an error, unreported.
  void evict() {
    leave_handshake();
    evicted_ = true;
    ++server_->evicted;
    server_->handler.on_handshake_evicted(peer_);
    close_now();
  }

  // The server is draining: close now if waiting for a request, else after the response.
  void drain() {
    if (waiting_for_request_) close_now();
  }

 private:
  void on_handshake(error_code ec) {
    leave_handshake();
    if (evicted_) return;
    if (ec) {
      std::string reason = net::peer_verify_failure(stream_.native_handle());
      server_->handler.on_handshake_failure(peer_address_, peer_, reason.empty() ? ec.message() : reason);
      return;
    }
    identities_ = net::peer_certificate_identities(stream_.native_handle());
    wait_for_request(server_->limits.io_timeout);
  }

  // Waits, up to `patience`, for the first bytes of the next request, so an idle keep-alive
  // connection gets the idle timeout and a request being sent gets the (shorter) I/O timeout.
  // The bytes are read through TLS (not a socket readiness wait): the handshake may already have
  // buffered the start of the request inside the TLS layer.
  void wait_for_request(std::chrono::seconds patience) {
    if (server_->draining) return close_now();
    if (buffer_.size() > 0) return read_request();
    waiting_for_request_ = true;
    beast::get_lowest_layer(stream_).expires_after(patience);
    stream_.async_read_some(buffer_.prepare(4096),
                            beast::bind_front_handler(&Session::on_first_bytes, shared_from_this()));
  }

  void on_first_bytes(error_code ec, std::size_t n) {
    waiting_for_request_ = false;
    if (ec || server_->draining) return close_now();  // idle too long, closed by the client, or draining
    buffer_.commit(n);
    read_request();
  }

  void read_request() {
    parser_.emplace();
    parser_->header_limit(server_->limits.header_bytes);
    parser_->body_limit(server_->limits.body_bytes);
    beast::get_lowest_layer(stream_).expires_after(server_->limits.io_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::ssl::error::stream_truncated) {
      return close_now();
    }
    if (ec == beast::error::timeout) {
      server_->handler.on_rejected_request(peer_, 408, "request not received within the I/O timeout");
      return close_now();
    }
    if (ec == http::error::header_limit) {
      return reject(
          431, "request_header_fields_too_large",
          "the request's header is larger than " + std::to_string(server_->limits.header_bytes) + " bytes");
    }
    if (ec == http::error::body_limit) {
      return reject(
          413, "payload_too_large",
          "the request's body is larger than " + std::to_string(server_->limits.body_bytes) + " bytes");
    }
    if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
      return reject(400, "bad_request", "malformed HTTP request: " + ec.message());
    }
    if (ec) return close_now();

    const auto& req = parser_->get();
    // RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host header; no request has two.
    auto hosts = req.count(http::field::host);
    if (hosts > 1 || (hosts == 0 && req.version() >= 11)) {
      return reject(400, "bad_request",
                    "an HTTP/1.1 request needs exactly one Host header (RFC 9112 section 3.2)");
    }
    // HEAD is GET without the body (RFC 9110 §9.3.2): routed as GET, answered with its headers.
    head_ = req.method() == http::verb::head;
    HttpRequest request;
    request.method = head_ ? "GET" : std::string(req.method_string());
    request.target = std::string(req.target());
    request.authorization = std::string(req[http::field::authorization]);
    request.if_match = std::string(req[http::field::if_match]);
    request.body = req.body();
    request.peer_address = peer_address_;
    request.peer = peer_;
    request.certificate_identities = identities_;
    request.received = std::chrono::steady_clock::now();
    keep_alive_ = req.keep_alive();
    auto answered = std::make_shared<bool>(false);
    server_->handler.handle(std::move(request), [self = shared_from_this(), answered](HttpResponse response) {
      if (std::exchange(*answered, true)) return;  // a second answer would corrupt the stream
      self->send(std::move(response));
    });
  }

  void reject(unsigned status, std::string_view code, const std::string& message) {
    server_->handler.on_rejected_request(peer_, status, message);
    keep_alive_ = false;
    send(json_error(status, code, message));
  }

  void send(HttpResponse response) {
    response_ = {};
    response_.version(11);
    response_.result(response.status);
    response_.set(http::field::server, "nexus-mde-agent");
    response_.set(http::field::content_type, response.content_type);
    response_.set(http::field::cache_control, "no-store");
    for (auto& [name, value] : response.headers) response_.set(name, value);
    response_.body() = std::move(response.body);
    response_.keep_alive(keep_alive_ && !server_->draining);
    response_.prepare_payload();
    if (std::exchange(head_, false)) {
      auto length = response_.body().size();
      response_.body().clear();
      response_.content_length(length);  // the length GET would have sent
    }
    beast::get_lowest_layer(stream_).expires_after(server_->limits.io_timeout);
    http::async_write(stream_, response_, beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }

  void on_write(error_code ec, std::size_t) {
    if (ec) return close_now();
    if (!response_.keep_alive()) return close_gracefully();
    wait_for_request(server_->limits.idle);
  }

  // TLS close_notify, bounded by the I/O timeout; the socket closes when the session goes away.
  void close_gracefully() {
    beast::get_lowest_layer(stream_).expires_after(server_->limits.io_timeout);
    stream_.async_shutdown([self = shared_from_this()](error_code) {});
  }

  void close_now() {
    waiting_for_request_ = false;
    beast::get_lowest_layer(stream_).close();
  }

  void enter_handshake() {
    handshake_slot_ = server_->handshaking.insert(server_->handshaking.end(), this);
    ++server_->handshaking_from[peer_address_];
  }

  void leave_handshake() {
    if (!handshake_slot_) return;
    server_->handshaking.erase(*handshake_slot_);
    handshake_slot_.reset();
    auto from = server_->handshaking_from.find(peer_address_);
    if (--from->second == 0) server_->handshaking_from.erase(from);
  }

  std::shared_ptr<HttpServer::State> server_;
  std::shared_ptr<asio::ssl::context> tls_;  // the certificate this connection was accepted with
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  std::string peer_address_ = "?";
  std::string peer_ = "?";
  std::vector<std::string> identities_;
  bool keep_alive_ = true;
  bool waiting_for_request_ = false;
  bool evicted_ = false;
  bool head_ = false;  // the request being answered is a HEAD
  std::optional<std::list<Session*>::iterator> handshake_slot_;
};

// Accepts connections on one address and starts a session for each, within max connections.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  explicit Listener(std::shared_ptr<HttpServer::State> server)
      : server_(std::move(server)), acceptor_(server_->ioc), retry_timer_(server_->ioc) {}

  std::optional<std::string> open(const tcp::endpoint& endpoint) {
    error_code ec;
    auto fail = [&](const char* step) {
      return std::optional<std::string>(std::string(step) + ": " + ec.message());
    };
    acceptor_.open(endpoint.protocol(), ec);
    if (ec) return fail("open");
    acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (endpoint.address().is_v6()) acceptor_.set_option(asio::ip::v6_only(true), ec);
    acceptor_.bind(endpoint, ec);
    if (ec) return fail("bind");
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail("listen");
    return std::nullopt;
  }

  void accept() {
    acceptor_.async_accept(server_->ioc, beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }

  void close() {
    error_code ec;
    acceptor_.close(ec);
    retry_timer_.cancel();
  }

 private:
  void on_accept(error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      // Out of descriptors or similar: try again shortly rather than spin.
      retry_timer_.expires_after(std::chrono::milliseconds(100));
      retry_timer_.async_wait([self = shared_from_this()](error_code e) {
        if (!e) self->accept();
      });
      return;
    }
    if (auto refused = admit(socket)) {
      error_code ignored;
      auto remote = socket.remote_endpoint(ignored);
      server_->handler.on_connection_refused(ignored ? std::string("?") : endpoint_text(remote), refused);
      socket.close(ignored);
    } else {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(std::move(socket), server_->tls, server_)->run();
    }
    accept();
  }

  // Makes room for a new connection within the budgets (ServerLimits), closing the oldest one
  // still in its handshake if need be; or says why it is refused.
  const char* admit(const tcp::socket& socket) {
    const ServerLimits& limits = server_->limits;
    error_code ec;
    auto remote = socket.remote_endpoint(ec);
    auto from = server_->handshaking_from.find(ec ? std::string("?") : address_text(remote.address()));
    if (from != server_->handshaking_from.end() && from->second >= limits.max_handshakes_per_address) {
      return "too many connections from this address still in the TLS handshake";
    }
    bool full = server_->sessions.size() - server_->evicted >= limits.max_connections;
    if (full || server_->handshaking.size() >= limits.max_handshakes) {
      if (server_->handshaking.empty()) return "max connections open";
      server_->handshaking.front()->evict();
    }
    return nullptr;
  }

  std::shared_ptr<HttpServer::State> server_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;
};

HttpServer::HttpServer(asio::io_context& ioc, RequestHandler& handler, ServerLimits limits)
    : state_(std::make_shared<State>(ioc, handler, limits)) {}

HttpServer::~HttpServer() {
  // Listeners hold the state and the state holds them: break the cycle.
  for (auto& l : state_->listeners) l->close();
  state_->listeners.clear();
}

std::optional<std::string> HttpServer::listen(const std::string& host, std::uint16_t port) {
  error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return "not an IP address: " + host;
  auto listener = std::make_shared<Listener>(state_);
  if (auto error = listener->open({address, port})) return error;
  state_->listeners.push_back(std::move(listener));
  return std::nullopt;
}

void HttpServer::set_tls_context(std::shared_ptr<asio::ssl::context> context) {
  state_->tls = std::move(context);
}
void HttpServer::set_limits(ServerLimits limits) { state_->limits = limits; }

void HttpServer::start() {
  for (auto& l : state_->listeners) l->accept();
}

void HttpServer::drain() {
  state_->draining = true;
  for (auto& l : state_->listeners) l->close();
  // drain() may close a session, which erases it from the set: iterate over a copy.
  std::vector<Session*> sessions(state_->sessions.begin(), state_->sessions.end());
  for (Session* s : sessions) s->drain();
}

std::size_t HttpServer::open_connections() const { return state_->sessions.size(); }

}  // namespace nexus_mde::agent
