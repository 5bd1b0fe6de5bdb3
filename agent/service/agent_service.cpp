#include "agent/service/agent_service.hpp"

#include <csignal>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "agent/api/router.hpp"
#include "agent/detection/detection_tester.hpp"
#include "agent/server/http_server.hpp"
#include "agent/service/systemd_notify.hpp"
#include "common/sys/time.hpp"

namespace nexus_mde::agent {

namespace asio = boost::asio;

namespace {

ServerLimits limits_of(const AgentConfig& c) {
  ServerLimits l;
  l.max_connections = c.max_connections;
  l.header_bytes = c.header_bytes;
  l.body_bytes = c.body_bytes;
  l.io_timeout = std::chrono::seconds(c.io_timeout_seconds);
  l.idle = std::chrono::seconds(c.idle_seconds);
  l.handshake_timeout = std::chrono::seconds(c.handshake_timeout_seconds);
  l.max_handshakes = c.max_handshakes;
  l.max_handshakes_per_address = c.max_handshakes_per_address;
  return l;
}

SnapshotCacheSettings cache_settings_of(const AgentConfig& c) {
  SnapshotCacheSettings s;
  s.max_age = std::chrono::seconds(c.max_age_seconds);
  s.refresh_interval = std::chrono::seconds(c.refresh_seconds);
  // A request waits for a collection at most half its own I/O budget, then gets what there is.
  s.wait_for_refresh = std::chrono::milliseconds(std::min<std::uint32_t>(5000, c.io_timeout_seconds * 500));
  return s;
}

std::string listen_text(const ListenAddress& a) {
  std::string host = a.host.find(':') != std::string::npos ? "[" + a.host + "]" : a.host;
  return host + ":" + std::to_string(a.port);
}

// The settings a reload cannot change while the listener and the workers run: `next` gets the
// running values back, and the keys that differed are returned (they apply at the next restart).
std::vector<std::string> keep_restart_only_settings(AgentConfig& next, const AgentConfig& running) {
  std::vector<std::string> changed;
  auto keep = [&](const char* key, auto& next_value, const auto& running_value, bool differs) {
    if (differs) changed.emplace_back(key);
    next_value = running_value;
  };
  auto listen_of = [](const AgentConfig& c) {
    std::vector<std::string> v;
    for (const auto& a : c.listen) v.push_back(listen_text(a));
    return v;
  };
  keep("listen", next.listen, running.listen, listen_of(next) != listen_of(running));
  keep("node", next.node, running.node, next.node != running.node);
  keep("mdatp.path", next.mdatp_path, running.mdatp_path, next.mdatp_path != running.mdatp_path);
  keep("mdatp.timeoutSeconds", next.mdatp_timeout, running.mdatp_timeout,
       next.mdatp_timeout != running.mdatp_timeout);
  keep("mdatp.scanTimeoutSeconds", next.scan_timeout_seconds, running.scan_timeout_seconds,
       next.scan_timeout_seconds != running.scan_timeout_seconds);
  keep("stateDir", next.state_dir, running.state_dir, next.state_dir != running.state_dir);
  keep("detectionTest.directory", next.detection_directory, running.detection_directory,
       next.detection_directory != running.detection_directory);
  keep("detectionTest.timeoutSeconds", next.detection_timeout_seconds, running.detection_timeout_seconds,
       next.detection_timeout_seconds != running.detection_timeout_seconds);
  return changed;
}

// What the metrics say of a snapshot (agent/metrics/metrics.hpp): unknown stays unknown.
SnapshotGauges snapshot_gauges(const NodeSnapshot& s) {
  SnapshotGauges g;
  if (s.collected_at_ms) g.collected_at_ms = s.collected_at_ms;
  if (s.health) {
    g.healthy = s.health->healthy;
    g.real_time_protection = s.health->real_time_protection_enabled;
    g.definitions_updated_ms = s.health->definitions_updated_ms;
  }
  if (s.enforcement.level) g.enforcement_level = std::string(to_string(*s.enforcement.level));
  g.threats = s.threats.size();
  g.quarantined = s.quarantine.size();
  for (const ScanRecord& scan : s.scans) {
    if (!scan.end_ms || (g.last_scan_end_ms && *scan.end_ms <= *g.last_scan_end_ms)) continue;
    g.last_scan_end_ms = scan.end_ms;
    g.last_scan_succeeded.reset();
    if (scan.state == "succeeded")
      g.last_scan_succeeded = true;
    else if (scan.state == "failed" || scan.state == "interrupted" || scan.state == "cancelled")
      g.last_scan_succeeded = false;
  }
  g.stale = s.stale;
  return g;
}

class AgentService {
 public:
  AgentService(const ServiceOptions& options, LoadedConfig initial)
      : options_(options),
        config_(std::move(*initial.config)),
        log_(options.log_target, config_.node),
        signals_(ioc_, SIGTERM, SIGINT, SIGHUP),
        watchdog_(ioc_),
        drain_timer_(ioc_),
        cache_(
            ioc_, make_collect(config_), cache_settings_of(config_),
            [this](const CachedSnapshot& c, const std::vector<MdatpCall>& calls) { on_refresh(c, calls); }),
        scans_(ioc_,
               {config_.mdatp_path, std::chrono::seconds(config_.scan_timeout_seconds), config_.state_dir},
               log_, [this](const ScanTrigger& t, const MdatpCall& call) { on_scan_finished(t, call); }),
        detection_(ioc_, {config_.mdatp_path, config_.detection_directory_or_default(),
                          std::chrono::seconds(config_.detection_timeout_seconds), config_.mdatp_timeout}),
        router_(cache_, scans_, detection_, metrics_, log_, Authenticator(config_.clients, config_.tokens),
                [this] { return server_.open_connections(); }),
        server_(ioc_, router_, limits_of(config_)) {
    server_.set_tls_context(std::move(initial.tls));
  }

