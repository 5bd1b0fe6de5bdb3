// Node names in the order people expect: r2 before r10 (digit runs compare as numbers).
#pragma once

#include <string_view>

namespace nexus_mde::plugin {

bool natural_less(std::string_view a, std::string_view b);

}  // namespace nexus_mde::plugin
