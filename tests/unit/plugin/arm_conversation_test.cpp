// ARM conversations as the pure state machines they are: scripted answers in, requests out, no
// sockets. Retries (Retry-After, backoff, the retry limit), the api-version fallback, refused
// tokens, long-running operations (Azure-AsyncOperation, Location, Failed), paging, the data
// extract and its download from storage, and the error kinds and exit codes ARM failures map
// to. Also the --cluster forms a fleet takes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <boost/json.hpp>

#include "plugin/arm/arm_run.hpp"
#include "plugin/arm/cluster_discovery.hpp"
#include "plugin/arm/data_extract.hpp"
#include "plugin/arm/enforcement_update.hpp"
#include "plugin/extract/blob_download.hpp"

namespace nexus_mde::plugin {
namespace {

using namespace std::chrono_literals;

ArmAccess access() {
  ArmAccess a;
  a.endpoint.name = "management.azure.com";
  a.endpoint.host = "management.azure.com";
  a.endpoint.port = 443;
  a.api_version = kDefaultApiVersion;
  a.may_fall_back = true;
  a.subscription = "sub-1";
  a.cluster_path = "/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.NetworkCloud/clusters/c1";
  return a;
}

Response answer(unsigned status, std::string body = {}, HttpHeaders headers = {}) {
  return Response{status, std::move(body), std::move(headers)};
}

std::string arm_error_body(const char* code, const char* message) {
  return boost::json::serialize(boost::json::object{{"error", {{"code", code}, {"message", message}}}});
}

std::string cluster_body(const char* etag = "\"e1\"") {
  return boost::json::serialize(boost::json::object{
      {"id", "/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.NetworkCloud/clusters/c1"},
      {"name", "c1"},
      {"etag", etag},
      {"properties",
       {{"managedResourceGroupConfiguration", {{"name", "c1-mrg"}}},
        {"runtimeProtectionConfiguration",
         {{"enforcementLevel", "OnDemand"}, {"definitionUpdateMode", "None"}}}}}});
}

// What each answer, in turn, makes the conversation do.
struct Step {
  Response answer;
  std::string expect_target;  // the next request's target ("" when the conversation ends)
  std::chrono::milliseconds min_delay{0};
};

TEST(ArmConversation, RetriesHonourRetryAfterThenBackOffAndStopAtTheLimit) {
  auto a = access();
  ClusterDiscovery d(a, false);
  auto first = d.first();
  EXPECT_EQ(first.target, a.cluster_path + "?api-version=2026-07-01");
  auto throttled =
      d.next(answer(429, arm_error_body("TooManyRequests", "slow down"), {{"Retry-After", "7"}}));
  ASSERT_TRUE(throttled.request);
  EXPECT_EQ(throttled.request->target, first.target) << "the same request again";
  EXPECT_EQ(throttled.request->delay, 7s) << "after Retry-After";
  EXPECT_NE(throttled.request->wait_reason.find("429 TooManyRequests"), std::string::npos);
  // Without Retry-After: 2, 4, 8, 16 s, each plus up to a quarter.
  std::chrono::milliseconds expected_base = 2s;
  for (int i = 0; i < 4; ++i, expected_base *= 2) {
    auto again = d.next(answer(503, arm_error_body("ServerBusy", "")));
    ASSERT_TRUE(again.request) << i;
    EXPECT_GE(again.request->delay, expected_base) << i;
    EXPECT_LE(again.request->delay, expected_base + expected_base / 4) << i;
  }
  auto gave_up = d.next(answer(503, arm_error_body("ServerBusy", "busy")));
  ASSERT_TRUE(gave_up.failure) << "five retries, then the failure";
  EXPECT_EQ(gave_up.failure->state, ExchangeState::kHttpError);
  EXPECT_NE(gave_up.failure->reason.find("after 5 retries"), std::string::npos) << gave_up.failure->reason;
}

TEST(ArmConversation, TheFallbackVersionIsTriedOnceAndOnlyWhenTheDefaultWasChosen) {
  auto a = access();
  ClusterDiscovery d(a, false);
  d.first();
  auto rejected = arm_error_body("NoRegisteredProviderFound", "No registered resource provider found");
  auto fallback = d.next(answer(400, rejected));
  ASSERT_TRUE(fallback.request);
  EXPECT_EQ(fallback.request->target, a.cluster_path + "?api-version=2025-09-01");
  EXPECT_EQ(d.api_version(), "2025-09-01");
  auto again = d.next(answer(400, rejected));
  ASSERT_TRUE(again.failure) << "once only";

  auto pinned = access();
  pinned.may_fall_back = false;  // --api-version given
  ClusterDiscovery p(pinned, false);
  p.first();
  auto refused = p.next(answer(400, rejected));
  ASSERT_TRUE(refused.failure);
  EXPECT_NE(refused.failure->reason.find("NoRegisteredProviderFound"), std::string::npos);
}

TEST(ArmConversation, ARefusedTokenIsAnAuthErrorThatSaysHowToLogIn) {
  struct Case {
    unsigned status;
    bool says_login;
  };
  for (auto c : {Case{401, true}, Case{403, false}}) {
    auto a = access();
    ClusterDiscovery d(a, false);
    d.first();
    auto n = d.next(answer(c.status, arm_error_body("AuthorizationFailed", "no"),
                           {{"x-ms-request-id", "req-9"}, {"x-ms-correlation-request-id", "corr-9"}}));
    ASSERT_TRUE(n.failure) << c.status;
    EXPECT_EQ(n.failure->state, ExchangeState::kAuthError);
    EXPECT_NE(n.failure->reason.find("x-ms-request-id req-9"), std::string::npos) << "for a support case";
    EXPECT_EQ(n.failure->reason.find("az login") != std::string::npos, c.says_login) << n.failure->reason;
  }
}

TEST(ArmConversation, AnUpdateFollowsItsOperationToTheEndAndReadsTheClusterAgain) {
  const std::string op =
      "https://management.azure.com/subscriptions/sub-1/providers/Microsoft.NetworkCloud/"
      "locations/eastus/operationStatuses/op-1?api-version=2026-07-01";
  const std::string op_target =
      "/subscriptions/sub-1/providers/Microsoft.NetworkCloud/locations/eastus/operationStatuses/op-1"
      "?api-version=2026-07-01";
  const std::string cluster_target = access().cluster_path + "?api-version=2026-07-01";
  struct Case {
    const char* name;
    std::vector<Step> steps;
    bool succeeds;
    std::string final_status;
  };
  std::vector<Case> cases{
      {"Azure-AsyncOperation, running then Succeeded",
       {{answer(200, cluster_body()), cluster_target},
        {answer(202, "", {{"Azure-AsyncOperation", op}, {"Location", op + "&other"}, {"Retry-After", "3"}}),
         op_target, 3s},
        {answer(200, R"({"status":"InProgress"})"), op_target, 1s},
        {answer(200, R"({"status":"Succeeded"})"), cluster_target},
        {answer(200, cluster_body("\"e2\"")), ""}},
       true,
       "Succeeded"},
      {"Location only, 202 while running, 200 when done",
       {{answer(200, cluster_body()), cluster_target},
        {answer(202, "", {{"Location", op}}), op_target},
        {answer(202, ""), op_target},
        {answer(200, ""), cluster_target},
        {answer(200, cluster_body()), ""}},
       true,
       "Succeeded"},
      {"a failed operation, with ARM's error",
       {{answer(200, cluster_body()), cluster_target},
        {answer(202, "", {{"Azure-AsyncOperation", op}}), op_target},
        {answer(200, R"({"status":"Failed","error":{"code":"Rejected","message":"no"}})"), ""}},
       false,
       "Failed"},
      {"a 202 with no operation to follow",
       {{answer(200, cluster_body()), cluster_target}, {answer(202, ""), ""}},
       false,
       ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto a = access();
    EnforcementUpdate update(a, "RealTime", std::nullopt);
    auto request = update.first();
    EXPECT_EQ(request.target, cluster_target);
    Next n;
    for (std::size_t i = 0; i < c.steps.size(); ++i) {
      const auto& step = c.steps[i];
      n = update.next(step.answer);
      if (step.expect_target.empty()) break;
      ASSERT_TRUE(n.request) << "step " << i << ": " << (n.failure ? n.failure->reason : "done");
      EXPECT_EQ(n.request->target, step.expect_target) << "step " << i;
      EXPECT_GE(n.request->delay, step.min_delay) << "step " << i;
      if (i == 0) {
        EXPECT_EQ(n.request->method, HttpMethod::kPatch);
        EXPECT_EQ(
            n.request->body,
            R"({"properties":{"runtimeProtectionConfiguration":{"enforcementLevel":"RealTime","definitionUpdateMode":"None"}}})")
            << "the field not given is kept";
        ASSERT_EQ(n.request->headers.size(), 1u);
        EXPECT_EQ(n.request->headers[0], (std::pair<std::string, std::string>{"If-Match", "\"e1\""}));
      }
    }
    EXPECT_FALSE(n.request);
    EXPECT_EQ(!n.failure, c.succeeds) << (n.failure ? n.failure->reason : "");
    EXPECT_EQ(update.operation_status(), c.final_status);
    if (c.final_status == "Failed") {
      EXPECT_NE(n.failure->reason.find("Rejected: no"), std::string::npos);
    }
  }
}

TEST(ArmConversation, DiscoveryFollowsNextLinkOnTheSameEndpointOnly) {
  auto machine = [](const char* name, const char* cluster) {
    return boost::json::object{
        {"id", std::string("/x/bareMetalMachines/") + name},
        {"properties",
         {{"machineName", name},
          {"oamIpv4Address", "10.0.0.1"},
          {"clusterId", std::string("/subscriptions/sub-1/resourceGroups/rg-1/providers/"
                                    "Microsoft.NetworkCloud/clusters/") +
                            cluster},
          {"rackId", "/x/racks/rack7"}}}};
  };
  auto a = access();
  ClusterDiscovery d(a, true);
  d.first();
  auto list = d.next(answer(200, cluster_body()));
  ASSERT_TRUE(list.request);
  EXPECT_EQ(list.request->target,
            "/subscriptions/sub-1/resourceGroups/c1-mrg/providers/Microsoft.NetworkCloud/bareMetalMachines"
            "?api-version=2026-07-01");
  boost::json::object page1{
      {"value", {machine("n1", "c1"), machine("x1", "other")}},
      {"nextLink",
       "https://management.azure.com/subscriptions/sub-1/resourceGroups/c1-mrg/providers/"
       "Microsoft.NetworkCloud/bareMetalMachines?api-version=2026-07-01&%24skipToken=2"}};
  auto next = d.next(answer(200, boost::json::serialize(page1)));
  ASSERT_TRUE(next.request);
  EXPECT_NE(next.request->target.find("%24skipToken=2"), std::string::npos);
  boost::json::object page2{{"value", {machine("n2", "C1")}}};  // ids compared case-insensitively
  auto done = d.next(answer(200, boost::json::serialize(page2)));
  EXPECT_FALSE(done.request);
  EXPECT_FALSE(done.failure);
  ASSERT_EQ(d.machines().size(), 2u);
  EXPECT_EQ(d.machines()[1].name, "n2");
  EXPECT_EQ(d.machines()[1].rack, "rack7");
  EXPECT_EQ(d.foreign_machines(), 1u);

  ClusterDiscovery elsewhere(a, true);
  elsewhere.first();
  elsewhere.next(answer(200, cluster_body()));
  boost::json::object bad{{"value", boost::json::array{}}, {"nextLink", "https://evil.example/steal"}};
  auto refused = elsewhere.next(answer(200, boost::json::serialize(bad)));
  ASSERT_TRUE(refused.failure) << "the token never goes to another host";
  EXPECT_NE(refused.failure->reason.find("nextLink points elsewhere"), std::string::npos);
}

TEST(ArmConversation, SubscriptionListingKeepsEveryClustersMachines) {
  auto a = access();
  SubscriptionMachines listing(a);
  EXPECT_EQ(listing.first().target,
            "/subscriptions/sub-1/providers/Microsoft.NetworkCloud/bareMetalMachines?api-version=2026-07-01");
  auto body = R"({"value":[{"id":"/m/a","properties":{"machineName":"a","clusterId":"/c/one"}},
                            {"id":"/m/b","properties":{"machineName":"b","clusterId":"/c/two"}}]})";
  auto n = listing.next(answer(200, body));
  EXPECT_FALSE(n.request);
  EXPECT_FALSE(n.failure);
  ASSERT_EQ(listing.machines().size(), 2u);
  EXPECT_EQ(listing.machines()[1].cluster_id, "/c/two");
}

