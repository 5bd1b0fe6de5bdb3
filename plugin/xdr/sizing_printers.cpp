#include "plugin/xdr/sizing_printers.hpp"

#include <boost/json.hpp>

#include "plugin/output/document_writer.hpp"
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

// table: SETTING VALUE rows; tsv: the same without a header.
void print_pairs(const json::object& o, bool table, std::ostream& out) {
  Table t({"SETTING", "VALUE"});
  for (const auto& kv : o) {
    std::string value = kv.value().is_string() ? std::string(kv.value().get_string())
                        : kv.value().is_null() ? std::string(kUnknownCell)
                                               : json::serialize(kv.value());
    if (table)
      t.add_row({std::string(kv.key()), value});
    else
      write_tsv_row(out, {std::string(kv.key()), value});
  }
  if (table) t.print(out);
  out.flush();
}

}  // namespace

void print_sizing(const SizingInput& in, const EventHubPlan& p, SizingFormat format, std::ostream& out) {
  switch (format) {
    case SizingFormat::kTfvars:
      out << "require_dedicated_cluster       = " << (p.dedicated_cluster ? "true" : "false") << "\n"
          << "eventhub_tier                   = \"" << to_string(p.tier) << "\"\n"
          << "eventhub_throughput_allocated   = " << p.throughput_allocated << "\n"
          << "eventhub_throughput_inflate_cap = " << p.inflate_cap << "\n"
          << "eventhub_partition_count        = " << p.partitions << "\n"
          << "eventhub_processing_units       = " << p.processing_units << "\n"
          << "data_retention_length           = " << p.retention_days << "\n";
      out.flush();
      return;
    case SizingFormat::kJson:
      return write_document(OutputFormat::kJson, out, "XdrSizing", plan_json(in, p));
    case SizingFormat::kYaml:
      return write_document(OutputFormat::kYaml, out, "XdrSizing", plan_json(in, p));
    case SizingFormat::kTsv:
      return print_pairs(plan_json(in, p), false, out);
    case SizingFormat::kTable:
      return print_pairs(plan_json(in, p), true, out);
  }
}

void print_capacity(const CapacityCheck& c, OutputFormat format, std::ostream& out) {
  auto o = capacity_json(c);
  if (format == OutputFormat::kJson || format == OutputFormat::kYaml)
    return write_document(format, out, "XdrCapacity", o);
  print_pairs(o, format == OutputFormat::kTable, out);
  if (format != OutputFormat::kTable) return;
  if (!c.saturated()) {
    out << "\nNot saturated: " << c.throughput_units << " units carry this traffic.\n";
  } else {
    std::string which = c.ingress_saturated && c.egress_saturated
                            ? "ingress (1 MiB/s per unit) and egress (2 MiB/s per unit)"
                        : c.ingress_saturated ? "ingress (1 MiB/s per unit)"
                                              : "egress (2 MiB/s per unit)";
    out << "\nSaturated: " << which << "; " << c.units_needed << " units needed.\n";
  }
}

}  // namespace nexus_mde::plugin
