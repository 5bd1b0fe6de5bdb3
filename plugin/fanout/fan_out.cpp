// The fan-out engine: a FanOut (the aggregator: slots, the deadline, the tick, the outcomes) and
// one Session per target whose methods are the protocol's steps — resolve, connect, handshake,
// send, receive — each with the exchange's deadline set before it starts (Beast's
// http_client_async_ssl and http_crawl). An engine runs on one thread, so its aggregator needs
// no lock: its io_context is its strand. A threaded run (run_shards) is several such engines on
// disjoint targets; they share only the TLS context (OpenSSL's is thread-safe) and the lock around
// the caller's on_done.
#include "plugin/fanout/fan_out.hpp"

#include "common/net/ossl_handles.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/resource.h>

#include <algorithm>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "common/net/tls_context.hpp"
#include "common/sys/terminal_text.hpp"
#include "plugin/fanout/session_cache.hpp"

namespace nexus_mde::plugin {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using beast::error_code;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kHeaderLimit = std::size_t{16} << 10;

std::string seconds_text(std::chrono::milliseconds ms) {
  auto tenths = (ms.count() + 50) / 100;
  return std::to_string(tenths / 10) + (tenths % 10 ? "." + std::to_string(tenths % 10) : "") + " s";
}

bool is_ip_literal(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

using Stream = beast::ssl_stream<beast::tcp_stream>;

struct ConnectionPool::State {
  asio::io_context ioc{1};
  std::map<std::string, std::unique_ptr<Stream>> idle;  // by target name and address
};

ConnectionPool::ConnectionPool() : state_(std::make_unique<State>()) {}
ConnectionPool::~ConnectionPool() = default;
std::size_t ConnectionPool::size() const { return state_->idle.size(); }

namespace {

std::string pool_key(const Target& target) { return target.name + " " + target.endpoint(); }

}  // namespace

class Session;

class FanOut {
 public:
  FanOut(const std::vector<Target>& targets, const std::vector<Conversation*>& conversations,
         ssl::context& tls, const FanOutOptions& options)
      : pool_(options.connection_pool ? &options.connection_pool->state() : nullptr),
        own_ioc_(pool_ ? nullptr : std::make_unique<asio::io_context>(1)),
        ioc_(pool_ ? pool_->ioc : *own_ioc_),
        targets_(targets),
        conversations_(conversations),
        tls_(tls),
        options_(options),
        deadline_timer_(ioc_),
        tick_timer_(ioc_),
        outcomes_(targets.size()),
        ended_(targets.size(), false),
        sessions_(targets.size()) {}

  FanOutResult run();

  asio::io_context& ioc() { return ioc_; }
  ssl::context& tls() { return tls_; }
  // A connection an earlier run left open to `target`, or null; and one to leave open for the next.
  std::unique_ptr<Stream> take_open(const Target& target) {
    if (!pool_) return nullptr;
    auto it = pool_->idle.find(pool_key(target));
    if (it == pool_->idle.end()) return nullptr;
    auto stream = std::move(it->second);
    pool_->idle.erase(it);
    return stream;
  }
  bool keeps_open() const { return pool_ != nullptr; }
  void leave_open(const Target& target, std::unique_ptr<Stream> stream) {
    if (pool_) pool_->idle[pool_key(target)] = std::move(stream);
  }
  const FanOutOptions& options() const { return options_; }
  Clock::time_point deadline_at() const { return deadline_at_; }  // when the overall deadline passes
  // Bytes of answers held by exchanges under way (FanOutOptions::answers_in_flight_bytes).
  std::uint64_t& answers_in_flight() { return answers_in_flight_; }

  // A session gives its slot back when it ends or starts a long-poll; the next target starts.
  void release_slot() {
    --busy_slots_;
    start_more();
  }
  void session_ended(std::size_t index, ExchangeOutcome outcome);

 private:
  void start_more();
  void on_deadline(error_code ec);
  void schedule_tick();

  ConnectionPool::State* pool_;
  std::unique_ptr<asio::io_context> own_ioc_;
  asio::io_context& ioc_;
  const std::vector<Target>& targets_;
  const std::vector<Conversation*>& conversations_;
  ssl::context& tls_;
  const FanOutOptions& options_;
  asio::steady_timer deadline_timer_;
  asio::steady_timer tick_timer_;
  std::vector<ExchangeOutcome> outcomes_;
  std::vector<bool> ended_;
  std::vector<std::weak_ptr<Session>> sessions_;
  std::size_t next_ = 0;
  std::size_t busy_slots_ = 0;
  std::size_t ended_count_ = 0;
  bool deadline_passed_ = false;
  Clock::time_point deadline_at_;
  std::uint64_t answers_in_flight_ = 0;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(FanOut& fan_out, std::size_t index, const Target& target, Conversation& conversation)
      : fan_out_(fan_out),
        index_(index),
        target_(target),
        conversation_(conversation),
        resolver_(fan_out.ioc()),
        resolve_timer_(fan_out.ioc()),
        delay_timer_(fan_out.ioc()) {}

  void start() {
    started_ = Clock::now();
    if (auto* cache = fan_out_.options().session_cache) tls_session_ = cache->take(target_);
    request_ = conversation_.first();
    begin_exchange();
    if ((stream_ = fan_out_.take_open(target_))) {
      reused_connection_ = true;  // if the agent closed it meanwhile, a new one is made
      return send();
    }
    resolve();
  }

  // The overall deadline: stop whatever step is under way and end now.
  void abort(ExchangeFailure why) {
    if (ended_) return;
    end(std::move(why), true);
  }

 private:
  // ---- the protocol's steps ----

  void resolve() {
    if (is_ip_literal(target_.host)) {
      endpoints_ = tcp::resolver::results_type::create(
          tcp::endpoint(asio::ip::make_address(target_.host), target_.port), target_.host,
          std::to_string(target_.port));
      return connect();
    }
    resolve_timer_.expires_at(exchange_deadline_);
    resolve_timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec) self->resolver_.cancel();
    });
    resolver_.async_resolve(target_.host, std::to_string(target_.port),
                            [self = shared_from_this()](error_code ec, tcp::resolver::results_type results) {
                              self->on_resolve(ec, std::move(results));
                            });
  }

  void on_resolve(error_code ec, tcp::resolver::results_type results) {
    resolve_timer_.cancel();
    if (ended_) return;
    if (ec == asio::error::operation_aborted)
      return fail(ExchangeState::kTimeout, "cannot resolve " + target_.host + " within " + budget_text());
    if (ec) return fail(ExchangeState::kUnreachable, "cannot resolve " + target_.host + ": " + ec.message());
    endpoints_ = std::move(results);
    connect();
  }

  // A new connection after one ended: the address is known, unless the first came from a pool.
  void reconnect() {
    if (endpoints_.empty()) return resolve();
    connect();
  }

  void connect() {
    stream_ = std::make_unique<Stream>(fan_out_.ioc(), fan_out_.tls());
    SSL* native = stream_->native_handle();
    // SNI names the target (never an IP: RFC 6066); the agent does not need it, proxies might.
    if (!is_ip_literal(target_.name)) SSL_set_tlsext_host_name(native, target_.name.c_str());
    if (tls_session_) SSL_set_session(native, tls_session_.get());
    name_problem_.clear();
    identity_problem_.clear();
    stream_->set_verify_callback(
        [this](bool preverified, ssl::verify_context& ctx) { return verify_names_target(preverified, ctx); });
    beast::get_lowest_layer(*stream_).expires_at(exchange_deadline_);
    beast::get_lowest_layer(*stream_).async_connect(
        endpoints_,
        [self = shared_from_this()](error_code ec, const tcp::endpoint&) { self->on_connect(ec); });
  }

  void on_connect(error_code ec) {
    if (ended_) return;
    if (ec == beast::error::timeout)
      return fail(ExchangeState::kTimeout,
                  "no TCP connection to " + target_.endpoint() + " within " + budget_text());
    if (ec)
      return fail(ExchangeState::kUnreachable,
                  "cannot connect to " + target_.endpoint() + ": " + ec.message());
    handshake();
  }

  void handshake() {
    beast::get_lowest_layer(*stream_).expires_at(exchange_deadline_);
    stream_->async_handshake(ssl::stream_base::client,
                             [self = shared_from_this()](error_code ec) { self->on_handshake(ec); });
  }

  void on_handshake(error_code ec) {
    if (ended_) return;
    if (ec == beast::error::timeout)
      return fail(ExchangeState::kTimeout,
                  "TLS handshake with " + target_.endpoint() + " did not finish within " + budget_text());
    if (ec && ec.category() != asio::error::get_ssl_category() && ec != ssl::error::stream_truncated) {
      // Reset or closed under us: nobody there any more (an agent dying with connections queued
      // on its listener), not a TLS disagreement.
      return fail(ExchangeState::kUnreachable,
                  "connection to " + target_.endpoint() + " lost during the TLS handshake: " + ec.message());
    }
    if (ec && !identity_problem_.empty()) return fail(ExchangeState::kIdentityMismatch, identity_problem_);
    if (ec) {
      std::string why =
          !name_problem_.empty() ? name_problem_ : net::peer_verify_failure(stream_->native_handle());
      return fail(ExchangeState::kTlsError, "TLS handshake failed: " + (why.empty() ? ec.message() : why));
    }
    ++outcome_.handshakes;
    if (SSL_session_reused(stream_->native_handle())) ++outcome_.resumed;
    reused_connection_ = false;
    send();
  }

  void send() {
    req_ = {};
    req_.version(11);
    req_.method(request_.method == HttpMethod::kPost    ? http::verb::post
                : request_.method == HttpMethod::kPatch ? http::verb::patch
                                                        : http::verb::get);
    req_.target(request_.target);
    req_.set(http::field::host, target_.endpoint());
    req_.set(http::field::user_agent, "nexus-mde/" NEXUS_MDE_VERSION);
    req_.set(http::field::accept, "application/json");
    req_.keep_alive(true);
    if (!fan_out_.options().bearer_token.empty()) {
      req_.set(http::field::authorization, "Bearer " + fan_out_.options().bearer_token);
    }
    for (const auto& [name, value] : request_.headers) req_.set(name, value);
    if (request_.method != HttpMethod::kGet) {
      req_.set(http::field::content_type, "application/json");
      req_.body() = request_.body;
    }
    req_.prepare_payload();
    if (request_.long_poll.count() > 0 && holds_slot_) {
      // A long-poll mostly waits: it must not keep other targets from starting.
      holds_slot_ = false;
      fan_out_.release_slot();
      if (ended_) return;
    }
    beast::get_lowest_layer(*stream_).expires_at(exchange_deadline_);
    http::async_write(*stream_, req_,
                      [self = shared_from_this()](error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(error_code ec) {
    if (ended_) return;
    if (ec) return transport_failure(ec, "sending the request");
    receive();
  }

  void receive() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(fan_out_.options().max_answer_bytes);
    buffer_.clear();
    beast::get_lowest_layer(*stream_).expires_at(exchange_deadline_);
    read_some();
  }

  // The answer is read piece by piece so that what it holds counts against the budget of all
  // answers in flight as it grows.
  void read_some() {
    http::async_read_some(
        *stream_, buffer_, *parser_,
        [self = shared_from_this()](error_code ec, std::size_t) { self->on_read_some(ec); });
  }

  void on_read_some(error_code ec) {
    if (ended_) return;
    if (!ec && !parser_->is_done()) {
      hold_answer_bytes(parser_->get().body().size() + buffer_.size());
      if (fan_out_.answers_in_flight() > fan_out_.options().answers_in_flight_bytes) {
        return fail(ExchangeState::kHttpError,
                    "the answers being received from all nodes reached the CLI's budget of " +
                        std::to_string(fan_out_.options().answers_in_flight_bytes >> 20) +
                        " MiB; this node's had " + std::to_string(held_bytes_) + " bytes so far");
      }
      return read_some();
    }
    hold_answer_bytes(0);
    on_read(ec);
  }

  // What this exchange's answer holds now, in the fan-out's count of answers in flight.
  void hold_answer_bytes(std::uint64_t bytes) {
    fan_out_.answers_in_flight() += bytes;
    fan_out_.answers_in_flight() -= held_bytes_;
    held_bytes_ = bytes;
  }

  void on_read(error_code ec) {
    if (ended_) return;
    if (ec && parser_->is_header_done() && ec != beast::error::timeout && ec != http::error::body_limit) {
      // The answer began and then the connection ended: a cut-short answer, whatever layer noticed.
      return fail(ExchangeState::kHttpError, "the answer was cut short: the connection ended after " +
                                                 std::to_string(parser_->get().body().size()) +
                                                 " bytes of its body (" + ec.message() + ")");
    }
    if (ec) return transport_failure(ec, "reading the answer");
    ++outcome_.requests;
    // By the first answer the agent's ticket has come: worth keeping for the next invocation.
    if (auto* cache = fan_out_.options().session_cache)
      cache->keep(target_, SSL_get0_session(stream_->native_handle()));
    auto& response = parser_->get();
    bool keep_alive = response.keep_alive();
    open_after_ = keep_alive;
    Response answer{response.result_int(), std::move(response.body()), {}};
    for (const auto& field : response)
      answer.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    Next next = conversation_.next(answer);
    if (next.failure) return end(std::move(*next.failure), false);
    if (!next.request) return end(ExchangeFailure{ExchangeState::kOk, {}}, false);
    keep_tls_session();
    request_ = std::move(*next.request);
    if (request_.delay.count() > 0 && !request_.wait_reason.empty() &&
        Clock::now() + request_.delay > fan_out_.deadline_at()) {
      return fail(ExchangeState::kHttpError, request_.wait_reason + "; asked to try again in " +
                                                 seconds_text(request_.delay) +
                                                 ", later than --deadline allows: stopped now");
    }
    if (request_.delay.count() > 0) {
      // Asked to wait (Retry-After, an operation's polling interval): the connection would idle
      // meanwhile, so it is closed now and a new one (resuming the session) made afterwards.
      close_stream();
      delay_timer_.expires_after(request_.delay);
      delay_timer_.async_wait([self = shared_from_this()](error_code waited) {
        if (waited || self->ended_) return;
        self->begin_exchange();
        self->reconnect();
      });
      return;
    }
    begin_exchange();
    if (keep_alive) {
      reused_connection_ = true;
      return send();
    }
    close_stream();
    reconnect();  // resumes the TLS session saved above
  }

  // ---- helpers ----

  // TLS 1.3 tickets arrive after the handshake: the session is worth keeping only once an answer
  // came, and only when another request follows. Keep a copy: OpenSSL marks the connection's own
  // session unresumable if the connection later ends in an error (the agent closing an idle
  // keep-alive under our next request).
  void keep_tls_session() {
    const SSL_SESSION* current = SSL_get0_session(stream_->native_handle());
    if (!current || !SSL_SESSION_is_resumable(current)) return;
    if (net::SslSessionHandle copy{SSL_SESSION_dup(current)}) tls_session_ = std::move(copy);
  }

  // An I/O error after the handshake. A kept-alive connection the agent closed while idle is
  // retried once on a new one (GET only: a POST may have been acted on).
  void transport_failure(error_code ec, const char* while_doing) {
    if (ec == beast::error::timeout) {
      return fail(ExchangeState::kTimeout,
                  "no answer from " + target_.endpoint() + " within " + budget_text());
    }
    bool closed = ec == http::error::end_of_stream || ec == asio::error::eof ||
                  ec == asio::error::connection_reset || ec == ssl::error::stream_truncated;
    if (closed && reused_connection_ && request_.method == HttpMethod::kGet) {
      reused_connection_ = false;
      close_stream();
      return reconnect();
    }
    if (ec.category() == asio::error::get_ssl_category() || ec == ssl::error::stream_truncated) {
      return fail(ExchangeState::kTlsError, std::string("TLS error ") + while_doing + ": " + ec.message());
    }
    if (ec == http::error::body_limit) {
      return fail(ExchangeState::kHttpError, "the answer is larger than the CLI's limit of " +
                                                 std::to_string(fan_out_.options().max_answer_bytes >> 20) +
                                                 " MiB for one answer");
    }
    if (ec.category() == make_error_code(http::error::body_limit).category()) {
      return fail(ExchangeState::kHttpError,
                  std::string("malformed or oversized HTTP answer: ") + ec.message());
    }
    return fail(ExchangeState::kHttpError,
                std::string("connection lost ") + while_doing + ": " + ec.message());
  }

  // The chain is OpenSSL's to judge; the leaf must also name the target we dialled. A certificate
  // that matches only by IP address but names other hosts belongs to another target (an address
  // reused, an inventory out of date): identity-mismatch, not a TLS error.
  bool verify_names_target(bool preverified, ssl::verify_context& ctx) {
    X509_STORE_CTX* store = ctx.native_handle();
    if (!preverified || X509_STORE_CTX_get_error_depth(store) != 0) return preverified;
    X509* cert = X509_STORE_CTX_get_current_cert(store);
    bool by_name = X509_check_host(cert, target_.name.data(), target_.name.size(), 0, nullptr) == 1;
    bool by_ip =
        !by_name && is_ip_literal(target_.host) && X509_check_ip_asc(cert, target_.host.c_str(), 0) == 1;
    bool by_host = !by_name && !by_ip && !is_ip_literal(target_.host) &&
                   X509_check_host(cert, target_.host.data(), target_.host.size(), 0, nullptr) == 1;
    if (!by_name && !by_ip && !by_host) {
      name_problem_ =
          "the agent's certificate names neither " + target_.name + " (DNS) nor " + target_.host + " (IP)";
      X509_STORE_CTX_set_error(store, X509_V_ERR_HOSTNAME_MISMATCH);
      return false;
    }
    if (by_ip && !is_ip_literal(target_.name)) {
      if (auto others = dns_names(cert); !others.empty()) {
        identity_problem_ = "asked " + target_.name + " at " + target_.host +
                            ", but the certificate there is " + join_names(others) +
                            "'s; its data is not shown";
        X509_STORE_CTX_set_error(store, X509_V_ERR_HOSTNAME_MISMATCH);
        return false;
      }
    }
    return true;
  }

  // The DNS names in a certificate's subjectAltName.
  static std::vector<std::string> dns_names(X509* cert) {
    std::vector<std::string> out;
    net::GeneralNamesHandle names = net::subject_alt_names(cert);
    if (!names) return out;
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
      const GENERAL_NAME* n = sk_GENERAL_NAME_value(names.get(), i);
      if (n->type != GEN_DNS) continue;
      const unsigned char* data = ASN1_STRING_get0_data(n->d.dNSName);
      out.emplace_back(reinterpret_cast<const char*>(data),
                       static_cast<std::size_t>(ASN1_STRING_length(n->d.dNSName)));
    }
    return out;
  }

  static std::string join_names(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : " / ") + visible_text(n);
    return out;
  }

  void begin_exchange() {
    budget_ = fan_out_.options().timeout +
              std::chrono::duration_cast<std::chrono::milliseconds>(request_.long_poll);
    exchange_deadline_ = Clock::now() + budget_;
  }

  std::string budget_text() const { return seconds_text(budget_); }

  void close_stream() {
    if (!stream_) return;
    error_code ignored;
    beast::get_lowest_layer(*stream_).socket().close(ignored);
  }

  void fail(ExchangeState state, std::string reason) {
    end(ExchangeFailure{state, std::move(reason)}, false);
  }

  void end(ExchangeFailure how, bool by_deadline) {
    ended_ = true;
    bool how_ok = how.state == ExchangeState::kOk && !by_deadline;
    outcome_.state = how.state;
    outcome_.reason = std::move(how.reason);
    outcome_.deadline_passed = by_deadline;
    outcome_.latency = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_);
    hold_answer_bytes(0);
    resolver_.cancel();
    resolve_timer_.cancel();
    delay_timer_.cancel();
    if (stream_) beast::get_lowest_layer(*stream_).cancel();
    if (how_ok && open_after_ && stream_ && fan_out_.keeps_open()) {
      fan_out_.leave_open(target_, std::move(stream_));
    } else {
      close_stream();
    }
    bool gives_slot = holds_slot_;
    holds_slot_ = false;
    fan_out_.session_ended(index_, outcome_);
    if (gives_slot) fan_out_.release_slot();
  }

  FanOut& fan_out_;
  std::size_t index_;
  const Target& target_;
  Conversation& conversation_;
  tcp::resolver resolver_;
  asio::steady_timer resolve_timer_;
  asio::steady_timer delay_timer_;
  tcp::resolver::results_type endpoints_;
  std::unique_ptr<Stream> stream_;
  bool open_after_ = false;  // the last answer let the connection stay open
  net::SslSessionHandle tls_session_;
  std::string name_problem_;
  std::string identity_problem_;
  Request request_;
  http::request<http::string_body> req_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
  std::chrono::milliseconds budget_{0};
  Clock::time_point exchange_deadline_;
  Clock::time_point started_;
  ExchangeOutcome outcome_;
  std::uint64_t held_bytes_ = 0;  // of the answer being received, counted in the fan-out's budget
  bool holds_slot_ = true;
  bool reused_connection_ = false;
  bool ended_ = false;
};

