// Plain-text tables for people (aligned columns) and TSV for scripts (tabs, no header).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace nexus_mde::plugin {

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

  // Cells are shown as visible_text (terminal_text.hpp): a node's text cannot drive the terminal.
  void add_row(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }
  std::size_t size() const { return rows_.size(); }

  // Columns padded to their widest cell (by UTF-8 code points), two spaces apart; the last
  // column is not padded.
  void print(std::ostream& out, const std::string& indent = "") const;
  // One line per row, cells joined by tabs (tabs and newlines inside cells became spaces).
  void print_tsv(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// Names folded for one line: "r01", "r01, r02", "r01, r02 … r16 (16 nodes)".
std::string folded_names(const std::vector<std::string>& names);

// One TSV line: cells joined by tabs, each as visible_text (tabs and newlines become spaces).
void write_tsv_row(std::ostream& out, const std::vector<std::string>& cells);

// "?" for a value nobody reported (unknown: never a zero or a "no"); "-" where there is nothing
// to show (no detail, no scan on record). docs/formats.md.
inline constexpr const char* kUnknownCell = "?";
inline constexpr const char* kNoneCell = "-";

}  // namespace nexus_mde::plugin
