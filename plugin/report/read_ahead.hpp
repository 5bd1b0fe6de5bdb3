// Reads an input on a thread of its own, a few chunks ahead of the code that consumes it: the
// read (a copy out of the page cache, or an archive's inflate) then runs beside the parse on the
// other core instead of taking turns with it (figures: docs/performance.md, "The report").
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string_view>

#include "common/sys/result.hpp"

namespace nexus_mde::plugin {

// Fills `buffer` with the input's next bytes and says how many; 0 at the end of the input.
// Called on the reading thread, one call at a time.
using ChunkFill = std::function<Result<std::size_t>(std::span<char> buffer)>;

// Receives the input chunk by chunk, on the caller's thread; false stops the reading.
using ChunkSink = std::function<bool(std::string_view chunk)>;

inline constexpr std::size_t kReadAheadChunkBytes = std::size_t{1} << 20;
inline constexpr std::size_t kReadAheadChunks = 4;  // filled or being filled while one is consumed

// Calls `fill` on a reading thread and `sink` here, in order, for every chunk, until the input
// ends (true), `sink` returns false (false), or `fill` fails (its error, after the chunks read
// before it). The reading thread is stopped and joined before this returns or rethrows what
// `sink` or `fill` threw.
Result<bool> read_ahead(const ChunkFill& fill, const ChunkSink& sink);

}  // namespace nexus_mde::plugin
