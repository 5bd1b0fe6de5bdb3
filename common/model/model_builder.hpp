// Builds scans, threats and quarantine entries from JSON events (json_events.hpp): from a
// streamed document, record by record and without a tree, or from a tree via feed_tree. It is
// the one place that maps their field names (camelCase and snake_case, mdatp's and the wire
// form's) and types (epoch-ms as strings or numbers), so every reader agrees.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/storage_ptr.hpp>
#include <boost/json/value_stack.hpp>

#include "common/json/json_events.hpp"
#include "common/model/model.hpp"
#include "common/model/unknown_fields.hpp"

namespace nexus_mde {

// What the document's root is.
enum class ModelRoot {
  kAgentInformation,  // mde-agent-information.json
  kScanList,          // [scan, …] (mdatp scan list --output json)
  kThreatList,        // {"threats":{"scans":[scan with threats, …]}} (mdatp threat list --output json)
  kQuarantineList,    // {"type":"quarantined","threats":[…]} or […]
  kScan,              // one scan
  kThreat,            // one threat ({"threat":{…},"history":[…]} or flat)
  kQuarantineEntry,   // one quarantine entry (threat-shaped)
};

// Receives records as they complete, instead of the builder collecting them: a caller that
// handles records one at a time (report) never holds a whole extract's model.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // Scans and threats come with `packed_raw`: for a sink that takes unknown fields packed
  // (takes_packed_raw), their fields as unknown_fields.hpp packs them. A record's fields are
  // there or in its raw object, never in both: records kept as model records on the way (threats
  // waiting for their scan to name itself, a scan's nested threats), or with a key given twice,
  // keep objects, as quarantine entries do. Other sinks always get objects.
  virtual void scan(ScanRecord&& scan, std::string_view packed_raw) = 0;  // scanList
  virtual void threat(Threat&& threat, std::string_view packed_raw) = 0;  // threatInformation.list
  virtual void quarantine(QuarantineEntry&& entry) = 0;                   // threatInformation.quarantineList
  // A sink that only writes records as JSON may take their unknown fields packed, which costs
  // the parser less than building Boost.JSON objects for them (unknown_fields.hpp).
  virtual bool takes_packed_raw() const { return false; }
  // Where the next record's unknown fields (`raw`) are allocated. A sink that frees records in
  // batches hands out one arena per batch: a record's raw fields then cost no malloc or free each,
  // which had been a large share of the parse. Asked once before each record, and once before a
  // threat list's scan, whose threats then follow one by one.
  virtual boost::json::storage_ptr record_storage() { return {}; }
};

class ModelBuilder final : public JsonEvents {
 public:
  // `root_path` prefixes the field paths in errors ("scanList", "scans[3]").
  ModelBuilder(ModelRoot root, std::string root_path);

  bool begin_object() override;
  bool end_object() override;
  bool begin_array() override;
  bool end_array() override;
  bool key(std::string_view name) override;
  bool scalar(const Scalar& value) override;

  const std::optional<Error>& error() const { return error_; }
  bool complete() const { return complete_; }
  // Where the builder stands between values: the context of each open container (not the
  // paths or element counts that errors name). Two builders at the same place read what follows
  // alike (plugin/report/split_parse.hpp). Absent after an error, or inside a value being
  // captured.
  std::optional<std::string> place() const;

  // Results, by root: kAgentInformation fills agent_information(); kScanList and kScan fill
  // scans(); kThreatList fills scans() (each with its threat count) and threats() (the threats,
  // moved out of their scans, each naming its scan); kThreat fills threats(); kQuarantineList
  // and kQuarantineEntry fill quarantine().
  AgentInformation& agent_information() { return info_; }
  // kAgentInformation only: hand records to `sink` as they complete. The lists in
  // agent_information() then stay empty but present when the document has them.
  void set_sink(RecordSink* sink) {
    sink_ = sink;
    pack_raw_ = sink && sink->takes_packed_raw();
  }
  std::vector<ScanRecord>& scans() { return scans_; }
  std::vector<Threat>& threats() { return threats_; }
  std::vector<QuarantineEntry>& quarantine() { return quarantine_; }

