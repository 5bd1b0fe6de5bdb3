// nexus-mde-agent end to end: --check-config and --collect-once with the real binary and the
// mdatp double.
#include <gtest/gtest.h>

#include <filesystem>

#include <boost/json.hpp>

#include "common/model/model_json.hpp"
#include "common/sys/process.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/test_pki.hpp"

namespace nexus_mde {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

class AgentCli : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "tls");
    fs::create_directories(dir_ / "bin" / "fake-mdatp-state");
    fs::create_directories(dir_ / "state");
    testing::TestPki pki(dir_ / "tls");
    auto ca = pki.make_ca("ca");
    auto agent = pki.issue(ca, "agent", {"rack2compute11", {"rack2compute11"}, {"127.0.0.1"}, -1, 30, true});
    pki.issue(ca, "expired", {"rack2compute11", {"rack2compute11"}, {}, -30, -1, true});
    pki.issue(ca, "other", {"rack2compute11", {"rack2compute11"}, {}, -1, 30, true});
    fs::create_symlink(fs::path(NEXUS_MDE_BINARY_DIR) / "tests" / "fakes" / "fake-mdatp",
                       dir_ / "bin" / "mdatp");
    testing::write_file(dir_ / "bin" / "fake-mdatp-state" / "state.json", "{}");
    config_ = json::object{
        {"node", "rack2compute11"},
        {"listen", json::array{"127.0.0.1:9448"}},
        {"tls", json::object{{"cert", (dir_ / "tls" / "agent.crt").string()},
                             {"key", (dir_ / "tls" / "agent.key").string()},
                             {"clientCa", (dir_ / "tls" / "ca.crt").string()}}},
        {"clients", json::array{json::object{{"identity", "nexus-mde-operator"}, {"role", "operator"}}}},
        {"mdatp", json::object{{"path", (dir_ / "bin" / "mdatp").string()}, {"timeoutSeconds", 5}}},
        {"stateDir", (dir_ / "state").string()}};
  }
  std::string write_config() {
    auto path = dir_ / "agent.json";
    testing::write_file(path, json::serialize(config_));
    return path.string();
  }
  ProcessResult run(std::vector<std::string> args) {
    args.insert(args.begin(), NEXUS_MDE_AGENT);
    ProcessOptions o;
    o.timeout = 30s;
    auto r = run_process(args, o);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : ProcessResult{};
  }

  testing::ScratchDir dir_;
  json::object config_;
};

