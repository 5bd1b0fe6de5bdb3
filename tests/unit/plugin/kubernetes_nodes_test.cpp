// A recorded NodeList (tests/fixtures/formats/kubernetes) read as nodes, and what is refused.
#include <gtest/gtest.h>

#include "plugin/inventory/kubernetes_nodes.hpp"
#include "tests/support/fixtures.hpp"

namespace nexus_mde::plugin {
namespace {

TEST(KubernetesNodes, NamesAndInternalIpsWhateverTheirOrder) {
  auto nodes = nodes_from_node_list(testing::read_format_fixture("formats/kubernetes/nodes.json"));
  ASSERT_TRUE(nodes.ok()) << nodes.error().describe();
  ASSERT_EQ(nodes->size(), 2u);
  EXPECT_EQ((*nodes)[0].name, "rack1compute01");
  EXPECT_EQ((*nodes)[0].host, "192.0.2.11");
  EXPECT_EQ((*nodes)[1].host, "192.0.2.21") << "InternalIP after Hostname";
  EXPECT_EQ((*nodes)[1].port, kDefaultAgentPort);
}

TEST(KubernetesNodes, ANodeWithoutAnAddressOrNoNodesAtAllIsNamed) {
  auto no_ip = nodes_from_node_list(
      R"({"items":[{"metadata":{"name":"r1"},"status":{"addresses":[{"type":"Hostname","address":"r1"}]}}]})");
  ASSERT_FALSE(no_ip.ok());
  EXPECT_NE(no_ip.error().describe().find("node r1 reports no InternalIP"), std::string::npos)
      << no_ip.error().describe();
  EXPECT_FALSE(nodes_from_node_list(R"({"items":[]})").ok());
  EXPECT_FALSE(nodes_from_node_list(R"({"kind":"Status"})").ok());
  EXPECT_FALSE(nodes_from_node_list("not json").ok());
}

}  // namespace
}  // namespace nexus_mde::plugin
