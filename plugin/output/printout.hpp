// A command's answer in the shape every -o format needs, built once and rendered by one printer,
// as kubernetes/cli-runtime's commands build an object and a printer chosen by -o renders it:
// json and yaml write the document; table shows the tables and prose for people; tsv gives
// scripts the rows alone, without headers or prose. `report` streams its records instead
// (plugin/report): a 100 MB extract is never held as rows.
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "plugin/output/document_writer.hpp"
#include "plugin/output/format.hpp"

namespace nexus_mde::plugin {

// Who a block is for: tables and tsv alike, people only (-o table), or scripts only (-o tsv).
enum class Audience { kBoth, kPeople, kScripts };

struct PrintedRow {
  std::vector<std::string> cells;   // for people: ages, durations, "-" where there is nothing
  std::vector<std::string> script;  // for -o tsv (RFC 3339 times, plain numbers); empty: cells
};

struct PrintedTable {
  std::vector<std::string> headers;  // none for a table only scripts see
  std::vector<PrintedRow> rows;
  std::string title;       // shown above it after a blank line; a titled table without rows is left out
  std::string when_empty;  // said in place of a table without rows ("No scans reported.")
  void add(std::vector<std::string> cells, std::vector<std::string> script = {}) {
    rows.push_back({std::move(cells), std::move(script)});
  }
};

class Printout {
 public:
  using Body = std::function<void(DocumentWriter&)>;  // the fields after apiVersion and kind

  explicit Printout(std::string_view kind) : kind_(kind) {}

  void set_document(Body body) { body_ = std::move(body); }
  void set_document(boost::json::object body);

  // A reference that stays valid while more blocks are added.
  PrintedTable& add_table(std::vector<std::string> headers, Audience audience = Audience::kBoth);
  // Text as given (with its newlines); by default for people only.
  void add_text(std::string text, Audience audience = Audience::kPeople);

  void print(OutputFormat format, std::ostream& out) const;

 private:
  struct Block {
    Audience audience;
    std::string text;  // a text block, without a table
    std::optional<PrintedTable> table;
  };

  void print_document(OutputFormat format, std::ostream& out) const;
  void print_for_people(std::ostream& out) const;
  void print_for_scripts(std::ostream& out) const;

  std::string kind_;
  Body body_;
  std::deque<Block> blocks_;
};

}  // namespace nexus_mde::plugin
