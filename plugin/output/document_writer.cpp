#include "plugin/output/document_writer.hpp"

namespace nexus_mde::plugin {

std::unique_ptr<DocumentWriter> make_json_writer(std::ostream& out);
std::unique_ptr<DocumentWriter> make_yaml_writer(std::ostream& out);

std::unique_ptr<DocumentWriter> make_document_writer(OutputFormat format, std::ostream& out) {
  return format == OutputFormat::kYaml ? make_yaml_writer(out) : make_json_writer(out);
}

}  // namespace nexus_mde::plugin