  int run() {
    auto notes = scans_.load();
    if (!notes) {
      log_.write(Priority::kError, message_id::kStarted,
                 "cannot read the scan history: " + notes.error().describe());
      return 1;
    }
    for (const auto& n : *notes) log_.write(Priority::kWarning, message_id::kScanFinished, n);

    std::size_t listening = 0;
    for (const auto& a : config_.listen) {
      if (auto error = server_.listen(a.host, a.port)) {
        log_.write(Priority::kError, message_id::kStarted,
                   "cannot listen on " + listen_text(a) + ": " + *error, {{"LISTEN", listen_text(a)}});
      } else {
        ++listening;
      }
    }
    if (listening == 0) {
      log_.write(Priority::kError, message_id::kStarted, "no address to listen on; stopping");
      return 1;
    }
    server_.start();
    cache_.start();
    wait_for_signal();
    start_watchdog();
    std::string status =
        "serving on " + std::to_string(listening) + " address" + (listening == 1 ? "" : "es");
    log_.write(Priority::kInfo, message_id::kStarted, "nexus-mde-agent started: " + status);
    systemd::ready(status);
    ioc_.run();
    log_.write(Priority::kInfo, message_id::kStopping, "nexus-mde-agent stopped");
    return 0;
  }

 private:
  static SnapshotCache::Collect make_collect(const AgentConfig& c) {
    CollectorOptions o;
    o.node = c.node;
    o.mdatp_path = c.mdatp_path;
    o.timeout = c.mdatp_timeout;
    return [o](const MdatpCallObserver& observer, const std::atomic<bool>* cancel) {
      CollectorOptions run = o;
      run.on_call = observer;
      run.cancel = cancel;
      return collect_snapshot(run);
    };
  }

  void on_refresh(const CachedSnapshot& c, const std::vector<MdatpCall>& calls) {
    for (const auto& call : calls) metrics_.count_mdatp_call(call.command, call.outcome, call.duration);
    metrics_.set_snapshot(snapshot_gauges(c.snapshot));
    // Log a change of mdatp's answer, not every failed refresh (that would flood the journal).
    std::string errors;
    for (const auto& e : c.snapshot.errors)
      errors += (errors.empty() ? "" : "; ") + e.source + ": " + e.message;
    if (errors != last_errors_) {
      if (!errors.empty()) {
        log_.write(Priority::kWarning, message_id::kMdatpFailure, "mdatp: " + errors);
      } else if (!last_errors_.empty()) {
        log_.write(Priority::kInfo, message_id::kMdatpFailure, "mdatp answers again");
      }
      last_errors_ = errors;
    }
  }

