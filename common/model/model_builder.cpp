#include "common/model/model_builder.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "common/json/json_reader.hpp"
#include "common/model/model_json.hpp"

namespace nexus_mde {

namespace json = boost::json;

namespace {

// The accepted names of each field, mdatp's spellings and the wire form's.
using Names = std::span<const std::string_view>;
constexpr std::string_view kScanIdNames[] = {"id", "scanId"};
constexpr std::string_view kScanTypeNames[] = {"type", "scanType", "scan_type"};
constexpr std::string_view kScanStateNames[] = {"state", "status"};
constexpr std::string_view kScanStartNames[] = {"startTime", "start_time"};
constexpr std::string_view kScanEndNames[] = {"endTime", "end_time"};
constexpr std::string_view kFilesScannedNames[] = {"filesScanned", "files_scanned"};
constexpr std::string_view kThreatCountNames[] = {"threatCount", "threat_count", "threatsDetected",
                                                  "threats_detected"};
constexpr std::string_view kThreatIdNames[] = {"id", "trackingId", "tracking_id", "threatId", "threat_id"};
constexpr std::string_view kThreatNameNames[] = {"name", "threatName", "threat_name"};
constexpr std::string_view kThreatTypeNames[] = {"type", "threatType", "threat_type"};
constexpr std::string_view kThreatStatusNames[] = {"status", "state", "currentStatus", "current_status"};
constexpr std::string_view kThreatPathNames[] = {"path", "filePath", "file_path"};
constexpr std::string_view kDetectionTimeNames[] = {"detectionTime", "detection_time", "detectedAt",
                                                    "detected_at"};
constexpr std::string_view kThreatScanTypeNames[] = {"scanType"};
constexpr std::string_view kThreatScanStartNames[] = {"scanStartTime"};

// The fields of scans and threats, each read from a scalar under any of its names.
enum class Field : std::uint8_t {
  kUnknown,  // kept in raw
  kScanId,
  kScanType,
  kScanState,
  kScanStart,
  kScanEnd,
  kFilesScanned,
  kThreatCount,
  kThreatId,
  kThreatName,
  kThreatType,
  kThreatStatus,
  kThreatPath,
  kDetectionTime,
  kThreatScanType,
  kThreatScanStart,
};

// Finds a key's field among the names of the key's length only: most keys are unknown ones, and
// comparing each with every field's name showed in large reports' profiles.
class FieldIndex {
 public:
  FieldIndex(std::initializer_list<std::pair<Names, Field>> fields) {
    for (const auto& [names, field] : fields) {
      for (std::string_view name : names) by_length_.at(name.size()).emplace_back(name, field);
    }
  }

  Field find(std::string_view key) const {
    if (key.size() >= by_length_.size()) return Field::kUnknown;
    for (const auto& [name, field] : by_length_[key.size()]) {
      if (name == key) return field;
    }
    return Field::kUnknown;
  }

