#include "plugin/cluster/scan_progress.hpp"

#include "common/sys/terminal_text.hpp"
#include "common/sys/text.hpp"
#include "common/sys/time.hpp"
#include "plugin/output/natural_order.hpp"

namespace nexus_mde::plugin {

ScanProgress::ScanProgress(const std::vector<Node>& nodes, bool live, std::ostream& err)
    : nodes_(nodes),
      live_(live),
      err_(err),
      done_(nodes.size(), false),
      started_(std::chrono::steady_clock::now()) {}

void ScanProgress::node_done(std::size_t index, const ExchangeOutcome& outcome, std::size_t threats,
                             const std::string& result) {
  if (done_[index]) return;
  done_[index] = true;
  ++done_count_;
  threats_ += threats;
  if (live_) return draw();
  err_ << "nexus-mde: " << visible_text(nodes_[index].name) << ": " << visible_text(result);
  if (outcome.state == ExchangeState::kOk) err_ << ", " << plural(threats, "threat", "threats");
  err_ << " after " << human_duration(outcome.latency.count()) << " (" << done_count_ << " of "
       << nodes_.size() << " done)\n";
  err_.flush();
}

void ScanProgress::tick() {
  if (live_) draw();
}

void ScanProgress::draw() {
  // Every node starts together, so the one still running longest is any pending one: name the
  // first in natural order, and how many more there are.
  const Node* waiting = nullptr;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (!done_[i] && (!waiting || natural_less(nodes_[i].name, waiting->name))) waiting = &nodes_[i];
  }
  auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_);
  std::string line = "scan: " + std::to_string(done_count_) + " of " + std::to_string(nodes_.size()) +
                     " done, " + plural(threats_, "threat", "threats") + " so far";
  if (waiting) {
    std::size_t others = nodes_.size() - done_count_ - 1;
    line += ", waiting on " + visible_text(waiting->name) +
            (others ? " (+" + std::to_string(others) + ")" : "") + " for " + human_duration(elapsed.count());
  }
  err_ << "\r\033[K" << line << std::flush;
  drawn_ = true;
}

void ScanProgress::finish() {
  if (live_ && drawn_) err_ << "\r\033[K" << std::flush;
  drawn_ = false;
}

}  // namespace nexus_mde::plugin
