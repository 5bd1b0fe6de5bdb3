// What counts as a finding where a choice is the operator's (a global flag).
#pragma once

namespace nexus_mde::plugin {

struct FindingOptions {
  // Threats and quarantined items the detection test made count too (--include-test-detections).
  bool include_test_detections = false;
};

}  // namespace nexus_mde::plugin
