// The one translation unit that compiles Boost.JSON (its documented header-only use): linking
// libboost_json.so instead would bring the shared C++ runtime back into the agent, which links
// it statically to stay small on every node (agent/CMakeLists.txt).
#include <boost/json/src.hpp>
