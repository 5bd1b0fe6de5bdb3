#include "plugin/report/record_serializer.hpp"

#include <utility>

namespace nexus_mde::plugin {

RecordSerializer::~RecordSerializer() {
  if (!worker_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  worker_.join();
}

void RecordSerializer::add(ScanRecord&& scan, std::string_view packed_raw) {
  filling_.tape.add(std::move(scan), packed_raw);
  added();
}

void RecordSerializer::add(Threat&& threat, std::string_view packed_raw) {
  filling_.tape.add(std::move(threat), packed_raw);
  added();
}

void RecordSerializer::add(QuarantineEntry&& entry) {
  filling_.tape.add(std::move(entry));
  added();
}

boost::json::storage_ptr RecordSerializer::storage() {
  if (filling_.size() >= kBatchRecords) hand_over();
  filling_.arena_used = true;
  return boost::json::storage_ptr(filling_.arena.get());
}

void RecordSerializer::added() {
  // Once records use the arena, a record still being made may be in it (a threat list's scan
  // adds its threats one by one): the batch waits for the next storage().
  if (filling_.size() >= kBatchRecords && !filling_.arena_used) hand_over();
}

void RecordSerializer::hand_over() {
  if (threads_ == Threads::kInline) {
    serialize(filling_);
    filling_.clear();
    return;
  }
  if (!worker_.joinable()) worker_ = std::thread([this] { work(); });
  Batch next;  // a new batch while none has come back yet
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock,
                  [this] { return queue_.size() < kQueuedBatches; });  // the parser waits for the worker
    queue_.push_back(std::move(filling_));
    if (!spent_.empty()) {
      next = std::move(spent_.back());
      spent_.pop_back();
    }
  }
  changed_.notify_all();
  next.clear();  // here, not on the worker's thread
  filling_ = std::move(next);
}

void RecordSerializer::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left
    Batch batch = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    changed_.notify_all();  // room in the queue
    std::exception_ptr failed;
    try {
      serialize(batch);
    } catch (...) {
      failed = std::current_exception();
    }
    lock.lock();
    spent_.push_back(std::move(batch));
    if (failed && !failure_) failure_ = failed;
    busy_ = false;
    changed_.notify_all();
  }
}

RecordSerializer::Sections& RecordSerializer::drain() {
  if (!worker_.joinable()) {
    serialize(filling_);  // a small file: no thread needed
    filling_.clear();
    return sections_;
  }
  if (filling_.size() > 0) hand_over();
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return queue_.empty() && !busy_; });
  for (auto& batch : spent_) batch.clear();  // the worker is idle: the last file's records go now
  if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
  return sections_;
}

void RecordSerializer::clear() {
  filling_.clear();  // records not handed over yet are dropped, not serialized
  if (worker_.joinable()) {
    std::unique_lock lock(mutex_);
    for (auto& batch : queue_) spent_.push_back(std::move(batch));  // nor are those still queued
    queue_.clear();
    changed_.wait(lock, [this] { return !busy_; });
    for (auto& batch : spent_) batch.clear();
    failure_ = nullptr;
  }
  sections_.scans.clear();
  sections_.threats.clear();
  sections_.quarantine.clear();
}

void RecordSerializer::splice(Sections&& later) {
  drain();
  sections_.take(std::move(later));
}

void RecordSerializer::serialize(Batch& batch) { batch.tape.replay(sections_, record_text_); }

}  // namespace nexus_mde::plugin
