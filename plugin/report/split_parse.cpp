#include "plugin/report/split_parse.hpp"

#include <array>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "common/json/json_events.hpp"
#include "common/mdatp/agent_information.hpp"
#include "common/model/model_builder.hpp"
#include "plugin/report/extract_reader.hpp"
#include "plugin/report/report.hpp"

namespace nexus_mde::plugin {

namespace {

namespace fs = std::filesystem;

// The texts that open the two lists a boundary may be guessed in, as the second part's parser
// reads them before the file's text from the boundary on.
constexpr std::string_view kScanListPrefix = R"({"scanList":[)";
constexpr std::string_view kThreatListPrefix = R"({"threatInformation":{"list":{"threats":{"scans":[)";

constexpr std::size_t kBoundaryWindow = std::size_t{64} << 10;  // searched for a boundary
constexpr std::size_t kListWindow = 2048;                       // after it, to tell the lists apart

struct Boundary {
  std::size_t cut = 0;    // just past the "}" of the scan before it: where the first part stops
  std::size_t start = 0;  // the "{" of the scan after it: where the second part starts
  std::string_view prefix;
};

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// The first key of a scan, in either list's spelling.
bool is_scan_key(std::string_view key) {
  static constexpr std::array<std::string_view, 9> kKeys = {"type",       "state",    "threats",
                                                            "startTime",  "endTime",  "filesScanned",
                                                            "start_time", "end_time", "files_scanned"};
  for (auto k : kKeys) {
    if (key == k) return true;
  }
  return false;
}

std::string read_at(std::ifstream& in, std::size_t at, std::size_t n) {
  std::string text(n, '\0');
  in.clear();
  in.seekg(static_cast<std::streamoff>(at));
  in.read(text.data(), static_cast<std::streamsize>(n));
  text.resize(in ? n : static_cast<std::size_t>(in.gcount()));
  return text;
}

// Looks from `size * at` on for "}", ",", "{" and a scan's key, with only whitespace between:
// what the boundary between two scans looks like. Which list: a scan of the scan list has
// camelCase times, one of the threat list snake_case (tests/fixtures/extracts).
std::optional<Boundary> find_boundary(std::ifstream& in, std::size_t size, double at) {
  auto from = static_cast<std::size_t>(static_cast<double>(size) * at);
  std::string w = read_at(in, from, kBoundaryWindow + kListWindow);
  auto skip_space = [&](std::size_t i) {
    while (i < w.size() && is_space(w[i])) ++i;
    return i;
  };
  for (std::size_t i = w.find('}'); i != std::string::npos && i < kBoundaryWindow; i = w.find('}', i + 1)) {
    std::size_t comma = skip_space(i + 1);
    if (comma >= w.size() || w[comma] != ',') continue;
    std::size_t open = skip_space(comma + 1);
    if (open >= w.size() || w[open] != '{') continue;
    std::size_t quote = skip_space(open + 1);
    if (quote >= w.size() || w[quote] != '"') continue;
    std::size_t key_end = w.find('"', quote + 1);
    if (key_end == std::string::npos ||
        !is_scan_key(std::string_view(w).substr(quote + 1, key_end - quote - 1)))
      continue;
    std::string_view after = std::string_view(w).substr(open, kListWindow);
    std::size_t camel = after.find("\"startTime\"");
    std::size_t snake = after.find("\"start_time\"");
    if (camel == snake) continue;  // neither
    return Boundary{from + i + 1, from + open, snake < camel ? kThreatListPrefix : kScanListPrefix};
  }
  return std::nullopt;
}

// From `from`, at `depth` containers open, to the "]" that leaves fewer than `list_depth` open.
std::optional<std::size_t> find_list_close(std::ifstream& in, std::size_t from, int depth, int list_depth) {
  in.clear();
  in.seekg(static_cast<std::streamoff>(from));
  std::array<char, 4096> buffer;
  bool in_string = false;
  bool escaped = false;
  std::size_t at = from;
  while (in.read(buffer.data(), buffer.size()) || in.gcount() > 0) {
    auto n = static_cast<std::size_t>(in.gcount());
    for (std::size_t i = 0; i < n; ++i, ++at) {
      char c = buffer[i];
      if (in_string) {
        if (escaped)
          escaped = false;
        else if (c == '\\')
          escaped = true;
        else if (c == '"')
          in_string = false;
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth < list_depth) return c == ']' ? std::optional<std::size_t>(at) : std::nullopt;
      }
    }
  }
  return std::nullopt;
}

// The second part, parsed on a thread of its own into `sink`, from the boundary to the close of
// the list the boundary was guessed in.
class SecondPart {
 public:
  SecondPart(const std::string& path, const Boundary& boundary, RecordSink& sink)
      : thread_([this, path, boundary, &sink] { run(path, boundary, sink); }) {}
  ~SecondPart() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  SecondPart(const SecondPart&) = delete;
  SecondPart& operator=(const SecondPart&) = delete;

