// Memory for the raw fields of one batch of records (RecordSerializer): a bump allocator whose
// deallocate does nothing and that Boost.JSON knows to be so, so destroying a record's raw
// object is free (no walk over its values, no free per string). reset() rewinds it for the next
// batch and keeps its blocks: fresh memory costs a page fault per page.
//
// It is not reference counted: a record made from it must not be read after reset(). Destroying
// one later is safe while the arena object lives (a string's destructor calls its deallocate,
// which does nothing), which is why RecordSerializer keeps its batches until it goes itself.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include <boost/json/memory_resource.hpp>

namespace nexus_mde::plugin {

class RecordArena final : public boost::json::memory_resource {
 public:
  static constexpr std::size_t kBlock = std::size_t{256} << 10;  // a batch's raw fields take ~2 MB

  RecordArena() = default;
  ~RecordArena() override;
  RecordArena(const RecordArena&) = delete;
  RecordArena& operator=(const RecordArena&) = delete;

  // Everything allocated is released at once; the blocks stay for reuse.
  void reset();

 private:
  void* do_allocate(std::size_t bytes, std::size_t align) override;
  void do_deallocate(void*, std::size_t, std::size_t) override {}
  bool do_is_equal(const boost::json::memory_resource& other) const noexcept override {
    return this == &other;
  }

  struct Block {
    std::unique_ptr<std::byte[]> data;
    std::size_t size = 0;
  };
  std::vector<Block> blocks_;
  std::size_t current_ = 0;  // the block being filled
  std::size_t used_ = 0;     // bytes used in it
};

}  // namespace nexus_mde::plugin

template <>
struct boost::json::is_deallocate_trivial<nexus_mde::plugin::RecordArena> {
  static constexpr bool value = true;
};
