// The wire form of the per-record types (scans, threats, quarantine entries), described once and
// written two ways: as a Boost.JSON tree (tag_invoke / value_from, model.cpp) and straight to JSON
// text (JsonTextWriter, json_text.hpp), which large reports use to skip a tree per record. Both
// produce the same JSON, byte for byte once serialized.
//
// An Out provides: text(name, optional<string>), time(name, optional<epoch ms>) as RFC 3339,
// number(name, optional<int64>), records(name, vector<Record>) and raw(object) ("raw", when
// non-empty), always last (JsonTextWriter writes packed unknown fields there). Absent optionals
// are written as null. A record passed as non-const reaches the Out
// non-const (its raw object and nested records), for an Out that takes what it is given
// (RecordTape moves raw objects out).
#pragma once

#include <concepts>
#include <type_traits>

#include "common/model/model.hpp"

namespace nexus_mde {

template <typename Out, typename Record>
requires std::same_as<std::remove_const_t<Record>, Threat>
void describe_wire(Out& out, Record& t) {
  out.text("id", t.id);
  out.text("name", t.name);
  out.text("type", t.type);
  out.text("status", t.status);
  out.text("path", t.path);
  out.time("detectionTime", t.detected_ms);
  if (t.scan_type) out.text("scanType", t.scan_type);
  if (t.scan_start_ms) out.time("scanStartTime", t.scan_start_ms);
  out.raw(t.raw);
}

template <typename Out, typename Record>
requires std::same_as<std::remove_const_t<Record>, QuarantineEntry>
void describe_wire(Out& out, Record& q) {
  out.text("id", q.id);
  out.text("name", q.name);
  out.text("type", q.type);
  out.text("path", q.path);
  out.time("quarantineTime", q.quarantined_ms);
  out.raw(q.raw);
}

template <typename Out, typename Record>
requires std::same_as<std::remove_const_t<Record>, ScanRecord>
void describe_wire(Out& out, Record& s) {
  if (s.id) out.text("id", s.id);
  out.text("type", s.type);
  out.text("state", s.state);
  out.time("startTime", s.start_ms);
  out.time("endTime", s.end_ms);
  out.number("durationMs", s.duration_ms());
  out.number("filesScanned", s.files_scanned);
  out.number("threatCount", s.threat_count);
  out.records("threats", s.threats);
  out.raw(s.raw);
}

}  // namespace nexus_mde
