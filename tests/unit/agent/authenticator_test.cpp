// Who may ask what: certificates on the allow-list, token hashes, roles, and the per-peer throttle.
#include "agent/auth/authenticator.hpp"

#include <gtest/gtest.h>

#include "tests/support/agent_harness.hpp"

namespace nexus_mde::agent {
namespace {

using namespace std::chrono_literals;

class AuthenticatorTest : public ::testing::Test {
 protected:
  Authenticator auth_{{{"nexus-mde-operator", Role::kOperator}, {"reader.example", Role::kReader}},
                      {{"prometheus", testing::sha256_hex("reader-secret"), Role::kReader},
                       {"runbook", testing::sha256_hex("operator-secret"), Role::kOperator}}};
};

TEST_F(AuthenticatorTest, CertificateIdentitiesOnTheAllowListGetTheirRole) {
  auto d = auth_.authenticate({"some-cn", "reader.example"}, "", "GET");
  EXPECT_TRUE(d.allowed());
  EXPECT_EQ(d.identity, "reader.example");
  EXPECT_EQ(d.role, Role::kReader);
  auto post = auth_.authenticate({"some-cn", "reader.example"}, "", "POST");
  EXPECT_EQ(post.outcome, AuthOutcome::kWrongRole);
  EXPECT_EQ(post.http_status(), 403u);
  EXPECT_TRUE(auth_.authenticate({"nexus-mde-operator"}, "", "POST").allowed());
}

TEST_F(AuthenticatorTest, UnknownIdentityIsForbiddenAndNamed) {
  auto d = auth_.authenticate({"intruder"}, "", "GET");
  EXPECT_EQ(d.outcome, AuthOutcome::kUnknownIdentity);
  EXPECT_EQ(d.http_status(), 403u);
  EXPECT_NE(d.reason.find("\"intruder\""), std::string::npos);
  // Matching is exact: no case folding, no prefix.
  EXPECT_FALSE(auth_.authenticate({"NEXUS-MDE-OPERATOR"}, "", "GET").allowed());
  EXPECT_FALSE(auth_.authenticate({"nexus-mde-operator2"}, "", "GET").allowed());
}

TEST_F(AuthenticatorTest, BearerTokensAreMatchedByTheirHash) {
  auto reader = auth_.authenticate({}, "Bearer reader-secret", "GET");
  EXPECT_TRUE(reader.allowed());
  EXPECT_EQ(reader.identity, "token:prometheus");
  EXPECT_EQ(auth_.authenticate({}, "Bearer reader-secret", "POST").outcome, AuthOutcome::kWrongRole);
  EXPECT_TRUE(auth_.authenticate({}, "bearer   operator-secret ", "POST").allowed());
  for (const char* bad :
       {"Bearer wrong", "Bearer ", "Basic dXNlcjpwYXNz", "reader-secret", "Bearer reader-secretX"}) {
    auto d = auth_.authenticate({}, bad, "GET");
    EXPECT_EQ(d.outcome, AuthOutcome::kBadToken) << bad;
    EXPECT_EQ(d.http_status(), 401u) << bad;
  }
  // The hash itself is not a token.
  EXPECT_FALSE(auth_.authenticate({}, "Bearer " + testing::sha256_hex("reader-secret"), "GET").allowed());
}

TEST_F(AuthenticatorTest, AGivenTokenDecidesEvenWithACertificate) {
  EXPECT_EQ(auth_.authenticate({"nexus-mde-operator"}, "Bearer wrong", "GET").outcome,
            AuthOutcome::kBadToken);
  EXPECT_TRUE(auth_.authenticate({"intruder"}, "Bearer operator-secret", "POST").allowed());
}

TEST_F(AuthenticatorTest, NoCredentialsIs401) {
  auto d = auth_.authenticate({}, "", "GET");
  EXPECT_EQ(d.outcome, AuthOutcome::kNoCredentials);
  EXPECT_EQ(d.http_status(), 401u);
  EXPECT_EQ(d.metric_reason(), "no-credentials");
}

TEST(FailureThrottle, SlowsAPeerAfterTooManyFailuresUntilTheWindowEnds) {
  FailureThrottle throttle(3, 60s, 100);
  auto t0 = FailureThrottle::Clock::time_point{} + 1000s;
  for (int i = 0; i < 2; ++i) throttle.record_failure("10.0.0.1", t0 + std::chrono::seconds(i));
  EXPECT_FALSE(throttle.retry_after("10.0.0.1", t0 + 2s));
  throttle.record_failure("10.0.0.1", t0 + 2s);
  auto wait = throttle.retry_after("10.0.0.1", t0 + 10s);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 50s);
  EXPECT_FALSE(throttle.retry_after("10.0.0.2", t0 + 10s));
  EXPECT_FALSE(throttle.retry_after("10.0.0.1", t0 + 60s));
  // A new window starts from scratch.
  throttle.record_failure("10.0.0.1", t0 + 61s);
  EXPECT_FALSE(throttle.retry_after("10.0.0.1", t0 + 62s));
}

TEST(FailureThrottle, RemembersABoundedNumberOfPeers) {
  FailureThrottle throttle(1, 60s, 10);
  auto t0 = FailureThrottle::Clock::time_point{} + 1000s;
  throttle.record_failure("victim", t0);
  for (int i = 0; i < 50; ++i) throttle.record_failure("flood-" + std::to_string(i), t0 + 1s);
  // The oldest entry made room; the newest are remembered.
  EXPECT_FALSE(throttle.retry_after("victim", t0 + 2s));
  EXPECT_TRUE(throttle.retry_after("flood-49", t0 + 2s));
}

}  // namespace
}  // namespace nexus_mde::agent