 private:
  enum class Ctx {
    kRoot,
    kTop,
    kThreatInfo,
    kThreatListTop,
    kThreatListInner,
    kQuarantineTop,
    kScanArray,
    kScan,
    kScanThreats,
    kQuarantineArray,
    kThreatOuter,
    kThreatBody,
    kCapture,
  };
  enum class ScanDest { kScanList, kThreatList, kRoot };
  enum class ThreatDest { kScan, kRoot, kQuarantine };
  enum class CaptureDest { kDrop, kTopRaw, kHealth, kThreatInfoRaw, kScanRaw, kThreatRaw, kHistory };

  struct Frame {
    Ctx ctx = Ctx::kRoot;
    bool array = false;
    std::size_t index = 0;  // next element's index, in arrays
    std::string key;        // the key that led to this frame, when the parent is an object
  };

  bool begin_container(bool array);
  bool end_container();
  bool dispatch_container(bool array);
  // dispatch_container's cases: an object or list opening in a context of that kind; `found`
  // names it ("a list", "an object") for errors.
  bool enter_root(bool array, const char* found);
  bool enter_top(bool array, const char* found);
  bool enter_threat_info(bool array, const char* found);
  bool enter_list_wrapper(Ctx ctx, bool array, const char* found);
  bool enter_list_element(Ctx ctx, bool array, const char* found);
  bool enter_scan_field(bool array, const char* found);
  bool enter_threat_field(Ctx ctx, bool array, const char* found);
  bool dispatch_scalar(const Scalar& v);
  void push(Ctx ctx, bool array);
  bool start_capture(CaptureDest dest, bool array);
  bool capture_event_begin(bool array);
  bool finish_capture(boost::json::value&& v);
  boost::json::storage_ptr next_record_storage();  // the sink's, or the default
  void start_scan(ScanDest dest);
  void finish_scan();
  void start_threat(ThreatDest dest);
  void finish_threat();
  void merge_unknown(UnknownFields& fields, boost::json::object& raw, std::string_view key,
                     boost::json::value&& v);
  template <typename T, typename Convert>
  bool assign(std::optional<T>& field, const Scalar& v, std::string_view key, Convert&& convert);
  bool scan_field(std::string_view key, const Scalar& v);
  bool threat_field(std::string_view key, const Scalar& v);
  bool fail(std::string message, std::string_view key);
  bool fail_kind(const char* expected, std::string_view found, std::string_view key);
  bool fail_element(const char* expected, std::string_view found);
  std::string path_here() const;
  std::string path_of(std::string_view key) const;

  ModelRoot root_;
  std::string root_path_;
  std::vector<Frame> frames_;
  std::size_t depth_ = 0;  // frames_[0..depth_) are live; the rest keep their string capacity
  std::string key_;        // the key just read in an object frame
  std::optional<Error> error_;
  bool complete_ = false;

  // Records being built, and their unknown fields.
  ScanRecord scan_;
  UnknownFields scan_unknown_;
  ScanDest scan_dest_ = ScanDest::kRoot;
  bool scan_threats_listed_ = false;
  std::size_t threats_sent_ = 0;  // the scan's threats already handed to the sink
  Threat threat_;
  UnknownFields threat_unknown_;
  ThreatDest threat_dest_ = ThreatDest::kRoot;
  boost::json::value history_;

  // A subtree being captured as a value (unknown fields, generalHealth, history).
  boost::json::value_stack capture_;
  CaptureDest capture_dest_ = CaptureDest::kDrop;
  std::string capture_key_;
  std::vector<std::size_t> capture_counts_;  // elements per open container in the capture

  AgentInformation info_;
  RecordSink* sink_ = nullptr;
  bool pack_raw_ = false;  // the sink takes unknown fields packed
  std::vector<ScanRecord> scans_;
  std::vector<Threat> threats_;
  std::vector<QuarantineEntry> quarantine_;
};

// Runs a ModelBuilder over a tree; `pick` takes the result out of the builder
// (e.g. [](ModelBuilder& b) -> auto& { return b.scans(); }).
template <typename Pick>
auto build_from_tree(ModelRoot root, const boost::json::value& value, const std::string& path, Pick&& pick)
    -> Result<std::decay_t<decltype(pick(std::declval<ModelBuilder&>()))>> {
  ModelBuilder builder(root, path);
  feed_tree(value, builder);
  if (builder.error()) return *builder.error();
  return std::move(pick(builder));
}

}  // namespace nexus_mde
