#include "agent/server/http_types.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace nexus_mde::agent {

HttpResponse json_error(unsigned status, std::string_view code, std::string_view message) {
  HttpResponse r;
  r.status = status;
  boost::json::object error{{"code", code}, {"message", message}};
  r.body = boost::json::serialize(boost::json::object{{"error", std::move(error)}});
  return r;
}

}  // namespace nexus_mde::agent
