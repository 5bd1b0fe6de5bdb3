// -o table|json|yaml|tsv
#pragma once

#include <map>
#include <string>

namespace nexus_mde::plugin {

enum class OutputFormat { kTable, kJson, kYaml, kTsv };

// For CLI11's transform: name -> value.
inline const std::map<std::string, OutputFormat>& output_format_names() {
  static const std::map<std::string, OutputFormat> names = {{"table", OutputFormat::kTable},
                                                            {"json", OutputFormat::kJson},
                                                            {"yaml", OutputFormat::kYaml},
                                                            {"tsv", OutputFormat::kTsv}};
  return names;
}

}  // namespace nexus_mde::plugin
