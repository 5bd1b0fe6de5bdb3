// The ARM emulator (tests/fakes/arm) as the ARM tests run it: a certificate from the test's CA
// for a loopback address of its own, the world written to a file, and ready once its log says it
// listens (one generous deadline, readiness.hpp). start() again restarts it with a new world, on
// a new port. Its requests are logged one per line in log().
#pragma once

#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "tests/support/agent_harness.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/readiness.hpp"
#include "tests/support/test_pki.hpp"

namespace nexus_mde::testing {

class ArmEmulator {
 public:
  // `port_base`: where this test binary's ports start (each binary its own range).
  ArmEmulator(const std::filesystem::path& dir, TestPki& pki, int port_base)
      : dir_(dir), address_(unique_loopback_address()), port_base_(port_base) {
    ca_ = pki.make_ca("arm-ca");
    server_ = pki.issue(ca_, "arm", {"fake-arm", {}, {address_}, -1, 30, true});
  }

  ::testing::AssertionResult start(const boost::json::object& world) {
    process_.reset();
    write_file(dir_ / "world.json", boost::json::serialize(world));
    port_ = port_base_ + static_cast<int>(::getpid() % 1000) * 3 + starts_++;
    std::string listen = address_ + ":" + std::to_string(port_);
    process_.emplace(
        std::vector<std::string>{NEXUS_MDE_BINARY_DIR "/tests/fakes/fake-arm", "--listen", listen, "--cert",
                                 server_.cert.string(), "--key", server_.key.string(), "--ca",
                                 ca_.cert.string(), "--world", (dir_ / "world.json").string()},
        std::vector<std::string>{}, log());
    if (wait_for_text(log(), "listening on " + listen)) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "fake-arm did not start: " << read_file(log());
  }

  const PemPair& ca() const { return ca_; }
  std::string endpoint() const { return "https://" + address_ + ":" + std::to_string(port_); }
  std::filesystem::path log() const { return dir_ / "arm.log"; }

 private:
  std::filesystem::path dir_;
  std::string address_;
  int port_base_;
  int port_ = 0;
  int starts_ = 0;
  PemPair ca_, server_;
  std::optional<BackgroundProcess> process_;
};

}  // namespace nexus_mde::testing
