// The report in each output format: a document (json, yaml), a table per node, or TSV rows.
#include <boost/json.hpp>

#include "common/sys/terminal_text.hpp"
#include "common/sys/time.hpp"
#include "plugin/output/cells.hpp"
#include "plugin/output/document_writer.hpp"
#include "plugin/output/table.hpp"
#include "plugin/output/text_buffer.hpp"
#include "plugin/report/record_serializer.hpp"
#include "plugin/report/report.hpp"

namespace nexus_mde::plugin {

namespace json = boost::json;

namespace {

json::value error_json(const Error& e) {
  json::object o{{"message", e.message}};
  if (!e.field.empty()) o["field"] = e.field;
  if (e.offset) o["offset"] = *e.offset;
  if (e.line) o["line"] = *e.line;
  return o;
}

json::value summary_json(const ReportSummary& s) {
  return {{"files", s.files},
          {"reported", s.reported},
          {"unreadable", s.unreadable},
          {"scans", s.scans},
          {"failedScans", s.failed_scans},
          {"threats", s.threats},
          {"quarantined", s.quarantined},
          {"unhealthy", s.unhealthy}};
}

EnforcementReading enforcement_of(const AgentInformation& info) {
  if (!info.health) return {};
  return read_enforcement(enforcement_facts(*info.health));
}

// ---- json / yaml: {"reports":[…],"summary":{…}} ----

// The records of a part of a file read on another thread (split_parse.hpp), serialized there as
// they come.
class SerializedRegion final : public ReportRegion {
 public:
  // `into`: the printer's serializer, which takes this region's text after its own.
  explicit SerializedRegion(RecordSerializer& into) : into_(into) {}
  void merge() override { into_.splice(std::move(records_.drain())); }

 protected:
  json::storage_ptr record_storage() override { return records_.storage(); }
  bool takes_packed_raw() const override { return true; }
  void on_scan(ScanRecord&& scan, std::string_view packed_raw) override {
    records_.add(std::move(scan), packed_raw);
  }
  void on_threat(Threat&& threat, std::string_view packed_raw) override {
    records_.add(std::move(threat), packed_raw);
  }
  void on_quarantine(QuarantineEntry&& entry) override { records_.add(std::move(entry)); }

 private:
  RecordSerializer& into_;
  RecordSerializer records_{RecordSerializer::Threads::kInline};
};

// Records are serialized as they arrive (on the serializer's thread; for a file read in two
// parts, on each part's own), into one text buffer per section (a file's sections may come in
// any order), and written out once the whole file has been read.

class DocumentReportPrinter final : public ReportPrinter {
 public:
  DocumentReportPrinter(OutputFormat format, std::ostream& out) : writer_(make_document_writer(format, out)) {
    writer_->begin_document("Report");
    writer_->key("reports");
    writer_->begin_array();
  }

  void finish(const ReportSummary& summary) override {
    writer_->end_array();
    writer_->field("summary", summary_json(summary));
    writer_->end_object();
    writer_->finish();
  }

 protected:
  json::storage_ptr record_storage() override { return records_.storage(); }
  bool takes_packed_raw() const override { return true; }  // records only become JSON text here
  void on_scan(ScanRecord&& scan, std::string_view packed_raw) override {
    records_.add(std::move(scan), packed_raw);
  }
  void on_threat(Threat&& threat, std::string_view packed_raw) override {
    records_.add(std::move(threat), packed_raw);
  }
  void on_quarantine(QuarantineEntry&& entry) override { records_.add(std::move(entry)); }
  void discard() override { end_records(); }  // also after a region that never ended
  std::unique_ptr<ReportRegion> begin_region() override {
    records_.set_threads(RecordSerializer::Threads::kInline);
    return std::make_unique<SerializedRegion>(records_);
  }
  // The rest of the file, if any, is this thread's alone again.
  void on_region_ended() override { records_.set_threads(RecordSerializer::Threads::kOwn); }

