// Reads `mde-agent-information.json` from what an operator has downloaded: the JSON file itself,
// or the data extract's .tar.gz (any tar libarchive reads, compressed or not). The archive is
// read straight from the file into memory: no temporary files.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "common/sys/result.hpp"
#include "plugin/report/read_ahead.hpp"

namespace nexus_mde::plugin {

inline constexpr const char* kAgentInformationFile = "mde-agent-information.json";
// A larger member is refused rather than read: a defence against decompression bombs.
inline constexpr std::size_t kMaxAgentInformationBytes = std::size_t{2} << 30;

struct ExtractFile {
  std::string source;  // the path as given
  std::string node;    // the node's name, from the file or archive name
};

// Streams the text of mde-agent-information.json to `sink` in chunks as it is read (from the
// file, or decompressed from the archive), never holding it whole; the reading runs on a thread
// of its own (read_ahead.hpp). `sink` returns false to stop early (its own error); the result is
// an error only when the input cannot be read.
Result<bool> stream_extract(const std::string& path, const ChunkSink& sink,
                            std::size_t max_bytes = kMaxAgentInformationBytes);

// Streams bytes [from, to) of a plain file as stream_extract streams a whole one; `to` may be
// kToTheEnd. For reading one file in parts (split_parse.hpp).
inline constexpr std::size_t kToTheEnd = static_cast<std::size_t>(-1);
Result<bool> stream_file_range(const std::string& path, std::size_t from, std::size_t to,
                               const ChunkSink& sink, std::size_t max_bytes = kMaxAgentInformationBytes);

// Whether the file is an archive rather than JSON text, by its first 512 bytes.
Result<bool> is_archive_file(const std::string& path);

// The same for a download held in memory (the data extract's tar.gz, or the JSON itself).
Result<bool> stream_extract_bytes(std::string_view bytes, const ChunkSink& sink,
                                  std::size_t max_bytes = kMaxAgentInformationBytes);

// "x/rack1control01.mde-agent-information.json" -> "rack1control01";
// "rack1control01-mde.tar.gz" -> "rack1control01-mde"; "r1/mde-agent-information.json" -> "r1".
std::string node_name_from_path(const std::string& path);

}  // namespace nexus_mde::plugin
