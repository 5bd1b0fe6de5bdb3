// The node's MDE snapshot, collected by mdatp off the event loop and served from memory.
// Single-flight: however many requests arrive, at most one collection runs. A request that finds
// the snapshot older than max age starts one (or joins the one running) and waits for it up to
// `wait_for_refresh`; past that it gets what there is. A collection that fails keeps the last good
// snapshot, marked stale and carrying the new errors; a source that fails alone (scans, threats,
// quarantine) keeps its previous data the same way. The served JSON is rendered once per change.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "agent/mdatp/collector.hpp"
#include "agent/worker/blocking_worker.hpp"
#include "common/model/model.hpp"

namespace nexus_mde::agent {

struct CachedSnapshot {
  NodeSnapshot snapshot;
  std::string status_json;   // GET /v1/status: the whole NodeSnapshot
  std::string scans_json;    // GET /v1/scans: {node, collectedAt, stale, errors, scans}
  std::string threats_json;  // GET /v1/threats: {node, collectedAt, stale, errors, threats, quarantine}
};

// Merges a fresh collection with the previous snapshot as described above.
NodeSnapshot merge_with_previous(NodeSnapshot fresh, const NodeSnapshot* previous);

struct SnapshotCacheSettings {
  std::chrono::seconds max_age{10};
  std::chrono::seconds refresh_interval{60};
  std::chrono::milliseconds wait_for_refresh{5000};
};

class SnapshotCache {
 public:
  // Runs on the worker thread; reports each mdatp run to the observer, and stops its mdatp runs
  // when `cancel` turns true (the cache is being destroyed).
  using Collect =
      std::function<NodeSnapshot(const MdatpCallObserver& observer, const std::atomic<bool>* cancel)>;
  using Ready = std::function<void(std::shared_ptr<const CachedSnapshot>)>;  // null: none collected yet
  using OnRefresh = std::function<void(const CachedSnapshot&, const std::vector<MdatpCall>&)>;

  SnapshotCache(boost::asio::io_context& ioc, Collect collect, SnapshotCacheSettings settings,
                OnRefresh on_refresh);
  ~SnapshotCache();

  void start();  // collects now, then every refresh interval
  void stop();   // no more collections; waiting requests get what there is
  void set_settings(SnapshotCacheSettings settings) { settings_ = settings; }

  void get(Ready ready);
  void invalidate();  // the next get() collects (a scan ended, the data changed)

 private:
  void refresh();
  void on_collected(NodeSnapshot fresh, std::vector<MdatpCall> calls);
  void flush_waiters();
  void schedule_periodic();

  boost::asio::io_context& ioc_;
  Collect collect_;
  SnapshotCacheSettings settings_;
  OnRefresh on_refresh_;
  std::shared_ptr<const CachedSnapshot> current_;
  std::shared_ptr<const CachedSnapshot> last_good_;
  bool refreshing_ = false;
  bool overdue_ = false;  // the running collection has taken longer than wait_for_refresh
  bool stopped_ = false;
  bool invalidated_ = false;
  std::int64_t last_attempt_ms_ = 0;  // when the last collection ended, good or not
  std::vector<Ready> waiters_;
  boost::asio::steady_timer periodic_;
  boost::asio::steady_timer patience_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // guards posts back from the worker
  std::unique_ptr<BlockingWorker> worker_;                      // last: joined first on destruction
};

}  // namespace nexus_mde::agent
