// Streams a JSON-shaped document (objects, arrays, values) to an ostream, so that a command can
// write a large result record by record without first building the whole tree. JsonWriter and
// YamlWriter print the same document in two syntaxes.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "plugin/output/format.hpp"

namespace nexus_mde::plugin {

// Every -o json/yaml document opens with apiVersion and kind, as Kubernetes objects do. A kind's
// fields are fixed by its JSON Schema in docs/schema/; changing one means a new version.
inline constexpr std::string_view kDocumentApiVersion = "nexus-mde/v1";

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
  virtual void finish() = 0;  // final newline and flush

  void field(std::string_view name, const boost::json::value& v) {
    key(name);
    value(v);
  }
  // The top-level object, with its apiVersion and kind.
  void begin_document(std::string_view kind) {
    begin_object();
    field("apiVersion", boost::json::string(kDocumentApiVersion));
    field("kind", boost::json::string(kind));
  }
};

// kJson or kYaml.
std::unique_ptr<DocumentWriter> make_document_writer(OutputFormat format, std::ostream& out);

// A whole document at once: apiVersion, kind, then the fields of `body` in their order.
void write_document(OutputFormat format, std::ostream& out, std::string_view kind,
                    const boost::json::object& body);

}  // namespace nexus_mde::plugin
