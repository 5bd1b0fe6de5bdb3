// Text from nodes and files, made harmless for the operator's terminal. Neither a node's agent nor
// an extract is trusted: a string holding ESC [2J or OSC 0 ; … BEL would clear the screen or set
// the window title, and the C1 control U+009B is a CSI on its own. Every text sink goes through
// these: table and TSV cells and messages through visible_text, JSON and YAML through
// escape_json_controls.
#pragma once

#include <string>
#include <string_view>

namespace nexus_mde {

// Tab, newline and CR become a space; other C0 controls and DEL become \xNN, C1 controls
// (U+0080-U+009F) \u00NN, and a byte that is not part of valid UTF-8 \xNN. Anything else,
// printable UTF-8 included, is kept as it is.
std::string visible_text(std::string_view text);

// JSON text as Boost.JSON serializes it, with DEL and C1 controls (which JSON allows raw inside
// strings) escaped as \u007f and \u00NN. Outside strings JSON has no such bytes, so the text is
// escaped without being parsed. Fed in pieces: a UTF-8 sequence cut between two pieces is held.
class JsonControlEscaper {
 public:
  // Appends the escaped `piece` to `out`.
  void write(std::string_view piece, std::string& out);
  // Appends a byte held back at the end (only when the text ended inside a sequence).
  void finish(std::string& out);

 private:
  bool held_lead_ = false;  // the last piece ended with 0xC2, the lead byte of every C1 control
};

std::string escape_json_controls(std::string_view serialized);

}  // namespace nexus_mde