 private:
  std::array<std::vector<std::pair<std::string_view, Field>>, 32> by_length_;
};

const FieldIndex& scan_fields() {
  static const FieldIndex index({{kScanIdNames, Field::kScanId},
                                 {kScanTypeNames, Field::kScanType},
                                 {kScanStateNames, Field::kScanState},
                                 {kScanStartNames, Field::kScanStart},
                                 {kScanEndNames, Field::kScanEnd},
                                 {kFilesScannedNames, Field::kFilesScanned},
                                 {kThreatCountNames, Field::kThreatCount}});
  return index;
}

const FieldIndex& threat_fields() {
  static const FieldIndex index({{kThreatIdNames, Field::kThreatId},
                                 {kThreatNameNames, Field::kThreatName},
                                 {kThreatTypeNames, Field::kThreatType},
                                 {kThreatStatusNames, Field::kThreatStatus},
                                 {kThreatPathNames, Field::kThreatPath},
                                 {kDetectionTimeNames, Field::kDetectionTime},
                                 {kThreatScanTypeNames, Field::kThreatScanType},
                                 {kThreatScanStartNames, Field::kThreatScanStart}});
  return index;
}

// A field that takes a scalar: a container there is a type error, not an unknown field.
bool scalar_scan_field(std::string_view key) { return scan_fields().find(key) != Field::kUnknown; }
bool scalar_threat_field(std::string_view key) { return threat_fields().find(key) != Field::kUnknown; }

// The current status of a threat: the value of the history entry with the highest key (mdatp's
// history keys are timestamps).
std::optional<std::string> latest_history_status(const json::value& history) {
  if (!history.is_array()) return std::nullopt;
  const json::value* best_value = nullptr;
  double best_key = -1;
  for (const auto& h : history.get_array()) {
    const auto* o = h.if_object();
    if (!o) continue;
    auto k = o->find("key");
    auto v = o->find("value");
    if (k == o->end() || v == o->end() || !v->value().is_string()) continue;
    double key = 0;
    if (k->value().is_number()) {
      key = k->value().to_number<double>();
    } else if (auto s = scalar_of(k->value()); s && s->kind == Scalar::Kind::kString) {
      auto n = scalar_count(*s);
      key = n ? static_cast<double>(*n) : 0;
    }
    if (!best_value || key >= best_key) {
      best_key = key;
      best_value = &v->value();
    }
  }
  if (!best_value) return std::nullopt;
  return std::string(best_value->get_string());
}

// A threat found by a scan names it, unless the threat names a scan of its own.
void name_its_scan(Threat& t, const ScanRecord& scan) {
  if (!t.scan_type) t.scan_type = scan.type;
  if (!t.scan_start_ms) t.scan_start_ms = scan.start_ms;
}

// Replaces `target` with `from`, storage and all. Assignment would not do: a Boost.JSON container
// keeps the storage it was made with and copies what is assigned to it from another.
template <typename T>
void replace(T& target, T&& from) {
  std::destroy_at(&target);
  std::construct_at(&target, std::forward<T>(from));
}

// Empties a record for the next one, its raw fields to be allocated from `storage`. Made anew
// in place: no temporary record to move from and destroy.
template <typename Record>
void renew(Record& record, json::storage_ptr storage) {
  std::destroy_at(&record);
  std::construct_at(&record);
  std::destroy_at(&record.raw);
  std::construct_at(&record.raw, std::move(storage));
}

}  // namespace

ModelBuilder::ModelBuilder(ModelRoot root, std::string root_path)
    : root_(root), root_path_(std::move(root_path)) {
  frames_.resize(16);
  frames_[0] = Frame{};
  depth_ = 1;
}

// ---- paths, only rendered for errors ----

std::string ModelBuilder::path_here() const {
  std::string p = root_path_;
  for (std::size_t i = 1; i < depth_; ++i) {
    if (frames_[i - 1].array) {
      p += "[" + std::to_string(frames_[i - 1].index - 1) + "]";
    } else if (!frames_[i].key.empty()) {
      p += (p.empty() ? "" : ".") + frames_[i].key;
    }
  }
  return p;
}

std::string ModelBuilder::path_of(std::string_view key) const {
  std::string p = path_here();
  return p.empty() ? std::string(key) : p + "." + std::string(key);
}

bool ModelBuilder::fail(std::string message, std::string_view key) {
  if (!error_) error_ = make_error(std::move(message), key.empty() ? path_here() : path_of(key));
  return false;
}

bool ModelBuilder::fail_kind(const char* expected, std::string_view found, std::string_view key) {
  return fail(std::string("expected ") + expected + ", found " + std::string(found), key);
}

bool ModelBuilder::fail_element(const char* expected, std::string_view found) {
  if (!error_) {
    error_ = make_error(std::string("expected ") + expected + ", found " + std::string(found),
                        path_here() + "[" + std::to_string(frames_[depth_ - 1].index - 1) + "]");
  }
  return false;
}

void ModelBuilder::push(Ctx ctx, bool array) {
  if (depth_ == frames_.size()) frames_.resize(frames_.size() * 2);
  Frame& parent = frames_[depth_ - 1];
  Frame& f = frames_[depth_++];
  f.ctx = ctx;
  f.array = array;
  f.index = 0;
  if (!parent.array)
    f.key = key_;
  else
    f.key.clear();
}

std::optional<std::string> ModelBuilder::place() const {
  if (error_ || !capture_counts_.empty()) return std::nullopt;
  // A container's context says all that its contents are read by (whether it is a list, and
  // which key led to it, are part of it); the keys only name paths in errors.
  std::string p;
  for (std::size_t i = 1; i < depth_; ++i) p += static_cast<char>('A' + static_cast<int>(frames_[i].ctx));
  return p;
}

// ---- records ----

json::storage_ptr ModelBuilder::next_record_storage() {
  return sink_ ? sink_->record_storage() : json::storage_ptr();
}

void ModelBuilder::start_scan(ScanDest dest) {
  // A threat list's scans go to the sink as their threats, which share the scan's storage.
  renew(scan_, next_record_storage());
  scan_unknown_.start(pack_raw_);
  scan_dest_ = dest;
  scan_threats_listed_ = false;
  threats_sent_ = 0;
}

void ModelBuilder::finish_scan() {
  if (scan_threats_listed_ && !scan_.threat_count) {
    scan_.threat_count = static_cast<std::int64_t>(scan_.threats.size() + threats_sent_);
  }
  // Threats name the scan that found them; the scan's type may come after its threats.
  for (auto& t : scan_.threats) name_its_scan(t, scan_);
  switch (scan_dest_) {
    case ScanDest::kScanList:
      if (sink_) {
        sink_->scan(std::move(scan_), scan_unknown_.packed());
      } else if (root_ == ModelRoot::kAgentInformation) {
        info_.scans->push_back(std::move(scan_));
      } else {
        scans_.push_back(std::move(scan_));
      }
      break;
    case ScanDest::kThreatList: {
      // Threats leave their scan for the flat list (each names its scan); the scan keeps the count.
      auto& flat = root_ == ModelRoot::kAgentInformation ? *info_.threats : threats_;
      for (auto& t : scan_.threats) {
        if (sink_) {
          sink_->threat(std::move(t), {});  // they waited in their scan, fields in their objects
        } else {
          flat.push_back(std::move(t));
        }
      }
      scan_.threats.clear();
      if (root_ != ModelRoot::kAgentInformation) scans_.push_back(std::move(scan_));
      break;
    }
    case ScanDest::kRoot:
      scans_.push_back(std::move(scan_));
      break;
  }
}

void ModelBuilder::start_threat(ThreatDest dest) {
  if (dest == ThreatDest::kScan)
    renew(threat_, scan_.raw.storage());
  else
    renew(threat_, next_record_storage());
  threat_unknown_.start(pack_raw_ && dest == ThreatDest::kScan);  // quarantine entries read theirs
  threat_dest_ = dest;
  history_ = nullptr;
}

void ModelBuilder::finish_threat() {
  if (!history_.is_null()) {
    if (auto latest = latest_history_status(history_)) threat_.status = std::move(latest);
    threat_unknown_.add(threat_.raw, "history", std::move(history_));
    history_ = nullptr;
  }
  switch (threat_dest_) {
    case ThreatDest::kScan:
      // A threat list's threats go to the sink, each naming its scan. mdatp writes the scan's
      // type and start before its threats: then each goes at once, not kept in the scan until
      // its end and moved again.
      if (sink_ && scan_dest_ == ScanDest::kThreatList && scan_.type && scan_.start_ms) {
        name_its_scan(threat_, scan_);
        ++threats_sent_;
        sink_->threat(std::move(threat_), threat_unknown_.packed());
        break;
      }
      threat_unknown_.into_object(threat_.raw);  // it waits in its scan as a model record
      scan_.threats.push_back(std::move(threat_));
      break;
    case ThreatDest::kRoot:
      threats_.push_back(std::move(threat_));
      break;
    case ThreatDest::kQuarantine: {
      // Quarantine entries come in the threat shape (their own JSON is not documented).
      QuarantineEntry q;
      replace(q.raw, std::move(threat_.raw));  // with its storage, not copied
      q.id = std::move(threat_.id);
      q.name = std::move(threat_.name);
      q.type = std::move(threat_.type);
      q.path = std::move(threat_.path);
      if (threat_.status) q.raw["status"] = *threat_.status;
      if (auto it = q.raw.find("quarantineTime"); it != q.raw.end()) {
        if (auto s = scalar_of(it->value()); s && s->kind != Scalar::Kind::kNull) {
          if (auto t = scalar_time_ms(*s)) q.quarantined_ms = *t;
        }
        q.raw.erase(it);
      } else if (threat_.detected_ms) {
        q.raw["detectionTime"] = optional_time(threat_.detected_ms);
      }
      if (sink_) {
        sink_->quarantine(std::move(q));
      } else {
        auto& dest = root_ == ModelRoot::kAgentInformation ? *info_.quarantine : quarantine_;
        dest.push_back(std::move(q));
      }
      break;
    }
  }
}

// Converts a scalar into a field; null leaves it unknown, a wrong value fails naming the field.
template <typename T, typename Convert>
bool ModelBuilder::assign(std::optional<T>& field, const Scalar& v, std::string_view key, Convert&& convert) {
  if (v.kind == Scalar::Kind::kNull) return true;
  auto r = convert(v);
  if (!r) return fail(r.error().message, key);
  field = std::move(*r);
  return true;
}

bool ModelBuilder::scan_field(std::string_view key, const Scalar& v) {
  if (key == "durationMs") return true;  // derived on output
  switch (scan_fields().find(key)) {
    case Field::kScanId:
      return assign(scan_.id, v, key, scalar_text);
    case Field::kScanType:
      return assign(scan_.type, v, key, scalar_text);
    case Field::kScanState:
      return assign(scan_.state, v, key, scalar_text);
    case Field::kScanStart:
      return assign(scan_.start_ms, v, key, scalar_time_ms);
    case Field::kScanEnd:
      return assign(scan_.end_ms, v, key, scalar_time_ms);
    case Field::kFilesScanned:
      return assign(scan_.files_scanned, v, key, scalar_count);
    case Field::kThreatCount:
      return assign(scan_.threat_count, v, key, scalar_count);
    default:
      break;
  }
  if (key == "threats") return v.kind == Scalar::Kind::kNull || fail_kind("a list", v.kind_name(), key);
  scan_unknown_.add(scan_.raw, key, v);
  return true;
}

bool ModelBuilder::threat_field(std::string_view key, const Scalar& v) {
  switch (threat_fields().find(key)) {
    case Field::kThreatId:
      return assign(threat_.id, v, key, scalar_text);
    case Field::kThreatName:
      return assign(threat_.name, v, key, scalar_text);
    case Field::kThreatType:
      return assign(threat_.type, v, key, scalar_text);
    case Field::kThreatStatus:
      return assign(threat_.status, v, key, scalar_text);
    case Field::kThreatPath:
      return assign(threat_.path, v, key, scalar_text);
    case Field::kDetectionTime:
      return assign(threat_.detected_ms, v, key, scalar_time_ms);
    case Field::kThreatScanType:
      return assign(threat_.scan_type, v, key, scalar_text);
    case Field::kThreatScanStart:
      return assign(threat_.scan_start_ms, v, key, scalar_time_ms);
    default:
      break;
  }
  threat_unknown_.add(threat_.raw, key, v);
  return true;
}

// A wire-form "raw" object merges back into the record's unknown fields.
void ModelBuilder::merge_unknown(UnknownFields& fields, json::object& raw, std::string_view key,
                                 json::value&& v) {
  if (key == "raw" && v.is_object()) {
    for (auto& kv : v.get_object()) fields.add(raw, kv.key(), std::move(kv.value()));
  } else {
    fields.add(raw, key, std::move(v));
  }
}

// ---- captures ----

bool ModelBuilder::start_capture(CaptureDest dest, bool array) {
  capture_dest_ = dest;
  capture_key_ = key_;
  // Captured values that become a record's raw fields are made in the record's storage.
  switch (dest) {
    case CaptureDest::kScanRaw:
      capture_.reset(scan_.raw.storage());
      break;
    case CaptureDest::kThreatRaw:
    case CaptureDest::kHistory:
      capture_.reset(threat_.raw.storage());
      break;
    default:
      capture_.reset();
      break;
  }
  capture_counts_.clear();
  push(Ctx::kCapture, array);
  capture_counts_.push_back(0);
  return true;
}

bool ModelBuilder::capture_event_begin(bool array) {
  ++capture_counts_.back();
  push(Ctx::kCapture, array);
  capture_counts_.push_back(0);
  return true;
}

bool ModelBuilder::finish_capture(json::value&& v) {
  std::string_view key = capture_key_;
  switch (capture_dest_) {
    case CaptureDest::kDrop:
      return true;
    case CaptureDest::kTopRaw:
      info_.raw[key] = std::move(v);
      return true;
    case CaptureDest::kThreatInfoRaw: {
      json::value& holder = info_.raw["threatInformation"];
      if (!holder.is_object()) holder.emplace_object();
      holder.get_object()[key] = std::move(v);
      return true;
    }
    case CaptureDest::kHealth: {
      auto h = health_from_json(v.get_object(), path_of(key));
      if (!h) {
        error_ = h.error();
        return false;
      }
      info_.health = std::move(*h);
      return true;
    }
    case CaptureDest::kScanRaw:
      merge_unknown(scan_unknown_, scan_.raw, key, std::move(v));
      return true;
    case CaptureDest::kThreatRaw:
      merge_unknown(threat_unknown_, threat_.raw, key, std::move(v));
      return true;
    case CaptureDest::kHistory:
      replace(history_, std::move(v));
      return true;
  }
  return true;
}

// ---- dispatch: what a value means where it stands ----

bool ModelBuilder::dispatch_container(bool array) {
  Frame& f = frames_[depth_ - 1];
  const char* found = array ? "a list" : "an object";
  if (f.array) ++f.index;
  switch (f.ctx) {
    case Ctx::kRoot:
      return enter_root(array, found);
    case Ctx::kTop:
      return enter_top(array, found);
    case Ctx::kThreatInfo:
      return enter_threat_info(array, found);
    case Ctx::kThreatListTop:
    case Ctx::kThreatListInner:
    case Ctx::kQuarantineTop:
      return enter_list_wrapper(f.ctx, array, found);
    case Ctx::kScanArray:
    case Ctx::kQuarantineArray:
    case Ctx::kScanThreats:
      return enter_list_element(f.ctx, array, found);
    case Ctx::kScan:
      return enter_scan_field(array, found);
    case Ctx::kThreatOuter:
    case Ctx::kThreatBody:
      return enter_threat_field(f.ctx, array, found);
    case Ctx::kCapture:
      return capture_event_begin(array);
  }
  return true;
}

// The document itself: what the caller said it reads.
bool ModelBuilder::enter_root(bool array, const char* found) {
  switch (root_) {
    case ModelRoot::kAgentInformation:
      if (array) return fail_kind("a JSON object at the top", found, "");
      push(Ctx::kTop, false);
      return true;
    case ModelRoot::kScanList:
      if (!array) return fail_kind("a list of scans", found, "");
      push(Ctx::kScanArray, true);
      return true;
    case ModelRoot::kThreatList:
      if (array) return fail_kind("an object", found, "");
      push(Ctx::kThreatListTop, false);
      return true;
    case ModelRoot::kQuarantineList:
      push(array ? Ctx::kQuarantineArray : Ctx::kQuarantineTop, array);
      return true;
    case ModelRoot::kScan:
      if (array) return fail_kind("an object", found, "");
      start_scan(ScanDest::kRoot);
      push(Ctx::kScan, false);
      return true;
    case ModelRoot::kThreat:
    case ModelRoot::kQuarantineEntry:
      if (array) return fail_kind("an object", found, "");
      start_threat(root_ == ModelRoot::kThreat ? ThreatDest::kRoot : ThreatDest::kQuarantine);
      push(Ctx::kThreatOuter, false);
      return true;
  }
  return true;
}

// mde-agent-information.json's top level.
bool ModelBuilder::enter_top(bool array, const char* found) {
  std::string_view k = key_;
  if (k == "scanList") {
    if (!array) return fail_kind("a list of scans", found, k);
    info_.scans.emplace();
    push(Ctx::kScanArray, true);
    return true;
  }
  if (k == "threatInformation") {
    if (array) return fail_kind("an object", found, k);
    push(Ctx::kThreatInfo, false);
    return true;
  }
  if (k == "generalHealth") {
    if (array) return fail_kind("an object", found, k);
    return start_capture(CaptureDest::kHealth, false);
  }
  return start_capture(CaptureDest::kTopRaw, array);
}

bool ModelBuilder::enter_threat_info(bool array, const char* found) {
  std::string_view k = key_;
  if (k == "list") {
    if (array) return fail_kind("an object", found, k);
    info_.threats.emplace();
    push(Ctx::kThreatListTop, false);
    return true;
  }
  if (k == "quarantineList") {
    info_.quarantine.emplace();
    push(array ? Ctx::kQuarantineArray : Ctx::kQuarantineTop, array);
    return true;
  }
  return start_capture(CaptureDest::kThreatInfoRaw, array);
}

// The objects around the threat and quarantine lists: only their lists matter.
bool ModelBuilder::enter_list_wrapper(Ctx ctx, bool array, const char* found) {
  std::string_view k = key_;
  if (ctx == Ctx::kThreatListTop && k == "threats") {
    if (array) return fail_kind("an object", found, k);
    push(Ctx::kThreatListInner, false);
    return true;
  }
  if ((ctx == Ctx::kThreatListTop || ctx == Ctx::kThreatListInner) && k == "scans") {
    if (!array) return fail_kind("a list", found, k);
    push(Ctx::kScanArray, true);
    return true;
  }
  if (ctx == Ctx::kQuarantineTop && k == "threats") {
    if (!array) return fail_kind("a list", found, k);
    push(Ctx::kQuarantineArray, true);
    return true;
  }
  return start_capture(CaptureDest::kDrop, array);  // the list's own wrapper fields
}

// An entry of a list of scans, of quarantined items or of a scan's threats.
bool ModelBuilder::enter_list_element(Ctx ctx, bool array, const char* found) {
  if (array) return fail_element("an object", found);
  if (ctx == Ctx::kScanArray) {
    // Which list is this? The threat list's scans carry threats to flatten.
    bool threat_list = depth_ >= 2 && (frames_[depth_ - 2].ctx == Ctx::kThreatListInner ||
                                       frames_[depth_ - 2].ctx == Ctx::kThreatListTop);
    start_scan(threat_list ? ScanDest::kThreatList : ScanDest::kScanList);
    push(Ctx::kScan, false);
    return true;
  }
  start_threat(ctx == Ctx::kQuarantineArray ? ThreatDest::kQuarantine : ThreatDest::kScan);
  push(Ctx::kThreatOuter, false);
  return true;
}

bool ModelBuilder::enter_scan_field(bool array, const char* found) {
  std::string_view k = key_;
  if (k == "threats") {
    if (!array) return fail_kind("a list", found, k);
    scan_threats_listed_ = true;
    push(Ctx::kScanThreats, true);
    return true;
  }
  if (scalar_scan_field(k)) return fail_kind("a single value", found, k);
  return start_capture(CaptureDest::kScanRaw, array);
}

bool ModelBuilder::enter_threat_field(Ctx ctx, bool array, const char* found) {
  std::string_view k = key_;
  if (ctx == Ctx::kThreatOuter) {
    if (k == "threat" && !array) {
      push(Ctx::kThreatBody, false);
      return true;
    }
    if (k == "history") return start_capture(CaptureDest::kHistory, array);
  }
  if (scalar_threat_field(k)) return fail_kind("a single value", found, k);
  return start_capture(CaptureDest::kThreatRaw, array);
}

bool ModelBuilder::dispatch_scalar(const Scalar& v) {
  Frame& f = frames_[depth_ - 1];
  std::string_view k = key_;
  if (f.array) ++f.index;
  switch (f.ctx) {
    case Ctx::kRoot: {
      const char* expected = root_ == ModelRoot::kScanList ? "a list of scans" : "an object";
      return fail_kind(root_ == ModelRoot::kAgentInformation ? "a JSON object at the top" : expected,
                       v.kind_name(), "");
    }
    case Ctx::kTop:
      if (v.kind == Scalar::Kind::kNull) return true;  // a part that is null is unknown
      if (k == "scanList") return fail_kind("a list of scans", v.kind_name(), k);
      if (k == "threatInformation" || k == "generalHealth") return fail_kind("an object", v.kind_name(), k);
      info_.raw[k] = v.to_value();
      return true;
    case Ctx::kThreatInfo:
      if (v.kind == Scalar::Kind::kNull) return true;
      if (k == "list" || k == "quarantineList") return fail_kind("an object", v.kind_name(), k);
      {
        json::value& holder = info_.raw["threatInformation"];
        if (!holder.is_object()) holder.emplace_object();
        holder.get_object()[k] = v.to_value();
      }
      return true;
    case Ctx::kThreatListTop:
    case Ctx::kThreatListInner:
    case Ctx::kQuarantineTop:
      if (v.kind != Scalar::Kind::kNull && (k == "threats" || k == "scans")) {
        return fail_kind(f.ctx == Ctx::kQuarantineTop || k == "scans" ? "a list" : "an object", v.kind_name(),
                         k);
      }
      return true;  // "type":"quarantined" and other wrapper fields
    case Ctx::kScanArray:
    case Ctx::kScanThreats:
    case Ctx::kQuarantineArray:
      return fail_element("an object", v.kind_name());
    case Ctx::kScan:
      return scan_field(k, v);
    case Ctx::kThreatOuter:
      if (k == "history" || k == "threat") {
        if (v.kind == Scalar::Kind::kNull) return true;
        if (k == "threat") return fail_kind("an object", v.kind_name(), k);
        threat_unknown_.add(threat_.raw, k, v);
        return true;
      }
      return threat_field(k, v);
    case Ctx::kThreatBody:
      return threat_field(k, v);
    case Ctx::kCapture:
      ++capture_counts_.back();
      switch (v.kind) {
        case Scalar::Kind::kNull:
          capture_.push_null();
          break;
        case Scalar::Kind::kBool:
          capture_.push_bool(v.b);
          break;
        case Scalar::Kind::kInt64:
          capture_.push_int64(v.i);
          break;
        case Scalar::Kind::kUint64:
          capture_.push_uint64(v.u);
          break;
        case Scalar::Kind::kDouble:
          capture_.push_double(v.d);
          break;
        case Scalar::Kind::kString:
          capture_.push_string(json::string_view(v.s.data(), v.s.size()));
          break;
      }
      return true;
  }
  return true;
}

// ---- events ----

bool ModelBuilder::begin_object() { return error_ ? false : dispatch_container(false); }
bool ModelBuilder::begin_array() { return error_ ? false : dispatch_container(true); }
bool ModelBuilder::end_object() { return end_container(); }
bool ModelBuilder::end_array() { return end_container(); }

bool ModelBuilder::end_container() {
  if (error_) return false;
  Frame& f = frames_[depth_ - 1];
  Ctx ctx = f.ctx;
  if (ctx == Ctx::kCapture) {
    std::size_t n = capture_counts_.back();
    capture_counts_.pop_back();
    if (f.array)
      capture_.push_array(n);
    else
      capture_.push_object(n);
    --depth_;
    if (capture_counts_.empty()) return finish_capture(capture_.release());
    return true;
  }
  --depth_;
  switch (ctx) {
    case Ctx::kScan:
      finish_scan();
      break;
    case Ctx::kThreatOuter:
      finish_threat();
      break;
    default:
      break;
  }
  if (depth_ == 1) complete_ = true;
  return true;
}

bool ModelBuilder::key(std::string_view name) {
  if (error_) return false;
  if (frames_[depth_ - 1].ctx == Ctx::kCapture) {
    capture_.push_key(json::string_view(name.data(), name.size()));
    return true;
  }
  key_.assign(name.data(), name.size());
  return true;
}

bool ModelBuilder::scalar(const Scalar& value) {
  if (error_) return false;
  bool ok = dispatch_scalar(value);
  if (ok && depth_ == 1) complete_ = true;
  return ok;
}

}  // namespace nexus_mde
