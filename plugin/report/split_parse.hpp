// Reads a large mde-agent-information.json in two parts at once, one per CPU. The second part
// starts at a guess: a place near the middle of the file that looks like the boundary between two
// scans of the scan list or of the threat list. A second thread parses from there, as if the
// text before it were the short prefix that opens that list, up to the list's closing bracket;
// the caller's parser reads the first part meanwhile. When it reaches the guessed boundary, its
// own state proves or disproves the guess: it is not inside a string (so the "}" before the
// boundary closed an object), and it has the same containers open as the prefix opened. If so,
// it takes the second thread's records as its own and goes on after the list; if not (the guess
// was between two threats of a scan, inside a string, or the second part failed), they are
// dropped and it reads on from the boundary itself. Either way the
// output, errors included, is what reading the file in one piece gives, because the caller's
// parser is the only one that decides anything about the document.
//
// Why: the report's time is the parse, which is one thread's work however it is pipelined; two
// parsers, each serializing its own records, split it, and pass nothing between the CPUs until
// the end (figures: docs/performance.md, "The report").
#pragma once

#include <cstddef>
#include <string>

#include "common/sys/result.hpp"

namespace nexus_mde {
class AgentInformationParser;
}

namespace nexus_mde::plugin {

class ReportPrinter;

struct SplitOptions {
  // Smaller files are read in one piece: below about 4 MiB a second thread costs more than it
  // saves (docs/performance.md, "The report's constants").
  std::size_t min_bytes = std::size_t{4} << 20;
  // Where to look for the boundary, as a fraction of the file: before the middle, since the
  // first part also reads the head of the file and what follows the list, and prints.
  double at = 0.45;
};

enum class SplitOutcome {
  kNotTried,   // small, an archive, or no boundary found
  kSpliced,    // read in two parts
  kDiscarded,  // the guess was wrong, or the second part failed: read in one piece after all
};

// Streams the file at `path` into `parser` as stream_extract does, in two parts when it is a
// plain file of at least `options.min_bytes`: the second part's records go to a region of
// `printer` (ReportPrinter::begin_region). `outcome` says which way it went.
Result<bool> stream_extract_split(const std::string& path, AgentInformationParser& parser,
                                  ReportPrinter& printer, const SplitOptions& options, SplitOutcome& outcome);

}  // namespace nexus_mde::plugin
