#include "agent/scans/scan_manager.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>

#include "common/mdatp/mdatp_parsers.hpp"
#include "common/sys/text.hpp"
#include "common/sys/time.hpp"

namespace nexus_mde::agent {

std::string new_scan_id() { return random_hex(16); }

ScanManager::ScanManager(boost::asio::io_context& ioc, ScanSettings settings, const EventLog& log,
                         Finished on_finished)
    : ioc_(ioc),
      settings_(std::move(settings)),
      log_(log),
      on_finished_(std::move(on_finished)),
      store_(settings_.state_dir),
      worker_(std::make_unique<BlockingWorker>()) {}

ScanManager::~ScanManager() {
  worker_.reset();  // kills a running mdatp scan and waits for its thread
  if (auto* t = running_id_ ? find_mutable(*running_id_) : nullptr) {
    t->state = "interrupted";
    t->error = "the agent stopped while the scan ran";
    t->ended_at_ms = now_epoch_ms();
    persist_or_log("shutdown");
  }
}

Result<std::vector<std::string>> ScanManager::load() {
  std::vector<std::string> notes;
  auto loaded = store_.load();
  if (!loaded) {
    // Unreadable history must not be overwritten: keep it for a human, start a new one.
    auto aside = store_.move_aside(now_epoch_ms());
    if (!aside)
      return Error{loaded.error().describe() + "; and " + aside.error().describe(),
                   store_.path(),
                   {},
                   {},
                   ErrorKind::kInvalidInput};
    notes.push_back(loaded.error().describe() + "; moved to " + *aside + ", starting a new scan history");
    triggers_.clear();
  } else {
    triggers_ = std::move(*loaded);
  }
  bool repaired = false;
  for (auto& t : triggers_) {
    if (t.finished()) continue;
    t.state = "interrupted";
    t.error = "the agent stopped while the scan ran";
    repaired = true;
    notes.push_back("scan " + t.id + " (" + t.type + ", requested by " + t.requested_by +
                    ") was interrupted");
  }
  if (repaired) {
    if (auto saved = store_.save(triggers_); !saved) return saved.error();
  }
  return notes;
}

std::variant<ScanTrigger, ScanManager::Refused> ScanManager::trigger(const std::string& type,
                                                                     const std::string& identity,
                                                                     const std::string& peer) {
  if (running_id_) {
    return Refused{409, "scan_running",
                   "scan " + *running_id_ + " is still running; wait for it (GET /v1/scans/" + *running_id_ +
                       "?wait=SECONDS)"};
  }
  ScanTrigger t;
  t.id = new_scan_id();
  t.type = type;
  t.state = "running";
  t.requested_by = identity;
  t.peer = peer;
  t.requested_at_ms = now_epoch_ms();
  triggers_.push_back(t);
  // Saved before mdatp starts: a scan nobody recorded must not run.
  if (auto saved = store_.save(triggers_); !saved) {
    triggers_.pop_back();
    return Refused{503, "state_not_saved", "the scan was not started: " + saved.error().describe()};
  }
  if (triggers_.size() > ScanStore::kKept)
    triggers_.erase(triggers_.begin(), triggers_.end() - ScanStore::kKept);
  running_id_ = t.id;

  ProcessOptions p = mdatp_process_options(settings_.timeout, std::size_t{1} << 20, worker_->cancel_flag());
  std::vector<std::string> argv{settings_.mdatp_path, "scan", type};
  worker_->submit([this, alive = std::weak_ptr<bool>(alive_), id = t.id, argv, p] {
    auto started = std::chrono::steady_clock::now();
    auto run = run_process(argv, p);
    auto took =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    boost::asio::post(ioc_, [this, alive, id, run = std::move(run), took]() mutable {
      if (alive.expired()) return;
      on_scan_ended(id, std::move(run), took);
    });
  });
  return t;
}

void ScanManager::on_scan_ended(std::string id, Result<ProcessResult> run,
                                std::chrono::milliseconds duration) {
  running_id_.reset();
  ScanTrigger* t = find_mutable(id);
  MdatpCall call{"scan " + (t ? t->type : std::string("?")), std::string(mdatp_call_outcome(run)), duration};
  if (!t) return;  // dropped from the kept window meanwhile (cannot happen with one scan at a time)
  t->ended_at_ms = now_epoch_ms();
  if (!run) {
    t->state = "failed";
    t->error = "mdatp could not be started: " + run.error().describe();
  } else if (!run->succeeded()) {
    t->state = run->cancelled ? "interrupted" : "failed";
    t->error = "mdatp scan " + t->type + ": " + run->describe();
  } else if (auto outcome = parse_scan_output(run->out)) {
    t->state = "succeeded";
    t->files_scanned = outcome->files_scanned;
    t->threats_detected = outcome->threats_detected;
  } else {
    t->state = "failed";
    t->error = "mdatp scan " + t->type + ": unexpected output: " + outcome.error().describe();
  }
  persist_or_log("scan end");
  if (on_finished_) on_finished_(*t, call);
  // Answer the long-polls for this scan.
  std::vector<std::shared_ptr<PendingWait>> ready;
  std::erase_if(waits_, [&](const std::shared_ptr<PendingWait>& w) {
    if (w->id != id) return false;
    ready.push_back(w);
    return true;
  });
  for (auto& w : ready) {
    w->timer->cancel();
    w->done(find(id));
  }
}

void ScanManager::persist_or_log(const char* when) {
  if (auto saved = store_.save(triggers_); !saved) {
    log_.write(Priority::kError, message_id::kScanFinished,
               std::string("cannot save the scan history at ") + when + ": " + saved.error().describe());
  }
}

const ScanTrigger* ScanManager::find(const std::string& id) const {
  auto it =
      std::find_if(triggers_.begin(), triggers_.end(), [&](const ScanTrigger& t) { return t.id == id; });
  return it == triggers_.end() ? nullptr : &*it;
}

ScanTrigger* ScanManager::find_mutable(const std::string& id) { return const_cast<ScanTrigger*>(find(id)); }

void ScanManager::wait(const std::string& id, std::chrono::milliseconds patience, Waiter done) {
  const ScanTrigger* t = find(id);
  if (!t || t->finished() || patience.count() <= 0) return done(t);
  auto w = std::make_shared<PendingWait>();
  w->id = id;
  w->done = std::move(done);
  w->timer = std::make_shared<boost::asio::steady_timer>(ioc_, patience);
  waits_.push_back(w);
  w->timer->async_wait([this, alive = std::weak_ptr<bool>(alive_),
                        weak = std::weak_ptr<PendingWait>(w)](boost::system::error_code ec) {
    auto pending = weak.lock();
    if (ec || alive.expired() || !pending) return;
    std::erase(waits_, pending);
    pending->done(find(pending->id));
  });
}

void ScanManager::release_waiters() {
  auto waits = std::move(waits_);
  waits_.clear();
  for (auto& w : waits) {
    w->timer->cancel();
    w->done(find(w->id));
  }
}

}  // namespace nexus_mde::agent
