#include "plugin/report/record_tape.hpp"

#include <cstring>
#include <stdexcept>

#include "common/json_text.hpp"

namespace nexus_mde::plugin {

void RecordTape::clear() {
  bytes_.clear();
  records_ = 0;
  raws_.clear();  // objects in a batch's arena go without a walk (its deallocate is trivial)
}

void RecordTape::text(std::string_view name, const std::optional<std::string>& v) {
  if (!v) {
    put(Op::kNull);
    put(name_id(name));
    return;
  }
  put(Op::kText);
  put(name_id(name));
  put_bytes_of(static_cast<std::uint32_t>(v->size()));
  bytes_.append(*v);
}

void RecordTape::optional_number(Op op, std::string_view name, const std::optional<std::int64_t>& v) {
  put(v ? op : Op::kNull);
  put(name_id(name));
  if (v) put_bytes_of(*v);
}

void RecordTape::raw(boost::json::object& raw) {
  if (nested_ == 0 && !packed_raw_.empty()) {
    put(Op::kPackedRaw);
    put_bytes_of(static_cast<std::uint32_t>(packed_raw_.size()));
    bytes_.append(packed_raw_);
    return;
  }
  if (raw.empty()) return;  // no "raw" in the text either
  put(Op::kRaw);
  put_bytes_of(static_cast<std::uint32_t>(raws_.size()));
  raws_.push_back(std::move(raw));  // keeps its storage: nothing is copied
}

std::uint8_t RecordTape::name_id(std::string_view name) {
  NameSlot& slot = name_cache_[(reinterpret_cast<std::uintptr_t>(name.data()) >> 2) % name_cache_.size()];
  if (slot.data == name.data() && slot.size == name.size()) return slot.id;
  std::size_t id = 0;
  while (id < names_.size() && names_[id] != name) ++id;
  if (id == names_.size()) {
    // The wire form has a few dozen names; more would mean a name made on the fly.
    if (id > UINT8_MAX) throw std::length_error("record tape: more than 256 field names");
    names_.push_back(name);
  }
  slot = NameSlot{name.data(), name.size(), static_cast<std::uint8_t>(id)};
  return slot.id;
}

namespace {

// Reads a tape front to back.
class TapeReader {
 public:
  explicit TapeReader(std::string_view bytes) : at_(bytes.data()), end_(bytes.data() + bytes.size()) {}
  bool done() const { return at_ == end_; }
  std::uint8_t byte() { return static_cast<std::uint8_t>(*at_++); }
  template <typename T>
  T value() {
    T v;
    std::memcpy(&v, at_, sizeof v);
    at_ += sizeof v;
    return v;
  }
  std::string_view bytes(std::size_t n) {
    std::string_view s(at_, n);
    at_ += n;
    return s;
  }

 private:
  const char* at_;
  const char* end_;
};

}  // namespace

void RecordTape::replay(SectionTexts& texts, std::string& scratch) const {
  TapeReader in(bytes_);
  JsonTextWriter writer(scratch);
  TextBuffer* section = nullptr;
  int depth = 0;  // open records
  while (!in.done()) {
    switch (static_cast<Op>(in.byte())) {
      case Op::kBegin: {
        auto which = static_cast<Section>(in.byte());
        section = which == Section::kScans ? &texts.scans : which == Section::kThreats ? &texts.threats : &texts.quarantine;
        scratch.clear();
        scratch += section->empty() ? '[' : ',';
        writer.begin_record();
        ++depth;
        break;
      }
      case Op::kNestedBegin:
        writer.begin_record();
        ++depth;
        break;
      case Op::kEnd:
        writer.end_record();
        if (--depth == 0) section->append(scratch);
        break;
      case Op::kText: {
        std::string_view name = names_[in.byte()];
        writer.text(name, in.bytes(in.value<std::uint32_t>()));
        break;
      }
      case Op::kTime: {
        std::string_view name = names_[in.byte()];
        writer.time(name, in.value<std::int64_t>());
        break;
      }
      case Op::kNumber: {
        std::string_view name = names_[in.byte()];
        writer.number(name, in.value<std::int64_t>());
        break;
      }
      case Op::kNull:
        // Absent text, time and number are all written as null.
        writer.text(names_[in.byte()], std::optional<std::string_view>());
        break;
      case Op::kListBegin: writer.begin_records(names_[in.byte()]); break;
      case Op::kListEnd: writer.end_records(); break;
      case Op::kRaw: writer.raw(raws_[in.value<std::uint32_t>()]); break;
      case Op::kPackedRaw: writer.packed_raw(in.bytes(in.value<std::uint32_t>())); break;
    }
  }
}

}  // namespace nexus_mde::plugin
