#include "plugin/report/record_arena.hpp"

#include <algorithm>
#include <cstdint>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
// Under AddressSanitizer memory rewound by reset() is poisoned until handed out again, so a
// record read after its batch was recycled is reported, not silently read as another's bytes.
#define NEXUS_MDE_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define NEXUS_MDE_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define NEXUS_MDE_POISON(p, n) ((void)(p), (void)(n))
#define NEXUS_MDE_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace nexus_mde::plugin {

RecordArena::~RecordArena() {
  for (auto& block : blocks_) NEXUS_MDE_UNPOISON(block.data.get(), block.size);
}

void RecordArena::reset() {
  for (auto& block : blocks_) NEXUS_MDE_POISON(block.data.get(), block.size);
  current_ = 0;
  used_ = 0;
}

void* RecordArena::do_allocate(std::size_t bytes, std::size_t align) {
  for (;;) {
    if (current_ < blocks_.size()) {
      Block& block = blocks_[current_];
      auto base = reinterpret_cast<std::uintptr_t>(block.data.get());
      std::size_t start = ((base + used_ + align - 1) & ~(align - 1)) - base;
      if (start + bytes <= block.size) {
        used_ = start + bytes;
        NEXUS_MDE_UNPOISON(block.data.get() + start, bytes);
        return block.data.get() + start;
      }
      if (current_ + 1 < blocks_.size()) {  // the next kept block, if this one is full
        ++current_;
        used_ = 0;
        continue;
      }
    }
    // A new block; one larger than the standard size for a value bigger than a block.
    std::size_t size = std::max(kBlock, bytes + align);
    blocks_.push_back(Block{std::make_unique_for_overwrite<std::byte[]>(size), size});
    current_ = blocks_.size() - 1;
    used_ = 0;
  }
}

}  // namespace nexus_mde::plugin
