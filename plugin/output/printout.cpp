#include "plugin/output/printout.hpp"

#include "plugin/output/table.hpp"

namespace nexus_mde::plugin {

namespace {

bool for_people(Audience a) { return a != Audience::kScripts; }
bool for_scripts(Audience a) { return a != Audience::kPeople; }

void print_table(const PrintedTable& t, std::ostream& out) {
  if (t.rows.empty() && !t.when_empty.empty()) {
    out << t.when_empty << "\n";
    return;
  }
  if (t.rows.empty() && !t.title.empty()) return;
  if (!t.title.empty()) out << "\n" << t.title << "\n";
  Table table(t.headers);
  for (const auto& row : t.rows) table.add_row(row.cells);
  table.print(out);
}

}  // namespace

void Printout::set_document(boost::json::object body) {
  body_ = [body = std::move(body)](DocumentWriter& writer) {
    for (const auto& kv : body) writer.field(kv.key(), kv.value());
  };
}

PrintedTable& Printout::add_table(std::vector<std::string> headers, Audience audience) {
  Block& b = blocks_.emplace_back(Block{audience, {}, PrintedTable{}});
  b.table->headers = std::move(headers);
  return *b.table;
}

void Printout::add_text(std::string text, Audience audience) {
  blocks_.push_back(Block{audience, std::move(text), std::nullopt});
}

void Printout::print(OutputFormat format, std::ostream& out) const {
  switch (format) {
    case OutputFormat::kJson:
    case OutputFormat::kYaml:
      return print_document(format, out);
    case OutputFormat::kTsv:
      return print_for_scripts(out);
    case OutputFormat::kTable:
      return print_for_people(out);
  }
}

void Printout::print_document(OutputFormat format, std::ostream& out) const {
  auto writer = make_document_writer(format, out);
  writer->begin_document(kind_);
  if (body_) body_(*writer);
  writer->end_object();
  writer->finish();
}

void Printout::print_for_people(std::ostream& out) const {
  for (const auto& b : blocks_) {
    if (!for_people(b.audience)) continue;
    if (b.table)
      print_table(*b.table, out);
    else
      out << b.text;
  }
  out.flush();
}

void Printout::print_for_scripts(std::ostream& out) const {
  for (const auto& b : blocks_) {
    if (!for_scripts(b.audience)) continue;
    if (!b.table) {
      out << b.text;
      continue;
    }
    for (const auto& row : b.table->rows) write_tsv_row(out, row.script.empty() ? row.cells : row.script);
  }
  out.flush();
}

}  // namespace nexus_mde::plugin
