// Progress of `scan --wait` on stderr: on a terminal one live line (n of N done, threats so far,
// the node still running longest), redrawn in place; otherwise one plain line per node as it
// ends, so logs and CI output stay readable.
#pragma once

#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "plugin/fanout/fan_out.hpp"
#include "plugin/inventory/inventory.hpp"

namespace nexus_mde::plugin {

class ScanProgress {
 public:
  ScanProgress(const std::vector<Node>& nodes, bool live, std::ostream& err);

  // A node ended; `threats` is what its scan found, `result` its scan state ("succeeded"…) or
  // the node's failure.
  void node_done(std::size_t index, const ExchangeOutcome& outcome, std::size_t threats,
                 const std::string& result);
  void tick();    // redraws the live line
  void finish();  // clears the live line

 private:
  void draw();

  const std::vector<Node>& nodes_;
  bool live_;
  std::ostream& err_;
  std::vector<bool> done_;
  std::size_t done_count_ = 0;
  std::size_t threats_ = 0;
  std::chrono::steady_clock::time_point started_;
  bool drawn_ = false;
};

}  // namespace nexus_mde::plugin