  void on_scan_finished(const ScanTrigger& t, const MdatpCall& call) {
    metrics_.count_mdatp_call(call.command, call.outcome, call.duration);
    metrics_.set_scan_running(false);
    cache_.invalidate();  // mdatp's scan list and threats changed
    std::string message = "scan " + t.id + " (" + t.type + ") " + t.state;
    if (!t.error.empty()) message += ": " + t.error;
    log_.write(t.state == "succeeded" ? Priority::kNotice : Priority::kWarning, message_id::kScanFinished,
               message,
               {{"SCAN_ID", t.id},
                {"SCAN_TYPE", t.type},
                {"IDENTITY", t.requested_by},
                {"DURATION_MS", std::to_string(call.duration.count())}});
  }

  void wait_for_signal() {
    signals_.async_wait([this](boost::system::error_code ec, int signal) {
      if (ec) return;
      if (signal == SIGHUP) {
        reload();
        return wait_for_signal();
      }
      drain(signal);
    });
  }

  void reload() {
    systemd::reloading();
    LoadedConfig next = load_config(options_.config_path, options_.overrides, options_.fallback_node);
    if (!next.config) {
      std::string list;
      for (const auto& p : next.problems) list += (list.empty() ? "" : "; ") + p.key + ": " + p.message;
      log_.write(Priority::kError, message_id::kConfigReload,
                 "configuration reload refused, the running configuration is kept: " + list,
                 {{"CONFIG", options_.config_path}});
      systemd::ready("serving (reload refused: see the journal)");
      return;
    }
    AgentConfig applied = std::move(*next.config);
    for (const auto& key : keep_restart_only_settings(applied, config_)) {
      log_.write(Priority::kWarning, message_id::kConfigReload,
                 key + " changed: it takes effect at the next restart", {{"CONFIG", options_.config_path}});
    }
    server_.set_tls_context(std::move(next.tls));
    server_.set_limits(limits_of(applied));
    router_.set_authenticator(Authenticator(applied.clients, applied.tokens));
    cache_.set_settings(cache_settings_of(applied));
    config_ = std::move(applied);
    log_.write(Priority::kNotice, message_id::kConfigReload, "configuration and certificates reloaded",
               {{"CONFIG", options_.config_path}});
    systemd::ready("serving (configuration reloaded)");
  }

  void drain(int signal) {
    systemd::stopping("draining in-flight requests");
    log_.write(Priority::kInfo, message_id::kStopping,
               std::string("received ") + (signal == SIGTERM ? "SIGTERM" : "SIGINT") +
                   ": draining in-flight requests");
    watchdog_.cancel();
    signals_.cancel();
    server_.drain();
    scans_.release_waiters();
    cache_.stop();
    drain_deadline_ = std::chrono::steady_clock::now() + std::chrono::seconds(config_.io_timeout_seconds);
    check_drained();
  }

  void check_drained() {
    if (server_.open_connections() == 0 || std::chrono::steady_clock::now() >= drain_deadline_) {
      ioc_.stop();
      return;
    }
    drain_timer_.expires_after(std::chrono::milliseconds(20));
    drain_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) check_drained();
    });
  }

  void start_watchdog() {
    auto interval = systemd::watchdog_ping_interval();
    if (!interval) return;
    watchdog_interval_ = *interval;
    ping_watchdog();
  }

  // Pinged from the event loop itself: if the loop stops turning, systemd stops hearing from us.
  void ping_watchdog() {
    systemd::watchdog_ping();
    watchdog_.expires_after(watchdog_interval_);
    watchdog_.async_wait([this](boost::system::error_code ec) {
      if (!ec) ping_watchdog();
    });
  }

  ServiceOptions options_;
  AgentConfig config_;
  EventLog log_;
  asio::io_context ioc_{1};
  asio::signal_set signals_;
  asio::steady_timer watchdog_;
  asio::steady_timer drain_timer_;
  std::chrono::microseconds watchdog_interval_{0};
  std::chrono::steady_clock::time_point drain_deadline_{};
  std::string last_errors_;
  Metrics metrics_;
  SnapshotCache cache_;
  ScanManager scans_;
  DetectionTester detection_;
  Router router_;
  HttpServer server_;
};

}  // namespace

int run_agent_service(const ServiceOptions& options, LoadedConfig initial) {
  if (!initial.config) return 3;
  AgentService service(options, std::move(initial));
  return service.run();
}

}  // namespace nexus_mde::agent