  void print(const ExtractFile& file, const AgentInformation& info) override {
    RecordSerializer::Sections& sections = records_.drain();
    writer_->begin_object();
    writer_->field("source", json::value(file.source));
    writer_->field("node", json::value(file.node));
    writer_->field("ok", true);
    writer_->field("health", info.health ? json::value_from(*info.health) : json::value(nullptr));
    writer_->field("enforcement", json::value_from(enforcement_of(info)));
    section("scans", info.scans.has_value(), sections.scans);
    section("threats", info.threats.has_value(), sections.threats);
    section("quarantine", info.quarantine.has_value(), sections.quarantine);
    writer_->end_object();
    end_records();
  }

  void failure(const ExtractFile& file, const Error& error) override {
    writer_->begin_object();
    writer_->field("source", json::value(file.source));
    writer_->field("node", json::value(file.node));
    writer_->field("ok", false);
    writer_->field("error", error_json(error));
    writer_->end_object();
  }

 private:
  // Unknown (absent from the file) is null; known lists are the serialized records.
  void section(const char* name, bool present, TextBuffer& buffer) {
    writer_->key(name);
    if (!present) {
      writer_->value(nullptr);
    } else if (buffer.empty()) {
      writer_->begin_array();
      writer_->end_array();
    } else {
      buffer.append("]");
      writer_->json_text(buffer.pieces());
    }
  }

  void end_records() {
    records_.clear();
    records_.set_threads(RecordSerializer::Threads::kOwn);
  }

  std::unique_ptr<DocumentWriter> writer_;
  RecordSerializer records_;
};

Table scans_table(const std::vector<ScanRecord>& scans) {
  Table t({"TYPE", "STATE", "STARTED", "ENDED", "DURATION", "FILES", "THREATS"});
  for (const auto& s : scans) {
    auto d = s.duration_ms();
    t.add_row({cell(s.type), cell(s.state), time_cell(s.start_ms), time_cell(s.end_ms),
               d ? human_duration(*d) : kUnknownCell, cell(s.files_scanned), cell(s.threat_count)});
  }
  return t;
}

Table threats_table(const std::vector<Threat>& threats) {
  Table t({"NAME", "TYPE", "STATUS", "DETECTED", "PATH", "FOUND BY"});
  for (const auto& th : threats) {
    std::string scan = th.scan_type
                           ? *th.scan_type + (th.scan_start_ms ? " " + time_cell(th.scan_start_ms) : "")
                           : kUnknownCell;
    t.add_row(
        {cell(th.name), cell(th.type), cell(th.status), time_cell(th.detected_ms), cell(th.path), scan});
  }
  return t;
}

Table quarantine_table(const std::vector<QuarantineEntry>& entries) {
  Table t({"NAME", "TYPE", "PATH", "QUARANTINED", "ID"});
  for (const auto& q : entries) {
    t.add_row({cell(q.name), cell(q.type), cell(q.path), time_cell(q.quarantined_ms), cell(q.id)});
  }
  return t;
}

// ---- table: one block per node, then the summary line ----

class TableReportPrinter final : public ReportPrinter {
 public:
  explicit TableReportPrinter(std::ostream& out) : out_(out) {}

  void finish(const ReportSummary& summary) override {
    separate();
    out_ << summary.line() << "\n";
    out_.flush();
  }

 protected:
  void print(const ExtractFile& file, const AgentInformation& info) override {
    separate();
    out_ << visible_text(file.node) << "  (" << visible_text(file.source) << ")\n";
    if (info.health) {
      const Health& h = *info.health;
      out_ << "  MDE         " << flag_cell(h.healthy, "healthy", "UNHEALTHY") << ", "
           << flag_cell(h.licensed, "licensed", "NOT LICENSED") << ", app " << cell(h.app_version)
           << ", engine " << cell(h.engine_version);
      if (h.health_issues && !h.health_issues->empty()) {
        out_ << ", issues:";
        for (const auto& i : *h.health_issues) out_ << " \"" << visible_text(i) << "\"";
      }
      out_ << "\n  DEFINITIONS " << cell(h.definitions_version) << ", updated "
           << time_cell(h.definitions_updated_ms) << ", " << cell(h.definitions_status) << "\n";
      auto e = enforcement_of(info);
      out_ << "  ENFORCEMENT " << (e.level ? std::string(to_string(*e.level)) : std::string("unknown"))
           << " (real-time protection " << flag_cell(h.real_time_protection_enabled, "on", "off")
           << ", passive mode " << flag_cell(h.passive_mode_enabled, "on", "off") << ")";
      if (!e.note.empty()) out_ << "; " << visible_text(e.note);
      out_ << "\n";
    } else {
      out_ << "  MDE         no generalHealth in the file\n";
    }
    section("SCANS", info.scans, scans_table);
    section("THREATS", info.threats, threats_table);
    section("QUARANTINE", info.quarantine, quarantine_table);
  }

