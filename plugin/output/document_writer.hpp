// Streams a JSON-shaped document (objects, arrays, values) to an ostream, so that a command can
// write a large result record by record without first building the whole tree. JsonWriter and
// YamlWriter print the same document in two syntaxes.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "plugin/output/format.hpp"

namespace nexus_mde::plugin {

class DocumentWriter {
 public:
  virtual ~DocumentWriter() = default;
  virtual void begin_object() = 0;
  virtual void end_object() = 0;
  virtual void begin_array() = 0;
  virtual void end_array() = 0;
  virtual void key(std::string_view name) = 0;          // inside an object, before its value
  virtual void value(const boost::json::value& v) = 0;  // a whole value (scalar or subtree)
  // A whole value given as JSON text, in pieces (see TextBuffer), as JsonTextWriter writes it
  // (with DEL and C1 controls escaped: terminal_text.hpp).
  virtual void json_text(const std::vector<std::string_view>& serialized) = 0;
  virtual void finish() = 0;                            // final newline and flush

  void field(std::string_view name, const boost::json::value& v) {
    key(name);
    value(v);
  }
};

// kJson or kYaml.
std::unique_ptr<DocumentWriter> make_document_writer(OutputFormat format, std::ostream& out);

}  // namespace nexus_mde::plugin
