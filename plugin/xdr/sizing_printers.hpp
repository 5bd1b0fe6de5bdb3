// `xdr sizing` and `xdr capacity` output: a table of settings for people, json/yaml/tsv for
// scripts, and for sizing the terraform.tfvars lines the XDR integration templates read.
#pragma once

#include <ostream>

#include "plugin/output/format.hpp"
#include "plugin/xdr/event_hub_sizing.hpp"

namespace nexus_mde::plugin {

void print_sizing(const SizingInput& input, const EventHubPlan& plan, OutputFormat format, std::ostream& out);
// The terraform.tfvars lines (`xdr sizing -o tfvars`).
void print_tfvars(const EventHubPlan& plan, std::ostream& out);
void print_capacity(const CapacityCheck& check, OutputFormat format, std::ostream& out);

}  // namespace nexus_mde::plugin
