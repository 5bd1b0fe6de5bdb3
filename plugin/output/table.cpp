#include "plugin/output/table.hpp"

#include <algorithm>

#include "common/sys/terminal_text.hpp"
#include "plugin/output/colour.hpp"

namespace nexus_mde::plugin {

namespace {

std::size_t display_width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;  // count code points, not bytes
  return n;
}

}  // namespace

void Table::add_row(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  for (auto& c : cells) c = visible_text(c);
  rows_.push_back(std::move(cells));
}

void Table::print(std::ostream& out, const std::string& indent) const {
  std::vector<std::size_t> widths(headers_.size());
  for (std::size_t i = 0; i < headers_.size(); ++i) widths[i] = display_width(headers_[i]);
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], display_width(row[i]));
  }
  auto line = [&](const std::vector<std::string>& cells, bool coloured) {
    std::string text = indent;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      std::string_view colour = coloured ? cell_colour(headers_[i], cells[i]) : std::string_view();
      // The colour wraps the cell alone, so padding and widths stay those of the text.
      text += colour.empty() ? cells[i] : std::string(colour) + cells[i] + std::string(kColourReset);
      if (i + 1 < cells.size()) text += std::string(widths[i] - display_width(cells[i]) + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << '\n';
  };
  line(headers_, false);
  for (const auto& row : rows_) line(row, colour_enabled());
}

std::string folded_names(const std::vector<std::string>& names) {
  if (names.size() > 3) {
    return names[0] + ", " + names[1] + " … " + names.back() + " (" + std::to_string(names.size()) +
           " nodes)";
  }
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

void write_tsv_row(std::ostream& out, const std::vector<std::string>& cells) {
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i) out << '\t';
    out << visible_text(cells[i]);
  }
  out << '\n';
}

void Table::print_tsv(std::ostream& out) const {
  for (const auto& row : rows_) write_tsv_row(out, row);
}

}  // namespace nexus_mde::plugin