FanOutResult FanOut::run() {
  auto begun = Clock::now();
  deadline_at_ = begun + options_.deadline;
  if (!targets_.empty()) {
    deadline_timer_.expires_at(deadline_at_);
    deadline_timer_.async_wait([this](error_code ec) { on_deadline(ec); });
    schedule_tick();
    start_more();
    ioc_.restart();  // a pool's io_context ran before
    ioc_.run();
  }
  FanOutResult result;
  result.outcomes = std::move(outcomes_);
  result.deadline_passed = deadline_passed_;
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - begun);
  return result;
}

void FanOut::start_more() {
  std::size_t width = options_.concurrency == 0 ? 1 : options_.concurrency;
  while (!deadline_passed_ && busy_slots_ < width && next_ < targets_.size()) {
    std::size_t i = next_++;
    ++busy_slots_;
    auto session = std::make_shared<Session>(*this, i, targets_[i], *conversations_[i]);
    sessions_[i] = session;
    session->start();
  }
}

void FanOut::session_ended(std::size_t index, ExchangeOutcome outcome) {
  if (ended_[index]) return;
  ended_[index] = true;
  outcomes_[index] = std::move(outcome);
  ++ended_count_;
  if (options_.on_done) options_.on_done(index, outcomes_[index]);
  if (ended_count_ == targets_.size()) {
    deadline_timer_.cancel();
    tick_timer_.cancel();
  }
}