  // Waits for the part to end. Where the list closes (its "]"), and the place the prefix left
  // its parser in; nothing when the part failed.
  struct End {
    std::size_t close = 0;
    std::string place;
  };
  std::optional<End> wait() {
    thread_.join();
    return end_;
  }

 private:
  void run(const std::string& path, const Boundary& boundary, RecordSink& sink) {
    try {
      AgentInformationParser parser("", &sink, /*track_positions=*/true);
      if (!parser.write(boundary.prefix)) return;
      std::optional<std::string> place = parser.builder().place();
      if (!place) return;
      JsonPositions events = parser.events().positions();
      events.stop_at_close();
      const int list_depth = events.depth();
      std::ifstream in(path, std::ios::binary);
      in.seekg(static_cast<std::streamoff>(boundary.start));
      std::vector<char> buffer(kReadAheadChunkBytes);
      for (;;) {
        if (stop_) return;
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        auto n = static_cast<std::size_t>(in.gcount());
        if (n == 0) return;  // the file ended inside the list: the first part's parser says so
        if (!parser.write(std::string_view(buffer.data(), n))) break;
      }
      if (!events.closed_region()) return;  // bad JSON or a bad field: the first part finds it
      // After the last text read in place, only structure is left before the "]" (and strings
      // the parser unescaped in a buffer, which find_list_close reads over).
      std::size_t from = boundary.start;
      int depth = list_depth;
      if (auto text = events.last_text_end(); text && text->offset >= boundary.prefix.size()) {
        from = boundary.start + (text->offset - boundary.prefix.size());
        depth = text->depth;
      }
      if (auto close = find_list_close(in, from, depth, list_depth)) end_ = End{*close, std::move(*place)};
    } catch (...) {
      end_.reset();  // out of memory, say: the first part reads it all again
    }
  }

  std::atomic<bool> stop_ = false;
  std::optional<End> end_;
  std::thread thread_;  // last: it starts once the rest is built
};

}  // namespace

Result<bool> stream_extract_split(const std::string& path, AgentInformationParser& parser,
                                  ReportPrinter& printer, const SplitOptions& options,
                                  SplitOutcome& outcome) {
  outcome = SplitOutcome::kNotTried;
  auto write = [&](std::string_view chunk) { return parser.write(chunk); };
  std::error_code ec;
  std::size_t size = fs::is_regular_file(path, ec) ? static_cast<std::size_t>(fs::file_size(path, ec)) : 0;
  if (ec || size < options.min_bytes || size > kMaxAgentInformationBytes) return stream_extract(path, write);
  std::optional<Boundary> boundary;
  if (Result<bool> archived = is_archive_file(path); archived && !*archived) {
    std::ifstream in(path, std::ios::binary);
    if (in) boundary = find_boundary(in, size, options.at);
  }
  std::unique_ptr<ReportRegion> region = boundary ? printer.begin_region() : nullptr;
  if (!region) return stream_extract(path, write);

  SecondPart second(path, *boundary, *region);
  outcome = SplitOutcome::kDiscarded;  // until the proof below
  auto first = stream_file_range(path, 0, boundary->cut, write);
  if (!first || !*first) return first;  // the second part is stopped on the way out
  auto end = second.wait();
  // The proof: the first part's parser stands where the prefix left the second's, and not inside
  // a string: the "}" before the boundary ended an object in that list.
  bool proven = end && !parser.events().positions().inside_text() && parser.builder().place() == end->place;
  printer.end_region(*region, proven);
  std::size_t from = boundary->cut;
  if (proven) {
    parser.events().positions().skipped(end->close - boundary->cut);
    from = end->close;
    outcome = SplitOutcome::kSpliced;
  }
  return stream_file_range(path, from, kToTheEnd, write);
}

}  // namespace nexus_mde::plugin
