#include "common/sys/result.hpp"

namespace nexus_mde {

std::string Error::describe() const {
  std::string out;
  if (!field.empty()) out += field + ": ";
  out += message;
  if (line) {
    out += " (line " + std::to_string(*line) + ")";
  } else if (offset) {
    out += " (at byte " + std::to_string(*offset) + ")";
  }
  return out;
}

Error make_error(std::string message, std::string field, ErrorKind kind) {
  return Error{std::move(message), std::move(field), std::nullopt, std::nullopt, kind};
}

}  // namespace nexus_mde