void FanOut::on_deadline(error_code ec) {
  if (ec) return;  // cancelled: every target ended in time
  deadline_passed_ = true;
  const std::string why = "the overall deadline (" + seconds_text(options_.deadline) + ") passed";
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    if (ended_[i]) continue;
    if (auto session = sessions_[i].lock()) {
      session->abort(ExchangeFailure{ExchangeState::kTimeout, why});
    } else {
      ExchangeOutcome never;
      never.state = ExchangeState::kTimeout;
      never.reason = why + " before this node's turn";
      never.deadline_passed = true;
      session_ended(i, std::move(never));
    }
  }
}

void FanOut::schedule_tick() {
  if (!options_.on_tick) return;
  tick_timer_.expires_after(options_.tick);
  tick_timer_.async_wait([this](error_code ec) {
    if (ec || ended_count_ == targets_.size()) return;
    options_.on_tick();
    schedule_tick();
  });
}

namespace {

// One engine's share of a threaded run: every k-th target, its conversations, the width it may use.
struct Shard {
  std::vector<Target> targets;
  std::vector<Conversation*> conversations;
  std::vector<std::size_t> index;  // the run's position of each of its targets
  FanOutOptions options;
  FanOutResult result;
  std::exception_ptr failure;
};

FanOutResult run_shards(const std::vector<Target>& targets, const std::vector<Conversation*>& conversations,
                        ssl::context& tls, const FanOutOptions& options, std::size_t count) {
  auto begun = Clock::now();
  std::mutex report;
  std::vector<Shard> shards(count);
  for (std::size_t k = 0; k < count; ++k) {
    Shard& shard = shards[k];
    for (std::size_t i = k; i < targets.size(); i += count) {
      shard.targets.push_back(targets[i]);
      shard.conversations.push_back(conversations[i]);
      shard.index.push_back(i);
    }
    shard.options = options;
    shard.options.threads = 1;
    shard.options.concurrency = options.concurrency / count + (k < options.concurrency % count ? 1 : 0);
    shard.options.answers_in_flight_bytes = options.answers_in_flight_bytes / count;
    if (options.on_done) {
      shard.options.on_done = [&options, &report, &shard](std::size_t local, const ExchangeOutcome& outcome) {
        std::lock_guard lock(report);
        options.on_done(shard.index[local], outcome);
      };
    }
  }
  auto run = [&](Shard& shard) {
    try {
      FanOut engine(shard.targets, shard.conversations, tls, shard.options);
      shard.result = engine.run();
    } catch (...) {
      shard.failure = std::current_exception();
    }
  };
  {
    std::vector<std::jthread> threads;
    for (std::size_t k = 1; k < count; ++k) threads.emplace_back(run, std::ref(shards[k]));
    run(shards[0]);
  }  // joined
  FanOutResult result;
  result.outcomes.resize(targets.size());
  for (auto& shard : shards) {
    if (shard.failure) std::rethrow_exception(shard.failure);
    for (std::size_t j = 0; j < shard.index.size(); ++j)
      result.outcomes[shard.index[j]] = std::move(shard.result.outcomes[j]);
    result.deadline_passed = result.deadline_passed || shard.result.deadline_passed;
  }
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - begun);
  return result;
}

}  // namespace

