// Compact JSON, one document, pure on stdout.
#include <vector>

#include <boost/json.hpp>

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
    out_ << boost::json::serialize(boost::json::string_view(name.data(), name.size())) << ':';
    after_key_ = true;
  }
  void value(const boost::json::value& v) override {
    separate();
    // Through a fixed buffer: no string of the whole value is built.
    serializer_.reset(&v);
    while (!serializer_.done()) {
      auto chunk = serializer_.read(buffer_, sizeof buffer_);
      out_.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    }
  }
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
  std::vector<bool> first_;
  bool after_key_ = false;
};

}  // namespace

std::unique_ptr<DocumentWriter> make_json_writer(std::ostream& out) { return std::make_unique<JsonWriter>(out); }

}  // namespace nexus_mde::plugin
