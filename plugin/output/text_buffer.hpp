// Text built up in fixed-size blocks: appending never moves what is already there (a growing
// std::string copies itself on every reallocation, which dominated large reports).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nexus_mde::plugin {

class TextBuffer {
 public:
  static constexpr std::size_t kBlock = 1 << 20;

  void append(std::string_view text) {
    while (!text.empty()) {
      if (blocks_.empty() || blocks_.back().size() == blocks_.back().capacity()) {
        blocks_.emplace_back();
        blocks_.back().reserve(kBlock);
      }
      std::string& last = blocks_.back();
      std::size_t n = std::min(text.size(), last.capacity() - last.size());
      last.append(text.substr(0, n));
      text.remove_prefix(n);
    }
  }
  bool empty() const { return blocks_.empty(); }
  void clear() { blocks_.clear(); }
  const std::vector<std::string>& blocks() const { return blocks_; }

 private:
  std::vector<std::string> blocks_;
};

}  // namespace nexus_mde::plugin