std::size_t fan_out_threads_for(std::size_t nodes) {
  std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
  return std::clamp<std::size_t>(std::min(cores, nodes / 32), 1, 4);
}

std::size_t automatic_width(std::size_t nodes) {
  constexpr std::size_t kReserved = 128;  // the process's other files, the ARM connection, stdio
  constexpr std::size_t kMaxWidth = 4096;
  rlimit files{};
  std::size_t budget = kMaxWidth;
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY) {
    budget = files.rlim_cur > kReserved * 2 ? files.rlim_cur - kReserved : files.rlim_cur / 2;
  }
  return std::clamp<std::size_t>(std::min({nodes, budget, kMaxWidth}), 1, kMaxWidth);
}

FanOutResult fan_out(const std::vector<Target>& targets, const std::vector<Conversation*>& conversations,
                     ssl::context& tls, const FanOutOptions& given) {
  FanOutOptions options = given;
  if (options.concurrency == 0) options.concurrency = automatic_width(targets.size());
  std::size_t engines = options.on_tick || options.connection_pool
                            ? 1
                            : std::min({options.threads, options.concurrency, targets.size()});
  FanOutResult result;
  if (engines > 1) {
    result = run_shards(targets, conversations, tls, options, engines);
  } else {
    FanOut engine(targets, conversations, tls, options);
    result = engine.run();
  }
  // A cache that cannot be written (a read-only home) costs the next run its resumptions, no more.
  if (options.session_cache) (void)options.session_cache->save();
  return result;
}

}  // namespace nexus_mde::plugin
