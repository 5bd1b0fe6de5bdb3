#include "plugin/xdr/sizing_printers.hpp"

#include <boost/json.hpp>

#include "plugin/output/printout.hpp"
#include "plugin/output/table.hpp"

namespace nexus_mde::plugin {

namespace json = boost::json;

namespace {

json::object plan_json(const SizingInput& in, const EventHubPlan& p) {
  return {{"eventsPerMinute", in.events_per_minute},
          {"endpoints", in.endpoints ? json::value(*in.endpoints) : json::value(nullptr)},
          {"throughputUnits", p.throughput_units},
          {"tier", to_string(p.tier)},
          {"dedicatedCluster", p.dedicated_cluster},
          {"throughputAllocated", p.throughput_allocated},
          {"inflateCap", p.inflate_cap},
          {"partitions", p.partitions},
          {"processingUnits", p.processing_units},
          {"retentionDays", p.retention_days},
          {"note", p.note.empty() ? json::value(nullptr) : json::value(p.note)}};
}

json::object capacity_json(const CapacityCheck& c) {
  return {{"throughputUnits", c.throughput_units},
          {"incomingBytesPerSecond", c.incoming_bytes_per_second},
          {"outgoingBytesPerSecond", c.outgoing_bytes_per_second},
          {"ingressLimitBytesPerSecond", c.throughput_units * 1024 * 1024},
          {"egressLimitBytesPerSecond", c.throughput_units * 2 * 1024 * 1024},
          {"ingressSaturated", c.ingress_saturated},
          {"egressSaturated", c.egress_saturated},
          {"saturated", c.saturated()},
          {"throughputUnitsNeeded", c.units_needed}};
}

// SETTING VALUE rows (tsv: the same without a header), after the document json and yaml write.
Printout pairs_printout(std::string_view kind, json::object o) {
  Printout printout(kind);
  PrintedTable& table = printout.add_table({"SETTING", "VALUE"});
  for (const auto& kv : o) {
    std::string value = kv.value().is_string() ? std::string(kv.value().get_string())
                        : kv.value().is_null() ? std::string(kUnknownCell)
                                               : json::serialize(kv.value());
    table.add({std::string(kv.key()), value});
  }
  printout.set_document(std::move(o));
  return printout;
}

}  // namespace

void print_tfvars(const EventHubPlan& p, std::ostream& out) {
  out << "require_dedicated_cluster       = " << (p.dedicated_cluster ? "true" : "false") << "\n"
      << "eventhub_tier                   = \"" << to_string(p.tier) << "\"\n"
      << "eventhub_throughput_allocated   = " << p.throughput_allocated << "\n"
      << "eventhub_throughput_inflate_cap = " << p.inflate_cap << "\n"
      << "eventhub_partition_count        = " << p.partitions << "\n"
      << "eventhub_processing_units       = " << p.processing_units << "\n"
      << "data_retention_length           = " << p.retention_days << "\n";
  out.flush();
}

void print_sizing(const SizingInput& in, const EventHubPlan& p, OutputFormat format, std::ostream& out) {
  pairs_printout("XdrSizing", plan_json(in, p)).print(format, out);
}

void print_capacity(const CapacityCheck& c, OutputFormat format, std::ostream& out) {
  Printout printout = pairs_printout("XdrCapacity", capacity_json(c));
  if (!c.saturated()) {
    printout.add_text("\nNot saturated: " + std::to_string(c.throughput_units) +
                      " units carry this traffic.\n");
  } else {
    std::string which = c.ingress_saturated && c.egress_saturated
                            ? "ingress (1 MiB/s per unit) and egress (2 MiB/s per unit)"
                        : c.ingress_saturated ? "ingress (1 MiB/s per unit)"
                                              : "egress (2 MiB/s per unit)";
    printout.add_text("\nSaturated: " + which + "; " + std::to_string(c.units_needed) + " units needed.\n");
  }
  printout.print(format, out);
}

}  // namespace nexus_mde::plugin