  void failure(const ExtractFile& file, const Error& error) override {
    separate();
    out_ << visible_text(file.node) << "  (" << visible_text(file.source) << ")\n  UNREADABLE  "
         << visible_text(error.describe()) << "\n";
  }

 private:
  void separate() {
    if (printed_) out_ << "\n";
    printed_ = true;
  }

  template <typename T, typename Fn>
  void section(const char* title, const std::optional<std::vector<T>>& items, Fn&& make_table) {
    out_ << "\n  " << title;
    if (!items) {
      out_ << ": not in the file\n";
    } else if (items->empty()) {
      out_ << ": none\n";
    } else {
      out_ << " (" << items->size() << ")\n";
      make_table(*items).print(out_, "  ");
    }
  }

  std::ostream& out_;
  bool printed_ = false;
};

// ---- tsv: one row per record, the record kind and the node first; no header ----

class TsvReportPrinter final : public ReportPrinter {
 public:
  explicit TsvReportPrinter(std::ostream& out) : out_(out) {}

  void finish(const ReportSummary&) override { out_.flush(); }

 protected:
  void print(const ExtractFile& file, const AgentInformation& info) override {
    if (info.health) {
      const Health& h = *info.health;
      auto e = enforcement_of(info);
      write_tsv_row(out_, {"health", file.node, flag_cell(h.healthy, "true", "false"),
                           flag_cell(h.licensed, "true", "false"), cell(h.app_version),
                           cell(h.definitions_version), time_cell(h.definitions_updated_ms),
                           e.level ? std::string(to_string(*e.level)) : kUnknownCell});
    }
    if (info.scans) {
      for (const auto& s : *info.scans) {
        write_tsv_row(
            out_, {"scan", file.node, cell(s.type), cell(s.state), time_cell(s.start_ms), time_cell(s.end_ms),
                   cell(s.duration_ms()), cell(s.files_scanned), cell(s.threat_count)});
      }
    }
    if (info.threats) {
      for (const auto& t : *info.threats) {
        write_tsv_row(
            out_, {"threat", file.node, cell(t.name), cell(t.type), cell(t.status), time_cell(t.detected_ms),
                   cell(t.path), cell(t.scan_type), time_cell(t.scan_start_ms)});
      }
    }
    if (info.quarantine) {
      for (const auto& q : *info.quarantine) {
        write_tsv_row(out_, {"quarantine", file.node, cell(q.name), cell(q.type), cell(q.path),
                             time_cell(q.quarantined_ms), cell(q.id)});
      }
    }
  }

  void failure(const ExtractFile& file, const Error& error) override {
    write_tsv_row(out_, {"error", file.node, file.source, error.describe()});
  }

 private:
  std::ostream& out_;
};

}  // namespace

std::unique_ptr<ReportPrinter> make_report_printer(OutputFormat format, std::ostream& out) {
  switch (format) {
    case OutputFormat::kJson:
    case OutputFormat::kYaml:
      return std::make_unique<DocumentReportPrinter>(format, out);
    case OutputFormat::kTsv:
      return std::make_unique<TsvReportPrinter>(out);
    case OutputFormat::kTable:
      break;
  }
  return std::make_unique<TableReportPrinter>(out);
}

}  // namespace nexus_mde::plugin
