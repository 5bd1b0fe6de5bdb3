// Text built up in fixed-size blocks: appending never moves what is already there (a growing
// std::string copies itself on every reallocation, which dominated large reports). Blocks are
// ordinary pages, not huge ones, which fault in slowly once the host took them back
// (docs/performance.md, "The report").
#pragma once

#include <cstdlib>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace nexus_mde::plugin {

class TextBuffer {
 public:
  static constexpr std::size_t kBlock = std::size_t{2} << 20;

  void append(std::string_view text);
  // Room at the end of the last block (a new block when it is full), for a writer to fill in
  // place; commit() then says how much it wrote.
  std::span<char> tail();
  void commit(std::size_t n) { blocks_.back().size += n; }
  bool empty() const { return blocks_.empty(); }
  void clear() { blocks_.clear(); }
  // The first character; the buffer must not be empty.
  char& front() { return *blocks_.front().data; }
  // Appends `other`'s text by taking its blocks, without a copy; `other` is left empty.
  void take(TextBuffer&& other);
  // The text, block by block.
  std::vector<std::string_view> pieces() const;

 private:
  struct Free {
    void operator()(char* p) const { std::free(p); }
  };
  struct Block {
    std::unique_ptr<char, Free> data;
    std::size_t size = 0;
  };
  std::vector<Block> blocks_;
};

}  // namespace nexus_mde::plugin