TEST_F(AgentCli, CheckConfigValid) {
  auto r = run({"--config", write_config(), "--check-config"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("valid (node rack2compute11"), std::string::npos);
}

TEST_F(AgentCli, CheckConfigListsEveryProblemAndExits3) {
  config_["listen"] = json::array{"0.0.0.0:0"};
  config_["tokens"] = json::array{json::object{{"name", "p"}, {"sha256", "abc"}, {"role", "reader"}}};
  config_["tls"].as_object()["key"] = (dir_ / "tls" / "missing.key").string();
  auto r = run({"--config", write_config(), "--check-config"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("listen[0]: port 0 is out of range"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("tokens[0].sha256"), std::string::npos) << r.err;
  // The files too, in the same pass, though other keys are wrong.
  EXPECT_NE(r.err.find("tls.key: " + (dir_ / "tls" / "missing.key").string() + ": no such file"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("3 problems"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
  // And the certificate as OpenSSL reads it, beside a bad key elsewhere; a key that is itself wrong
  // is not checked again as a file.
  config_["tls"].as_object()["key"] = (dir_ / "tls" / "agent.key").string();
  config_["tls"].as_object()["cert"] = (dir_ / "tls" / "expired.crt").string();
  config_["mdatp"].as_object()["path"] = "relative/mdatp";
  auto both = run({"--config", write_config(), "--check-config"});
  EXPECT_NE(
      both.err.find("tls.cert: " + (dir_ / "tls" / "expired.crt").string() + ": certificate expired on "),
      std::string::npos)
      << both.err;
  EXPECT_NE(both.err.find("mdatp.path"), std::string::npos) << both.err;
  EXPECT_EQ(both.err.find("relative/mdatp: no such file"), std::string::npos) << both.err;
}

TEST_F(AgentCli, FileProblemsAreNamedToo) {
  config_["tls"].as_object()["key"] = (dir_ / "tls" / "missing.key").string();
  auto r = run({"--config", write_config(), "--check-config"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("tls.key: " + (dir_ / "tls" / "missing.key").string() + ": no such file"),
            std::string::npos)
      << r.err;
}

TEST_F(AgentCli, UnreadableConfigAndUsageErrors) {
  auto missing = run({"--config", (dir_ / "absent.json").string(), "--check-config"});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("absent.json: no such file"), std::string::npos) << missing.err;
  // Not a file: named, not read (/dev/zero would be read until memory ran out).
  auto device = run({"--config", "/dev/zero", "--check-config"});
  EXPECT_EQ(device.exit_code, 3);
  EXPECT_NE(device.err.find("/dev/zero: a character device, not a file"), std::string::npos) << device.err;
  auto folder = run({"--config", dir_.path().string(), "--check-config"});
  EXPECT_EQ(folder.exit_code, 3);
  EXPECT_NE(folder.err.find(": a directory, not a file"), std::string::npos) << folder.err;
  EXPECT_EQ(run({"--no-such-flag"}).exit_code, 3);
  EXPECT_EQ(run({"--config", write_config(), "--log-target", "syslog"}).exit_code, 3);
}

TEST_F(AgentCli, BadCertificatesAndKeysAreNamedByFile) {
  auto& tls = config_["tls"].as_object();
  // An expired certificate, and a key that belongs to another certificate.
  tls["cert"] = (dir_ / "tls" / "expired.crt").string();
  tls["key"] = (dir_ / "tls" / "other.key").string();
  auto r = run({"--config", write_config(), "--check-config"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("tls.cert: " + (dir_ / "tls" / "expired.crt").string() + ": certificate expired on "),
            std::string::npos)
      << r.err;

  tls["cert"] = (dir_ / "tls" / "agent.crt").string();
  r = run({"--config", write_config(), "--check-config"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(
      r.err.find("tls.key: " + (dir_ / "tls" / "other.key").string() + ": does not match the certificate"),
      std::string::npos)
      << r.err;

  // Not PEM at all: the CA file holds text, the key file a certificate.
  testing::write_file(dir_ / "tls" / "garbage.pem", "not a certificate\n");
  tls["key"] = (dir_ / "tls" / "agent.crt").string();
  tls["clientCa"] = (dir_ / "tls" / "garbage.pem").string();
  r = run({"--config", write_config(), "--check-config"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(
      r.err.find("tls.clientCa: " + (dir_ / "tls" / "garbage.pem").string() + ": not a PEM CA certificate"),
      std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("tls.key: " + (dir_ / "tls" / "agent.crt").string() +
                       ": not an unencrypted PEM private key"),
            std::string::npos)
      << r.err;
}

TEST_F(AgentCli, CollectOncePrintsTheSnapshot) {
  auto r = run({"--config", write_config(), "--collect-once", "--node", "override7"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto snapshot = snapshot_from_json(json::parse(r.out));
  ASSERT_TRUE(snapshot.ok()) << snapshot.error().describe();
  EXPECT_EQ(snapshot->node, "override7");
  EXPECT_EQ(snapshot->enforcement.level, EnforcementLevel::RealTime);
  ASSERT_TRUE(snapshot->health.has_value());
}

TEST_F(AgentCli, CollectOnceWithAStoppedDaemonExits1) {
  testing::write_file(dir_ / "bin" / "fake-mdatp-state" / "state.json", R"({"daemonRunning":false})");
  auto r = run({"--config", write_config(), "--collect-once"});
  EXPECT_EQ(r.exit_code, 1);
  auto snapshot = snapshot_from_json(json::parse(r.out));
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ(snapshot->enforcement.level, EnforcementLevel::Disabled);
  EXPECT_NE(r.err.find("health: mdatp health --output json: exit 1"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace nexus_mde
