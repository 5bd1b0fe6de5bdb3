#include "agent/config/agent_config.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "tests/support/fixtures.hpp"

namespace nexus_mde::agent {
namespace {

const char* kDesignExample = R"({
  "node": "rack1control01",
  "listen": ["0.0.0.0:9448", "[::]:9448"],
  "tls": {"cert": "/etc/nexus-mde/tls/agent.crt", "key": "/etc/nexus-mde/tls/agent.key",
          "clientCa": "/etc/nexus-mde/tls/ca.crt"},
  "clients": [{"identity": "nexus-mde-operator", "role": "operator"}],
  "tokens": [{"name": "prometheus", "sha256": "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08", "role": "reader"}],
  "mdatp": {"path": "/usr/bin/mdatp", "timeoutSeconds": 30, "refreshSeconds": 60, "maxAgeSeconds": 10},
  "limits": {"maxConnections": 256, "headerBytes": 8192, "bodyBytes": 4096,
             "ioTimeoutSeconds": 10, "idleSeconds": 60},
  "stateDir": "/var/lib/nexus-mde-agent"
})";

bool has_problem(const ConfigResult& r, const std::string& key, const std::string& fragment = "") {
  return std::any_of(r.problems.begin(), r.problems.end(), [&](const ConfigProblem& p) {
    return p.key == key && p.message.find(fragment) != std::string::npos;
  });
}

TEST(AgentConfig, TheDesignExampleIsValid) {
  auto r = parse_agent_config(kDesignExample, "fallback");
  ASSERT_TRUE(r.config.has_value()) << describe(r.problems);
  const AgentConfig& c = *r.config;
  EXPECT_EQ(c.node, "rack1control01");
  ASSERT_EQ(c.listen.size(), 2u);
  EXPECT_EQ(c.listen[1].host, "::");
  EXPECT_EQ(c.listen[1].port, 9448);
  EXPECT_EQ(c.clients.at(0).role, Role::kOperator);
  EXPECT_EQ(c.tokens.at(0).sha256_hex, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
  EXPECT_EQ(c.mdatp_timeout, std::chrono::seconds(30));
  EXPECT_EQ(c.body_bytes, 4096u);
}

TEST(AgentConfig, DefaultsFillWhatIsLeftOut) {
  auto r = parse_agent_config(R"({"clients":[{"identity":"op","role":"operator"}]})", "host7");
  ASSERT_TRUE(r.config.has_value()) << describe(r.problems);
  EXPECT_EQ(r.config->node, "host7");
  EXPECT_EQ(r.config->listen.size(), 2u);
  EXPECT_EQ(r.config->listen[0].port, kDefaultPort);
  EXPECT_EQ(r.config->mdatp_path, "/usr/bin/mdatp");
  EXPECT_EQ(r.config->max_connections, 256u);
  EXPECT_EQ(r.config->detection_directory_or_default(), "/var/lib/nexus-mde-agent/detection-test");
  EXPECT_EQ(r.config->detection_timeout_seconds, 60u);
}

TEST(AgentConfig, TheMdatpTimeoutMayBeFractional) {
  auto with = [](const std::string& timeout) {
    return parse_agent_config(
        R"({"clients":[{"identity":"op","role":"operator"}],"mdatp":{"timeoutSeconds":)" + timeout + "}}",
        "host7");
  };
  auto quarter = with("0.25");
  ASSERT_TRUE(quarter.config.has_value()) << describe(quarter.problems);
  EXPECT_EQ(quarter.config->mdatp_timeout, std::chrono::milliseconds(250));
  EXPECT_TRUE(has_problem(with("0.001"), "mdatp.timeoutSeconds", "0.001 is out of range 0.01..3600"));
  EXPECT_TRUE(has_problem(with("\"30\""), "mdatp.timeoutSeconds", "expected a number of seconds"));
}

TEST(AgentConfig, EveryProblemIsNamedByItsKey) {
  auto r = parse_agent_config(R"({
    "nod": "typo",
    "listen": ["0.0.0.0:99999", "fd00::1:9448", "[::1]:9448", "[::1]:9448", "myhost:9448", 7],
    "tls": {"cert": "", "certificate": "x"},
    "clients": [{"identity": "a", "role": "admin"}, {"identity": "a", "role": "reader"}, {"role": "reader"}],
    "tokens": [{"name": "t", "sha256": "secret-token", "role": "reader"}],
    "mdatp": {"path": "mdatp", "timeoutSeconds": 0, "refreshSeconds": "60"},
    "limits": {"bodyBytes": 10, "maxConnections": -1},
    "stateDir": "relative/dir",
    "detectionTest": {"directory": "tmp", "timeoutSeconds": 0, "path": "/x"}
  })",
                              "host");
  EXPECT_FALSE(r.config.has_value());
  EXPECT_TRUE(has_problem(r, "nod", "unknown key"));
  EXPECT_TRUE(has_problem(r, "listen[0]", "out of range"));
  EXPECT_TRUE(has_problem(r, "listen[1]", "brackets"));
  EXPECT_TRUE(has_problem(r, "listen[3]", "twice"));
  EXPECT_TRUE(has_problem(r, "listen[4]", "not an IPv4 address"));
  EXPECT_TRUE(has_problem(r, "listen[5]"));
  EXPECT_TRUE(has_problem(r, "tls.cert", "non-empty"));
  EXPECT_TRUE(has_problem(r, "tls.certificate", "unknown key"));
  EXPECT_TRUE(has_problem(r, "clients[0].role", "admin"));
  EXPECT_TRUE(has_problem(r, "clients[1].identity", "twice"));
  EXPECT_TRUE(has_problem(r, "clients[2].identity", "missing"));
  EXPECT_TRUE(has_problem(r, "tokens[0].sha256", "64 hex digits"));
  EXPECT_TRUE(has_problem(r, "mdatp.path", "absolute"));
  EXPECT_TRUE(has_problem(r, "mdatp.timeoutSeconds", "out of range"));
  EXPECT_TRUE(has_problem(r, "mdatp.refreshSeconds", "whole number"));
  EXPECT_TRUE(has_problem(r, "limits.bodyBytes", "out of range"));
  EXPECT_TRUE(has_problem(r, "limits.maxConnections"));
  EXPECT_TRUE(has_problem(r, "stateDir", "absolute"));
  EXPECT_TRUE(has_problem(r, "detectionTest.directory", "absolute"));
  EXPECT_TRUE(has_problem(r, "detectionTest.timeoutSeconds", "out of range"));
  EXPECT_TRUE(has_problem(r, "detectionTest.path", "unknown key"));
  EXPECT_GE(r.problems.size(), 21u);
}

