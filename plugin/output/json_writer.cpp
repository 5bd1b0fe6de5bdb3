// Compact JSON, one document, pure on stdout. DEL and C1 controls are escaped too
// (terminal_text.hpp): JSON allows them raw, a terminal acts on them.
#include <vector>

#include <boost/json.hpp>

#include "common/sys/terminal_text.hpp"
#include "plugin/output/document_writer.hpp"

namespace nexus_mde::plugin {

namespace {

class JsonWriter final : public DocumentWriter {
 public:
  explicit JsonWriter(std::ostream& out) : out_(out) {}

  void begin_object() override { open('{'); }
  void end_object() override { close('}'); }
  void begin_array() override { open('['); }
  void end_array() override { close(']'); }
  void key(std::string_view name) override {
    separate();
    out_ << escape_json_controls(boost::json::serialize(boost::json::string_view(name.data(), name.size())))
         << ':';
    after_key_ = true;
  }
  void value(const boost::json::value& v) override {
    separate();
    // Through a fixed buffer: no string of the whole value is built.
    serializer_.reset(&v);
    JsonControlEscaper escaper;
    while (!serializer_.done()) {
      auto chunk = serializer_.read(buffer_, sizeof buffer_);
      escaped_.clear();
      escaper.write(std::string_view(chunk.data(), chunk.size()), escaped_);
      out_ << escaped_;
    }
    escaped_.clear();
    escaper.finish(escaped_);
    out_ << escaped_;
  }
  // JsonTextWriter's text (the report's records), which escapes those controls itself.
  void json_text(const std::vector<std::string_view>& serialized) override {
    separate();
    for (const auto& piece : serialized) out_.write(piece.data(), static_cast<std::streamsize>(piece.size()));
  }
  void finish() override {
    out_ << '\n';
    out_.flush();
  }

 private:
  // A comma before every element but the first of its container; none right after a key.
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_.empty()) {
      if (!first_.back()) out_ << ',';
      first_.back() = false;
    }
  }
  void open(char c) {
    separate();
    out_ << c;
    first_.push_back(true);
  }
  void close(char c) {
    first_.pop_back();
    out_ << c;
  }

  std::ostream& out_;
  boost::json::serializer serializer_;
  char buffer_[16384];
  std::string escaped_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

}  // namespace

std::unique_ptr<DocumentWriter> make_json_writer(std::ostream& out) {
  return std::make_unique<JsonWriter>(out);
}

}  // namespace nexus_mde::plugin
