#include "plugin/output/text_buffer.hpp"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <new>

namespace nexus_mde::plugin {

std::span<char> TextBuffer::tail() {
  if (blocks_.empty() || blocks_.back().size == kBlock) {
    auto* p = static_cast<char*>(std::malloc(kBlock));
    if (!p) throw std::bad_alloc();
    blocks_.push_back(Block{std::unique_ptr<char, Free>(p), 0});
  }
  Block& last = blocks_.back();
  return {last.data.get() + last.size, kBlock - last.size};
}

void TextBuffer::append(std::string_view text) {
  while (!text.empty()) {
    tail();
    Block& last = blocks_.back();
    std::size_t n = std::min(text.size(), kBlock - last.size);
    std::memcpy(last.data.get() + last.size, text.data(), n);
    last.size += n;
    text.remove_prefix(n);
  }
}

void TextBuffer::take(TextBuffer&& other) {
  // Appends go to the last block, which is now other's: the text stays in order.
  blocks_.insert(blocks_.end(), std::make_move_iterator(other.blocks_.begin()),
                 std::make_move_iterator(other.blocks_.end()));
  other.blocks_.clear();
}

std::vector<std::string_view> TextBuffer::pieces() const {
  std::vector<std::string_view> out;
  out.reserve(blocks_.size());
  for (const auto& b : blocks_) out.emplace_back(b.data.get(), b.size);
  return out;
}

}  // namespace nexus_mde::plugin
