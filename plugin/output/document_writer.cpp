#include "plugin/output/document_writer.hpp"

namespace nexus_mde::plugin {

std::unique_ptr<DocumentWriter> make_json_writer(std::ostream& out);
std::unique_ptr<DocumentWriter> make_yaml_writer(std::ostream& out);

std::unique_ptr<DocumentWriter> make_document_writer(OutputFormat format, std::ostream& out) {
  return format == OutputFormat::kYaml ? make_yaml_writer(out) : make_json_writer(out);
}

void write_document(OutputFormat format, std::ostream& out, std::string_view kind,
                    const boost::json::object& body) {
  auto writer = make_document_writer(format, out);
  writer->begin_document(kind);
  for (const auto& kv : body) writer->field(kv.key(), kv.value());
  writer->end_object();
  writer->finish();
}

}  // namespace nexus_mde::plugin