TEST(DataExtract, EachApiVersionPostsItsActionAndTheResultIsKept) {
  const std::string machine =
      "/subscriptions/sub-1/resourceGroups/c1-mrg/providers/Microsoft.NetworkCloud/"
      "bareMetalMachines/n1";
  const std::string op = "https://management.azure.com/op/1?api-version=x";
  struct Case {
    const char* version;
    const char* action;
    std::string final_body;
    bool ok;
    std::string exit_code;
    std::string says;  // in the failure, when it fails
  };
  std::vector<Case> cases{
      {"2025-09-01", "/runDataExtractsRestricted",
       R"({"status":"Succeeded","properties":{"exitCode":"0","outputHead":"ok","resultUrl":"https://s/b?sig=1"}})",
       true, "0", ""},
      {"2025-09-01", "/runDataExtractsRestricted",
       R"({"status":"Succeeded","properties":{"exitCode":252,"outputHead":"slow"}})", true, "252", ""},
      {"2024-07-01", "/runDataExtracts", R"({"status":"Succeeded","properties":{"exitCode":"1"}})", true, "1",
       ""},
      {"2025-09-01", "/runDataExtractsRestricted", R"({"status":"Succeeded"})", false, "",
       "ended without a result"},
      {"2025-09-01", "/runDataExtractsRestricted",
       R"({"status":"Failed","error":{"code":"Conflict","message":"busy"}})", false, "", "Conflict: busy"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.version) + " " + c.final_body);
    auto a = access();
    a.api_version = c.version;
    DataExtract extract(a, machine, 600);
    auto post = extract.first();
    EXPECT_EQ(post.method, HttpMethod::kPost);
    EXPECT_EQ(post.target, machine + c.action + "?api-version=" + c.version);
    EXPECT_EQ(post.body, R"({"commands":[{"command":"mde-agent-information"}],"limitTimeSeconds":600})");
    auto poll = extract.next(answer(202, "", {{"Location", op}}));
    ASSERT_TRUE(poll.request);
    EXPECT_EQ(poll.request->target, "/op/1?api-version=x") << "the operation's URL as given";
    auto end = extract.next(answer(200, c.final_body));
    EXPECT_FALSE(end.request);
    EXPECT_EQ(!end.failure, c.ok) << (end.failure ? end.failure->reason : "");
    if (c.ok) {
      EXPECT_EQ(extract.result().exit_code, c.exit_code);
    } else {
      EXPECT_NE(end.failure->reason.find(c.says), std::string::npos) << end.failure->reason;
    }
  }
}

