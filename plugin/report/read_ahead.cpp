#include "plugin/report/read_ahead.hpp"

#include <array>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace nexus_mde::plugin {

namespace {

// The chunks between the reading thread and the consumer: a ring of kReadAheadChunks buffers,
// filled in order and consumed in order.
class ChunkRing {
 public:
  // Reading side: the next buffer to fill, once the consumer has room; empty when it stopped.
  std::span<char> wait_for_room() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return stopped_ || filled_ - consumed_ < kReadAheadChunks; });
    if (stopped_) return {};
    auto& slot = slots_[filled_ % kReadAheadChunks];
    // Allocated at first use and not zeroed: a small file needs one buffer, and every byte is
    // written by the read before it is consumed.
    if (!slot.data) slot.data.reset(new char[kReadAheadChunkBytes]);
    return {slot.data.get(), kReadAheadChunkBytes};
  }

  void filled(std::size_t size) {
    {
      std::lock_guard lock(mutex_);
      slots_[filled_ % kReadAheadChunks].size = size;
      ++filled_;
    }
    changed_.notify_all();
  }

  // The input ended: cleanly (no error), with a read error, or with an exception.
  void ended(std::optional<Error> error, std::exception_ptr thrown) {
    {
      std::lock_guard lock(mutex_);
      ended_ = true;
      error_ = std::move(error);
      thrown_ = thrown;
    }
    changed_.notify_all();
  }

  // Consumer side: the next filled chunk, or nothing once the input has ended and every chunk
  // read before the end has been consumed.
  std::optional<std::string_view> wait_for_chunk() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return ended_ || filled_ > consumed_; });
    if (filled_ == consumed_) return std::nullopt;
    const auto& slot = slots_[consumed_ % kReadAheadChunks];
    return std::string_view(slot.data.get(), slot.size);
  }

  void consumed() {
    {
      std::lock_guard lock(mutex_);
      ++consumed_;
    }
    changed_.notify_all();
  }

  // Why the input ended, once wait_for_chunk() has said it did.
  Result<bool> outcome() {
    std::lock_guard lock(mutex_);
    if (thrown_) std::rethrow_exception(thrown_);
    if (error_) return *error_;
    return true;
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    changed_.notify_all();
  }

 private:
  struct Slot {
    std::unique_ptr<char[]> data;
    std::size_t size = 0;
  };

  std::mutex mutex_;
  std::condition_variable changed_;
  std::array<Slot, kReadAheadChunks> slots_;
  std::size_t filled_ = 0;    // chunks filled so far
  std::size_t consumed_ = 0;  // chunks consumed so far
  bool ended_ = false;
  bool stopped_ = false;  // the consumer wants no more
  std::optional<Error> error_;
  std::exception_ptr thrown_;
};

void read_chunks(const ChunkFill& fill, ChunkRing& ring) {
  try {
    for (;;) {
      std::span<char> buffer = ring.wait_for_room();
      if (buffer.empty()) return;  // the consumer stopped
      Result<std::size_t> read = fill(buffer);
      if (!read) return ring.ended(read.error(), nullptr);
      if (*read == 0) return ring.ended(std::nullopt, nullptr);
      ring.filled(*read);
    }
  } catch (...) {
    ring.ended(std::nullopt, std::current_exception());
  }
}

// Stops and joins the reading thread however the consumer leaves (a stop, an error, a throw).
class ReaderThread {
 public:
  ReaderThread(const ChunkFill& fill, ChunkRing& ring)
      : ring_(ring), thread_([&fill, &ring] { read_chunks(fill, ring); }) {}
  ~ReaderThread() {
    ring_.stop();
    thread_.join();
  }
  ReaderThread(const ReaderThread&) = delete;
  ReaderThread& operator=(const ReaderThread&) = delete;

 private:
  ChunkRing& ring_;
  std::thread thread_;
};

}  // namespace

Result<bool> read_ahead(const ChunkFill& fill, const ChunkSink& sink) {
  ChunkRing ring;
  ReaderThread reader(fill, ring);
  while (auto chunk = ring.wait_for_chunk()) {
    if (!sink(*chunk)) return false;
    ring.consumed();
  }
  return ring.outcome();
}

}  // namespace nexus_mde::plugin
