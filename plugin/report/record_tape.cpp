#include "plugin/report/record_tape.hpp"

#include <stdexcept>

#include "common/model/json_text.hpp"

namespace nexus_mde::plugin {

namespace {

void take_records(TextBuffer& into, TextBuffer&& later) {
  if (later.empty()) return;
  if (!into.empty()) later.front() = ',';  // its "[" opened the list: here the list goes on
  into.take(std::move(later));
}

}  // namespace

void SectionTexts::take(SectionTexts&& later) {
  take_records(scans, std::move(later.scans));
  take_records(threats, std::move(later.threats));
  take_records(quarantine, std::move(later.quarantine));
}

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
  ByteWriter(bytes_).text(*v);
}

void RecordTape::optional_number(Op op, std::string_view name, const std::optional<std::int64_t>& v) {
  put(v ? op : Op::kNull);
  put(name_id(name));
  if (v) ByteWriter(bytes_).fixed(*v);
}

void RecordTape::raw(boost::json::object& raw) {
  if (nested_ == 0 && !packed_raw_.empty()) {
    put(Op::kPackedRaw);
    ByteWriter(bytes_).text(packed_raw_);
    return;
  }
  if (raw.empty()) return;  // no "raw" in the text either
  put(Op::kRaw);
  ByteWriter(bytes_).fixed(static_cast<std::uint32_t>(raws_.size()));
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

void RecordTape::replay(SectionTexts& texts, std::string& scratch) const {
  ByteReader in(bytes_);
  JsonTextWriter writer(scratch);
  TextBuffer* section = nullptr;
  int depth = 0;  // open records
  while (!in.done()) {
    switch (static_cast<Op>(in.byte())) {
      case Op::kBegin: {
        auto which = static_cast<Section>(in.byte());
        section = which == Section::kScans     ? &texts.scans
                  : which == Section::kThreats ? &texts.threats
                                               : &texts.quarantine;
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
        writer.text(name, in.text());
        break;
      }
      case Op::kTime: {
        std::string_view name = names_[in.byte()];
        writer.time(name, in.fixed<std::int64_t>());
        break;
      }
      case Op::kNumber: {
        std::string_view name = names_[in.byte()];
        writer.number(name, in.fixed<std::int64_t>());
        break;
      }
      case Op::kNull:
        // Absent text, time and number are all written as null.
        writer.text(names_[in.byte()], std::optional<std::string_view>());
        break;
      case Op::kListBegin:
        writer.begin_records(names_[in.byte()]);
        break;
      case Op::kListEnd:
        writer.end_records();
        break;
      case Op::kRaw:
        writer.raw(raws_[in.fixed<std::uint32_t>()]);
        break;
      case Op::kPackedRaw:
        writer.packed_raw(in.text());
        break;
    }
  }
}

}  // namespace nexus_mde::plugin