TEST(BlobDownload, RedirectsOnTheSameHostAreFollowedAndAnotherHostIsHandedBack) {
  auto where = blob_location("https://store.blob.core.windows.net/c/b.tar.gz?sig=secret&sp=r");
  ASSERT_TRUE(where);
  EXPECT_EQ(where->host.name, "store.blob.core.windows.net");
  EXPECT_EQ(where->host.port, 443);
  EXPECT_EQ(where->target, "/c/b.tar.gz?sig=secret&sp=r");
  EXPECT_FALSE(blob_location("http://store/b")) << "never in the clear";
  EXPECT_FALSE(blob_location("not a url"));

  struct Case {
    const char* name;
    std::vector<Response> answers;
    std::string body;       // kept when it ends ok
    std::string elsewhere;  // the host handed back, if any
    std::string says;       // in the failure, if it fails
  };
  std::vector<Case> cases{
      {"the archive at once", {answer(200, "tar.gz bytes")}, "tar.gz bytes", "", ""},
      {"a redirect on the same host",
       {answer(307, "", {{"Location", "https://store.blob.core.windows.net/c/moved?sig=2"}}),
        answer(200, "x")},
       "x",
       "",
       ""},
      {"a redirect to another host",
       {answer(302, "", {{"Location", "https://other.blob.core.windows.net/c/b?sig=3"}})},
       "",
       "other.blob.core.windows.net",
       ""},
      {"a redirect that is not https",
       {answer(302, "", {{"Location", "http://x/y"}})},
       "",
       "",
       "not an https URL"},
      {"the storage firewall",
       {answer(403, "<Error><Code>AuthorizationFailure</Code></Error>")},
       "",
       "",
       "firewall"},
      {"six redirects",
       std::vector<Response>(6, answer(307, "", {{"Location", "https://store.blob.core.windows.net/again"}})),
       "", "", "more than 5 times"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    BlobDownload d(*where);
    EXPECT_EQ(d.first().target, where->target);
    Next n;
    for (const auto& a : c.answers) {
      n = d.next(a);
      if (!n.request) break;
    }
    EXPECT_FALSE(n.request);
    if (!c.says.empty()) {
      ASSERT_TRUE(n.failure);
      EXPECT_NE(n.failure->reason.find(c.says), std::string::npos) << n.failure->reason;
      EXPECT_EQ(n.failure->reason.find("secret"), std::string::npos) << "the SAS never shows";
      continue;
    }
    EXPECT_FALSE(n.failure) << n.failure->reason;
    EXPECT_EQ(d.body(), c.body);
    EXPECT_EQ(d.elsewhere() ? d.elsewhere()->host.name : "", c.elsewhere);
  }
}

TEST(ArmErrors, EachOutcomeHasAKindAndTheKindItsExitCode) {
  auto a = access();
  struct Case {
    ExchangeState state;
    bool deadline;
    ErrorKind kind;
    ExitCode code;
  };
  for (auto c : {Case{ExchangeState::kAuthError, false, ErrorKind::kAuth, ExitCode::kUsage},
                 Case{ExchangeState::kTimeout, true, ErrorKind::kDeadline, ExitCode::kDeadline},
                 Case{ExchangeState::kTimeout, false, ErrorKind::kUnreachable, ExitCode::kIncomplete},
                 Case{ExchangeState::kUnreachable, false, ErrorKind::kUnreachable, ExitCode::kIncomplete},
                 Case{ExchangeState::kHttpError, false, ErrorKind::kProtocol, ExitCode::kIncomplete},
                 Case{ExchangeState::kAgentError, false, ErrorKind::kProtocol, ExitCode::kIncomplete}}) {
    ExchangeOutcome o;
    o.state = c.state;
    o.reason = "why";
    o.deadline_passed = c.deadline;
    Error e = arm_error(a, o);
    EXPECT_EQ(e.kind, c.kind) << to_string(c.state);
    EXPECT_EQ(e.field, "ARM management.azure.com:443") << "ARM is named as where it happened";
    EXPECT_EQ(arm_failure_exit_code(e), c.code) << to_string(c.state);
  }
  EXPECT_EQ(arm_failure_exit_code(make_error("must be the cluster's ARM name", "--cluster")),
            ExitCode::kUsage);
}

TEST(ClusterRefs, NameRgSlashNameAndArmIdsNameClustersAcrossGroupsAndSubscriptions) {
  ArmOptions o;
  o.resource_group = "rg-d";
  o.subscriptions = {"sub-1"};
  o.clusters = {"c1", "rg-2/c2",
                "/SUBSCRIPTIONS/sub-3/resourcegroups/rg-3/providers/microsoft.networkcloud/Clusters/c3"};
  auto refs = cluster_refs(o);
  ASSERT_TRUE(refs) << refs.error().describe();
  ASSERT_EQ(refs->size(), 3u);
  EXPECT_EQ((*refs)[0].path(),
            "/subscriptions/sub-1/resourceGroups/rg-d/providers/Microsoft.NetworkCloud/clusters/c1");
  EXPECT_EQ((*refs)[1].resource_group, "rg-2");
  EXPECT_EQ((*refs)[2].subscription, "sub-3");
  EXPECT_EQ((*refs)[2].name, "c3");
  EXPECT_TRUE(o.fleet());

  struct Bad {
    std::vector<std::string> clusters;
    std::vector<std::string> subscriptions;
    const char* field;
  };
  for (const auto& b : std::vector<Bad>{
           {{"c1"}, {}, "--subscription"},
           {{"c1"}, {"s1", "s2"}, "--cluster c1"},
           {{"c1", "rg-d/c1"}, {"s1"}, "--cluster rg-d/c1"},
           {{"/subscriptions/s/resourceGroups/r/providers/Other/clusters/c"},
            {"s1"},
            "--cluster /subscriptions/s/resourceGroups/r/providers/Other/clusters/c"},
           {{"bad name!"}, {"s1"}, "--cluster bad name!"},
       }) {
    ArmOptions w;
    w.resource_group = "rg-d";
    w.clusters = b.clusters;
    w.subscriptions = b.subscriptions;
    auto r = cluster_refs(w);
    ASSERT_FALSE(r) << b.field;
    EXPECT_EQ(r.error().field, b.field) << r.error().describe();
  }
  EXPECT_FALSE(
      cluster_ref_of_id("/subscriptions/s/resourceGroups/r/providers/Microsoft.NetworkCloud/clusters"));
}

}  // namespace
}  // namespace nexus_mde::plugin