TEST(AgentConfig, AKeyGivenTwiceIsAProblemNamingBothLines) {
  auto r = parse_agent_config(
      "{\n  \"node\": \"a\",\n  \"limits\": {\"idleSeconds\": 5,\n    \"idleSeconds\": 6},\n"
      "  \"clients\": [{\"identity\": \"x\", \"role\": \"reader\"}, {\"identity\": \"y\",\n"
      "    \"identity\": \"z\", \"role\": \"reader\"}],\n  \"node\": \"b\"\n}",
      "fallback");
  EXPECT_FALSE(r.config.has_value());
  EXPECT_TRUE(has_problem(r, "node", "given twice (lines 2 and 7)")) << describe(r.problems);
  EXPECT_TRUE(has_problem(r, "limits.idleSeconds", "given twice (lines 3 and 4)")) << describe(r.problems);
  EXPECT_TRUE(has_problem(r, "clients[1].identity", "given twice (lines 5 and 6)")) << describe(r.problems);
  EXPECT_EQ(r.problems.size(), 3u) << describe(r.problems);
}

TEST(AgentConfig, NobodyCouldUseIt) {
  auto r = parse_agent_config(R"({"clients": [], "tokens": []})", "host");
  EXPECT_TRUE(has_problem(r, "clients", "nobody"));
}

TEST(AgentConfig, BrokenJsonIsOneProblemWithItsOffset) {
  auto r = parse_agent_config(R"({"node": "x",)", "host");
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].key, "(file)");
  EXPECT_NE(r.problems[0].message.find("at byte"), std::string::npos);
  EXPECT_FALSE(parse_agent_config("[]", "host").config.has_value());
}

TEST(AgentConfig, FileChecksNameTheMissingFiles) {
  testing::ScratchDir dir;
  AgentConfig c;
  c.tls_cert = (dir / "agent.crt").string();
  c.tls_key = (dir / "agent.key").string();
  c.tls_client_ca = (dir / "ca.crt").string();
  c.mdatp_path = (dir / "mdatp").string();
  c.state_dir = (dir / "no" / "such" / "state").string();
  testing::write_file(dir / "agent.crt", "x");
  testing::write_file(dir / "mdatp", "#!/bin/sh\n");  // present but not executable
  auto problems = check_config_files(c);
  auto has = [&](const std::string& key, const std::string& fragment) {
    return std::any_of(problems.begin(), problems.end(), [&](const ConfigProblem& p) {
      return p.key == key && p.message.find(fragment) != std::string::npos;
    });
  };
  EXPECT_FALSE(has("tls.cert", ""));
  EXPECT_TRUE(has("tls.key", "no such file"));
  EXPECT_TRUE(has("tls.clientCa", "no such file"));
  EXPECT_TRUE(has("mdatp.path", "not executable"));
  EXPECT_TRUE(has("stateDir", "parent"));
}

TEST(AgentConfig, FileChecksSayWhatIsThereInsteadOfAFile) {
  testing::ScratchDir dir;
  AgentConfig c;
  std::filesystem::create_directory(dir / "a-folder");
  c.tls_cert = (dir / "a-folder").string();
  c.tls_key = "/dev/zero";
  c.tls_client_ca = (dir / "missing.crt").string();
  c.mdatp_path = "/dev/null";
  c.state_dir = dir.path().string();
  auto problems = check_config_files(c);
  std::string all = describe(problems);
  EXPECT_NE(all.find("tls.cert: " + c.tls_cert + ": a directory, not a file"), std::string::npos) << all;
  EXPECT_NE(all.find("tls.key: /dev/zero: a character device, not a file"), std::string::npos) << all;
  EXPECT_NE(all.find("tls.clientCa: " + c.tls_client_ca + ": no such file"), std::string::npos) << all;
  EXPECT_NE(all.find("mdatp.path: /dev/null: a character device, not a file"), std::string::npos) << all;
}

}  // namespace
}  // namespace nexus_mde::agent
