// The fan-out: one asynchronous HTTPS client per target (a node's agent, ARM, a storage host),
// all on one io_context and one thread, at most --concurrency of them connecting or asking at a
// time. Conversations that share nothing may be spread over several such engines, each on its
// own thread (FanOutOptions::threads). Every target has its own per-exchange --timeout and the
// whole run one --deadline, so a slow or dead one never delays the others and fan_out always
// returns by the deadline. Every target ends in exactly one ExchangeState.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "plugin/fanout/conversation.hpp"
#include "plugin/fanout/target.hpp"

namespace boost::asio::ssl {
class context;
}

namespace nexus_mde::plugin {

class TlsSessionCache;
class ConnectionPool;

struct ExchangeOutcome {
  ExchangeState state = ExchangeState::kTimeout;
  std::string reason;                    // empty when ok
  std::chrono::milliseconds latency{0};  // from the first connect to the end
  std::size_t requests = 0;              // answers received
  std::size_t handshakes = 0;            // TLS handshakes done (1 + reconnects)
  std::size_t resumed = 0;               // of which resumed a TLS session
  bool deadline_passed = false;          // ended by --deadline rather than by itself
};

struct FanOutOptions {
  // Nodes connecting or asking at once; 0: automatic_width(), so every node starts in the first
  // round when the descriptors allow (a WAN round trip is paid once, not once per 64 nodes).
  std::size_t concurrency = 0;
  std::chrono::milliseconds timeout{5000};    // per exchange: connect, handshake, request, answer
  std::chrono::milliseconds deadline{30000};  // the whole run
  std::string bearer_token;                   // sent as Authorization: Bearer when not empty
  // Called on the fan-out's thread: as each node ends, and every `tick` while nodes remain.
  std::function<void(std::size_t index, const ExchangeOutcome& outcome)> on_done;
  std::function<void()> on_tick;
  std::chrono::milliseconds tick{250};
  // Engines to spread the nodes over, round-robin, each on its own thread and io_context with its
  // share of the width: a TLS handshake costs the client about a millisecond of CPU, so one
  // thread bounds a large cluster. Only for conversations that share no state with each other;
  // on_done is then called under a lock from any engine's thread. A run with on_tick stays
  // on one thread (its ticks come from one loop).
  std::size_t threads = 1;
  // Memory for answers: one answer may hold at most max_answer_bytes (a status is a few KB; a
  // node with very many threats a few MB), and the answers being received at once, across all
  // nodes, at most answers_in_flight_bytes. A node past either fails alone (http-error), so a
  // hostile or broken node cannot make the CLI's memory grow with the cluster's width.
  std::uint64_t max_answer_bytes = 16ull << 20;
  std::uint64_t answers_in_flight_bytes = 128ull << 20;
  // Sessions from earlier invocations to resume, and this run's to keep (saved when it ends);
  // none: every connection makes a full handshake.
  TlsSessionCache* session_cache = nullptr;
  // Connections an earlier run left open, and this run's to leave open (--watch: the next refresh
  // asks again on them, with no new TCP or TLS handshake). A run with a pool stays on one thread.
  ConnectionPool* connection_pool = nullptr;
};

// Open connections kept between runs, one per node, on the io_context they were made on.
class ConnectionPool {
 public:
  ConnectionPool();
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;
  std::size_t size() const;

  struct State;
  State& state() { return *state_; }

 private:
  std::unique_ptr<State> state_;
};

// The engines worth running for `nodes` nodes on this machine: one per core and per 32 nodes,
// at most 4 (so a cluster of fewer than 64 nodes stays on one thread).
std::size_t fan_out_threads_for(std::size_t nodes);

// The width for `nodes` when --concurrency is not given: all of them, within the open-file limit
// (less 128 for everything else the process opens) and at most 4096.
std::size_t automatic_width(std::size_t nodes);

struct FanOutResult {
  std::vector<ExchangeOutcome> outcomes;  // in the order of the targets
  bool deadline_passed = false;
  std::chrono::milliseconds elapsed{0};
};

// Talks to every target through its conversation (conversations[i] for targets[i]); `tls` is a
// client context (net::make_client_tls_context). Each target's certificate must chain to the
// context's CA and name it: its name as a DNS SAN, or its address as an IP SAN.
FanOutResult fan_out(const std::vector<Target>& targets, const std::vector<Conversation*>& conversations,
                     boost::asio::ssl::context& tls, const FanOutOptions& options);

}  // namespace nexus_mde::plugin
