// A batch of records in their wire form (model_wire.hpp) as one compact tape: the report's parser
// thread writes each record to it as the record ends, and the serializer's thread replays the tape
// as JSON text (JsonTextWriter), byte for byte the text of the records themselves.
//
// Why not hand the records over: what one thread wrote, the other reads from the first one's
// CPU, and records scattered over the heap are many cache lines to fetch one by one when the
// CPUs are far apart; a tape is read front to back, which the CPU prefetches (figures:
// docs/performance.md, "The report"). Unknown fields that stay Boost.JSON objects (quarantine
// entries, a scan's nested threats) are moved, not copied, into the tape's list. A large plain
// file is read in two parts instead (split_parse.hpp); the tape serves archives and small files.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "common/json/byte_stream.hpp"
#include "common/model/model.hpp"
#include "common/model/model_wire.hpp"
#include "plugin/output/text_buffer.hpp"

namespace nexus_mde::plugin {

// A report's records as JSON text, one list per section: "[record,record…" without the closing
// bracket; empty when the section has no records.
struct SectionTexts {
  TextBuffer scans;
  TextBuffer threats;
  TextBuffer quarantine;

  // Appends `later`'s records to these, each section to its own; `later` is left empty.
  void take(SectionTexts&& later);
};

class RecordTape {
 public:
  // Each takes the record's raw objects (its own and its nested records'); the rest is copied.
  // `packed_raw`: the record's own unknown fields, packed, when they are not in its raw object.
  void add(ScanRecord&& scan, std::string_view packed_raw) { add_record(Section::kScans, scan, packed_raw); }
  void add(Threat&& threat, std::string_view packed_raw) {
    add_record(Section::kThreats, threat, packed_raw);
  }
  void add(QuarantineEntry&& entry) { add_record(Section::kQuarantine, entry, {}); }

  std::size_t records() const { return records_; }
  bool empty() const { return records_ == 0; }
  // Empties the tape for reuse; its memory stays.
  void clear();

  // Appends each record, in order, to its section as JSON text: after "[" for a section's first
  // record and "," otherwise. `scratch` holds one record's text at a time.
  void replay(SectionTexts& texts, std::string& scratch) const;

  // The Out interface of describe_wire; names must outlive the tape (describe_wire's are literals).
  void text(std::string_view name, const std::optional<std::string>& v);
  void time(std::string_view name, const std::optional<std::int64_t>& ms) {
    optional_number(Op::kTime, name, ms);
  }
  void number(std::string_view name, const std::optional<std::int64_t>& v) {
    optional_number(Op::kNumber, name, v);
  }
  void raw(boost::json::object& raw);
  template <typename Record>
  void records(std::string_view name, std::vector<Record>& items) {
    put(Op::kListBegin);
    put(name_id(name));
    ++nested_;
    for (auto& item : items) {
      put(Op::kNestedBegin);
      describe_wire(*this, item);
      put(Op::kEnd);
    }
    --nested_;
    put(Op::kListEnd);
  }

 private:
  enum class Section : std::uint8_t { kScans, kThreats, kQuarantine };
  // One byte per step; a field's op is followed by its name's id, then its value, if any.
  enum class Op : std::uint8_t {
    kBegin,        // a record: its Section
    kNestedBegin,  // a record in a list
    kEnd,          // the end of a record
    kText,         // u32 length, bytes
    kTime,         // i64 epoch ms
    kNumber,       // i64
    kNull,         // a text, time or number that is absent
    kListBegin,    // a list of records
    kListEnd,
    kRaw,        // u32 index into raws_
    kPackedRaw,  // u32 length, packed unknown fields
  };

  template <typename Record>
  void add_record(Section section, Record& record, std::string_view packed_raw) {
    put(Op::kBegin);
    put(static_cast<std::uint8_t>(section));
    packed_raw_ = packed_raw;
    describe_wire(*this, record);
    packed_raw_ = {};
    put(Op::kEnd);
    ++records_;
  }
  void optional_number(Op op, std::string_view name, const std::optional<std::int64_t>& v);
  std::uint8_t name_id(std::string_view name);
  void put(Op op) { ByteWriter(bytes_).byte(static_cast<std::uint8_t>(op)); }
  void put(std::uint8_t byte) { ByteWriter(bytes_).byte(byte); }

  std::string bytes_;
  std::size_t records_ = 0;
  std::string_view packed_raw_;  // of the record being added
  int nested_ = 0;               // records lists open in it
  std::vector<boost::json::object> raws_;
  // The names the tape has seen, found again by their address: describe_wire's are literals.
  std::vector<std::string_view> names_;
  struct NameSlot {
    const char* data = nullptr;
    std::size_t size = 0;
    std::uint8_t id = 0;
  };
  std::array<NameSlot, 64> name_cache_{};
};

}  // namespace nexus_mde::plugin
