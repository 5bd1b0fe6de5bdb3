// A file's records as JSON text, one array per section, serialized on a second thread while the
// parser reads on: on a large extract, parsing and serializing each take about half the time.
// Records go over in batches, each a RecordTape (at most ten thousand or so records in flight, so
// memory stays bounded by the text, not by records waiting; a batch grows past its size only to
// keep a threat list's scan whole); drain() waits until every record added is text. Small files
// never start the thread, nor does a file read in two parts (split_parse.hpp), where each part
// serializes its own records on its own thread (Threads::kInline).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/json/storage_ptr.hpp>

#include "common/model/model.hpp"
#include "plugin/report/record_arena.hpp"
#include "plugin/report/record_tape.hpp"

namespace nexus_mde::plugin {

class RecordSerializer {
 public:
  using Sections = SectionTexts;

  // kInline serializes each full batch on the caller's thread, for a caller that is itself one
  // of two parsers at work (split_parse.hpp).
  enum class Threads { kOwn, kInline };
  explicit RecordSerializer(Threads threads = Threads::kOwn) : threads_(threads) {}
  // kOwn at any time between records; kInline only while the worker holds none of the file's
  // records (after drain() or clear(), or before a file's first record).
  void set_threads(Threads threads) { threads_ = threads; }
  RecordSerializer(const RecordSerializer&) = delete;
  RecordSerializer& operator=(const RecordSerializer&) = delete;
  ~RecordSerializer();

  // `packed_raw`: the record's unknown fields, packed, when they are not in its raw object
  // (RecordSink::takes_packed_raw).
  void add(ScanRecord&& scan, std::string_view packed_raw = {});
  void add(Threat&& threat, std::string_view packed_raw = {});
  void add(QuarantineEntry&& entry);
  // Where the next record's raw fields are to be allocated: the arena of the batch being filled
  // (records in an arena cost nothing to free). Ask before making each record: a record made
  // from it must be added to this batch, so a full batch is handed over here, between records,
  // and add() holds on to it once its arena is in use. Records made with the default storage
  // need not ask.
  boost::json::storage_ptr storage();
  // Every record added so far, as text. Rethrows what the thread failed with (out of memory).
  Sections& drain();
  // Empties the sections for the next file; records not yet serialized (a file abandoned
  // halfway) are dropped.
  void clear();
  // Appends `later`'s records (another serializer's, drained) after every record added so far.
  void splice(Sections&& later);

 private:
  // 2048, not 512: fewer hand-overs, each a wake-up of the other thread (docs/performance.md,
  // "The report's constants").
  static constexpr std::size_t kBatchRecords = 2048;
  static constexpr std::size_t kQueuedBatches = 4;

  struct Batch {
    // Batches are reused, never destroyed before the serializer: a record being made when a
    // file is abandoned may still point at its arena.
    std::unique_ptr<RecordArena> arena = std::make_unique<RecordArena>();
    bool arena_used = false;
    RecordTape tape;
    std::size_t size() const { return tape.records(); }
    void clear() {
      tape.clear();
      arena->reset();
      arena_used = false;
    }
  };

  void added();
  void hand_over();
  void work();
  void serialize(Batch& batch);

  Threads threads_;
  Batch filling_;      // the parser's side
  Sections sections_;  // the worker's while it runs; the caller's after drain()
  std::string record_text_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> queue_;
  // Serialized batches go back to the parser's thread, which frees their raw objects (memory is
  // best freed by the thread that allocated it: glibc's arenas) and refills them.
  std::vector<Batch> spent_;
  bool busy_ = false;  // the worker holds a batch
  bool stopping_ = false;
  std::exception_ptr failure_;
  std::thread worker_;  // started by the first full batch
};

}  // namespace nexus_mde::plugin
