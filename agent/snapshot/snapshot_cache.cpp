#include "agent/snapshot/snapshot_cache.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include "common/model/model_json.hpp"
#include "common/sys/time.hpp"

namespace nexus_mde::agent {

namespace json = boost::json;

namespace {

bool source_failed(const NodeSnapshot& s, std::string_view source) {
  return std::any_of(s.errors.begin(), s.errors.end(),
                     [&](const SnapshotError& e) { return e.source == source; });
}

json::object section_header(const NodeSnapshot& s) {
  json::object o;
  o["node"] = s.node;
  o["collectedAt"] = s.collected_at_ms ? optional_time(s.collected_at_ms) : json::value(nullptr);
  o["stale"] = s.stale;
  o["errors"] = json::value_from(s.errors);
  o["warnings"] = json::value_from(s.warnings);
  return o;
}

std::shared_ptr<const CachedSnapshot> render(NodeSnapshot snapshot) {
  auto c = std::make_shared<CachedSnapshot>();
  c->status_json = json::serialize(json::value_from(snapshot));
  json::object scans = section_header(snapshot);
  scans["scans"] = json::value_from(snapshot.scans);
  c->scans_json = json::serialize(scans);
  json::object threats = section_header(snapshot);
  threats["threats"] = json::value_from(snapshot.threats);
  threats["quarantine"] = json::value_from(snapshot.quarantine);
  c->threats_json = json::serialize(threats);
  c->snapshot = std::move(snapshot);
  return c;
}

}  // namespace

NodeSnapshot merge_with_previous(NodeSnapshot fresh, const NodeSnapshot* previous) {
  if (!previous) return fresh;
  if (collection_failed(fresh)) {
    // Nothing new is known: the old data, said to be old, with today's reasons.
    NodeSnapshot kept = *previous;
    kept.errors = std::move(fresh.errors);
    kept.stale = true;
    return kept;
  }
  if (source_failed(fresh, "scans")) {
    fresh.scans = previous->scans;
    fresh.stale = true;
  }
  if (source_failed(fresh, "threats")) {
    fresh.threats = previous->threats;
    fresh.stale = true;
  }
  if (source_failed(fresh, "quarantine")) {
    fresh.quarantine = previous->quarantine;
    fresh.stale = true;
  }
  return fresh;
}

SnapshotCache::SnapshotCache(boost::asio::io_context& ioc, Collect collect, SnapshotCacheSettings settings,
                             OnRefresh on_refresh)
    : ioc_(ioc),
      collect_(std::move(collect)),
      settings_(settings),
      on_refresh_(std::move(on_refresh)),
      periodic_(ioc),
      patience_(ioc),
      worker_(std::make_unique<BlockingWorker>()) {}

SnapshotCache::~SnapshotCache() = default;

void SnapshotCache::start() {
  refresh();
  schedule_periodic();
}

void SnapshotCache::stop() {
  stopped_ = true;
  periodic_.cancel();
  patience_.cancel();
  flush_waiters();
}

void SnapshotCache::schedule_periodic() {
  periodic_.expires_after(settings_.refresh_interval);
  periodic_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](boost::system::error_code ec) {
    if (ec || alive.expired() || stopped_) return;
    refresh();
    schedule_periodic();
  });
}

void SnapshotCache::get(Ready ready) {
  // Age counts from the last attempt, not the last success: a failing mdatp is retried once per
  // max age, not once per request.
  bool fresh = current_ && !invalidated_ &&
               now_epoch_ms() - last_attempt_ms_ <= std::chrono::milliseconds(settings_.max_age).count();
  if (fresh) return ready(current_);
  if (stopped_ || (refreshing_ && overdue_)) return ready(current_);
  waiters_.push_back(std::move(ready));
  refresh();
}

void SnapshotCache::invalidate() { invalidated_ = true; }

void SnapshotCache::refresh() {
  if (refreshing_ || stopped_) return;
  refreshing_ = true;
  overdue_ = false;
  invalidated_ = false;
  patience_.expires_after(settings_.wait_for_refresh);
  patience_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](boost::system::error_code ec) {
    if (ec || alive.expired()) return;
    overdue_ = true;
    flush_waiters();  // a slow or hung mdatp: answer with what there is
  });
  worker_->submit([this, alive = std::weak_ptr<bool>(alive_), cancel = worker_->cancel_flag()] {
    std::vector<MdatpCall> calls;
    NodeSnapshot fresh = collect_([&calls](const MdatpCall& call) { calls.push_back(call); }, cancel);
    boost::asio::post(ioc_, [this, alive, fresh = std::move(fresh), calls = std::move(calls)]() mutable {
      if (alive.expired()) return;
      on_collected(std::move(fresh), std::move(calls));
    });
  });
}

void SnapshotCache::on_collected(NodeSnapshot fresh, std::vector<MdatpCall> calls) {
  refreshing_ = false;
  overdue_ = false;
  last_attempt_ms_ = now_epoch_ms();
  patience_.cancel();
  bool failed = collection_failed(fresh);
  const NodeSnapshot* previous = last_good_ ? &last_good_->snapshot : nullptr;
  current_ = render(merge_with_previous(std::move(fresh), previous));
  if (!failed) last_good_ = current_;
  if (on_refresh_) on_refresh_(*current_, calls);
  flush_waiters();
}

void SnapshotCache::flush_waiters() {
  auto waiters = std::move(waiters_);
  waiters_.clear();
  for (auto& w : waiters) w(current_);
}

}  // namespace nexus_mde::agent
