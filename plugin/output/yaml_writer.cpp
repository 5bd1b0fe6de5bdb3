// Block-style YAML. Strings are always double-quoted with JSON escapes (valid YAML), so that no
// value can be misread as a number, a boolean or null ("no", "1.0", "null" stay strings), and
// with DEL and C1 controls escaped too (terminal_text.hpp).
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "common/sys/terminal_text.hpp"
#include "plugin/output/document_writer.hpp"

namespace nexus_mde::plugin {

namespace json = boost::json;

namespace {

bool plain_key(std::string_view k) {
  if (k.empty()) return false;
  for (char c : k) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '$' || c == '-';
    if (!ok) return false;
  }
  return !(k[0] >= '0' && k[0] <= '9') && k[0] != '-';
}

std::string yaml_key(std::string_view k) {
  return plain_key(k) ? std::string(k)
                      : escape_json_controls(json::serialize(json::string_view(k.data(), k.size())));
}

std::string scalar(const json::value& v) {
  if (v.is_null()) return "null";
  return escape_json_controls(json::serialize(v));  // strings quoted and escaped, numbers and booleans bare
}

class YamlWriter final : public DocumentWriter {
 public:
  explicit YamlWriter(std::ostream& out) : out_(out) {}

  void begin_object() override { push(Frame::kObject); }
  void end_object() override { pop("{}"); }
  void begin_array() override { push(Frame::kArray); }
  void end_array() override { pop("[]"); }
  void key(std::string_view name) override { pending_key_ = yaml_key(name); }
  void value(const json::value& v) override { write_value(v); }
  void json_text(const std::vector<std::string_view>& serialized) override {
    json::stream_parser p;
    for (const auto& piece : serialized) p.write(piece.data(), piece.size());
    p.finish();
    write_value(p.release());
  }
  void finish() override { out_.flush(); }

 private:
  struct Frame {
    enum Kind { kObject, kArray } kind;
    int indent = 0;  // column of this container's entries
    bool empty = true;
    bool after_dash = false;  // positioned right after the "- " of a sequence item
    bool open_line = false;   // "key:" printed; the newline waits for the first entry
  };

  // Starts an entry of the current container: "key:" or "-".
  void entry_start() {
    Frame& f = frames_.back();
    if (f.open_line) {
      out_ << '\n';
      f.open_line = false;
    }
    if (!(f.after_dash && f.empty)) out_ << std::string(static_cast<std::size_t>(f.indent), ' ');
    f.empty = false;
    if (f.kind == Frame::kObject) {
      out_ << pending_key_ << ':';
    } else {
      out_ << '-';
    }
  }

  void push(Frame::Kind kind) {
    if (frames_.empty()) {
      frames_.push_back({kind, 0, true, false, false});
      return;
    }
    entry_start();
    const Frame& parent = frames_.back();
    if (parent.kind == Frame::kArray) {
      out_ << ' ';  // "- key: v" and "- - v": the nested container starts on the dash's line
      frames_.push_back({kind, parent.indent + 2, true, true, false});
    } else {
      int indent = kind == Frame::kArray ? parent.indent : parent.indent + 2;
      frames_.push_back({kind, indent, true, false, true});
    }
  }

  void pop(const char* empty_text) {
    Frame f = frames_.back();
    frames_.pop_back();
    if (!f.empty) return;
    // Nothing was written: the flow form ends the line where the value belongs.
    out_ << (f.open_line ? " " : "") << empty_text << '\n';
  }

  void write_value(const json::value& v) {
    if (v.is_object()) {
      begin_object();
      for (const auto& kv : v.get_object()) {
        key(kv.key());
        write_value(kv.value());
      }
      end_object();
    } else if (v.is_array()) {
      begin_array();
      for (const auto& e : v.get_array()) write_value(e);
      end_array();
    } else if (frames_.empty()) {
      out_ << scalar(v) << '\n';
    } else {
      entry_start();
      out_ << ' ' << scalar(v) << '\n';
    }
  }

  std::ostream& out_;
  std::vector<Frame> frames_;
  std::string pending_key_;
};

}  // namespace

std::unique_ptr<DocumentWriter> make_yaml_writer(std::ostream& out) {
  return std::make_unique<YamlWriter>(out);
}

}  // namespace nexus_mde::plugin
