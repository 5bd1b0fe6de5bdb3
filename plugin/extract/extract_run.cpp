#include "plugin/extract/extract_run.hpp"

#include <memory>

#include "common/agent_information.hpp"
#include "common/text.hpp"
#include "common/time.hpp"
#include "plugin/arm/data_extract.hpp"
#include "plugin/extract/blob_download.hpp"
#include "plugin/report/extract_reader.hpp"

namespace nexus_mde::plugin {

namespace {

constexpr int kMaxStorageHosts = 5;  // redirects from one storage host to another, in all

using Clock = std::chrono::steady_clock;

// The last non-empty line of the script's output head: what it was doing when it stopped.
std::string last_line(const std::string& head) {
  std::size_t end = head.find_last_not_of("\r\n ");
  if (end == std::string::npos) return {};
  std::size_t start = head.find_last_of("\n", end);
  return head.substr(start == std::string::npos ? 0 : start + 1,
                     end - (start == std::string::npos ? 0 : start + 1) + 1);
}

// The mde-agent-information.json inside the download, as a snapshot; an error names what is wrong.
Result<NodeSnapshot> snapshot_of(const std::string& node, std::string_view download) {
  AgentInformationParser parser(node + ": " + kAgentInformationFile);
  auto streamed = stream_extract_bytes(download, [&](std::string_view chunk) { return parser.write(chunk); });
  if (!streamed) return streamed.error();
  auto info = parser.finish();
  if (!info) return info.error();
  NodeSnapshot s;
  s.node = node;
  s.health = info->health;
  if (s.health) s.enforcement = read_enforcement(enforcement_facts(*s.health));
  s.scans = info->scans.value_or(std::vector<ScanRecord>{});
  s.threats = info->threats.value_or(std::vector<Threat>{});
  s.quarantine = info->quarantine.value_or(std::vector<QuarantineEntry>{});
  s.collected_at_ms = now_epoch_ms();
  return s;
}

std::chrono::milliseconds left_until(Clock::time_point end) {
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()));
}

}  // namespace

ExtractRun run_extracts(const ArmAccess& arm, const std::vector<ArmMachine>& machines,
                        std::int64_t limit_seconds, std::size_t width, std::ostream& progress) {
  const auto started = Clock::now();
  const auto give_up_at = started + arm.fan_out.deadline;
  ExtractRun out;
  out.reports.resize(machines.size());
  std::vector<std::size_t> ready;  // indexes into machines
  for (std::size_t i = 0; i < machines.size(); ++i) {
    const ArmMachine& m = machines[i];
    NodeReport& r = out.reports[i];
    r.node = Node{
        m.name, !m.ipv4.empty() ? m.ipv4 : m.ipv6, kDefaultAgentPort, "ARM bareMetalMachine " + m.name, {}};
    r.note = "MDE state from the mde-agent-information data extract";
    if (m.power_state == "On" && m.ready_state == "True" && !m.id.empty()) {
      ready.push_back(i);
    } else {
      r.outcome.state = NodeState::kSkipped;
      r.outcome.reason =
          m.id.empty() ? "ARM gave no resource id"
                       : "not ready (powerState " + m.power_state + ", readyState " + m.ready_state + ")";
    }
  }

  // 1. The data extracts through ARM, `width` at a time, each followed to its end.
  std::vector<std::unique_ptr<DataExtract>> extracts;
  std::vector<Conversation*> conversations;
  std::vector<Node> endpoints;
  for (std::size_t i : ready) {
    extracts.push_back(std::make_unique<DataExtract>(arm, machines[i].id, limit_seconds));
    conversations.push_back(extracts.back().get());
    endpoints.push_back(arm.endpoint);
  }
  FanOutOptions arm_options = arm.fan_out;
  arm_options.concurrency = width;
  std::size_t finished = 0;
  arm_options.on_node_done = [&](std::size_t k, const NodeOutcome& o) {
    progress << "nexus-mde: " << machines[ready[k]].name << ": data extract "
             << (o.state == NodeState::kOk ? "finished (exit code " + extracts[k]->result().exit_code + ")"
                                           : std::string(to_string(o.state)))
             << " (" << ++finished << " of " << ready.size() << ")\n";
  };
  auto arm_run = fan_out(endpoints, conversations, *arm.tls, arm_options);
  out.run.deadline_passed = arm_run.deadline_passed;

  // 2. The results from storage: no ARM token there (the SAS URL is the authorization).
  struct Pending {
    std::size_t report;
    BlobLocation where;
    std::chrono::milliseconds latency;
  };
  std::vector<Pending> pending;
  for (std::size_t k = 0; k < ready.size(); ++k) {
    NodeReport& r = out.reports[ready[k]];
    r.outcome = arm_run.nodes[k];
    if (r.outcome.state != NodeState::kOk) continue;
    const DataExtractResult& result = extracts[k]->result();
    if (result.exit_code == kExtractTimeoutExitCode) {
      r.outcome.state = NodeState::kTimeout;
      r.outcome.reason = "the data extract timed out after " + std::to_string(limit_seconds) +
                         " s (exit code 252; --limit-time-seconds gives it longer)";
      continue;
    }
    if (result.exit_code != "0") {
      r.outcome.state = NodeState::kAgentError;
      r.outcome.reason =
          "the data extract exited " +
          (result.exit_code.empty() ? std::string("without an exit code") : result.exit_code) +
          (last_line(result.output_head).empty() ? "" : ": " + excerpt(last_line(result.output_head), 120));
      continue;
    }
    auto where = blob_location(result.result_url);
    if (!where) {
      r.outcome.state = NodeState::kHttpError;
      r.outcome.reason = "the data extract's resultUrl is not an https URL";
      continue;
    }
    pending.push_back({ready[k], std::move(*where), r.outcome.latency});
  }
  FanOutOptions storage_options = arm_options;
  storage_options.bearer_token.clear();
  storage_options.on_node_done = nullptr;
  // A download is one exchange: give it a minute at least, whatever --timeout says for ARM.
  storage_options.timeout = std::max(storage_options.timeout, std::chrono::milliseconds(60'000));
  // An extract's archive may hold up to 64 MiB, and `--concurrency` of them (8) are received at once.
  storage_options.max_answer_bytes = kMaxExtractBytes;
  storage_options.answers_in_flight_bytes = std::max<std::uint64_t>(
      storage_options.answers_in_flight_bytes, kMaxExtractBytes * storage_options.concurrency);
  for (int round = 0; !pending.empty() && round < kMaxStorageHosts; ++round) {
    std::vector<std::unique_ptr<BlobDownload>> downloads;
    std::vector<Conversation*> download_conversations;
    std::vector<Node> hosts;
    for (const auto& p : pending) {
      downloads.push_back(std::make_unique<BlobDownload>(p.where));
      download_conversations.push_back(downloads.back().get());
      hosts.push_back(p.where.host);
    }
    storage_options.deadline = left_until(give_up_at);
    auto storage_run = fan_out(hosts, download_conversations, *arm.tls, storage_options);
    out.run.deadline_passed = out.run.deadline_passed || storage_run.deadline_passed;
    std::vector<Pending> redirected;
    for (std::size_t k = 0; k < pending.size(); ++k) {
      NodeReport& r = out.reports[pending[k].report];
      r.outcome = storage_run.nodes[k];
      r.outcome.latency += pending[k].latency;
      if (r.outcome.state != NodeState::kOk) {
        r.outcome.reason = "download: " + r.outcome.reason;
        continue;
      }
      if (downloads[k]->elsewhere()) {
        redirected.push_back({pending[k].report, *downloads[k]->elsewhere(), r.outcome.latency});
        continue;
      }
      // 3. The archive, read in memory.
      auto snapshot = snapshot_of(r.node.name, downloads[k]->body());
      if (!snapshot) {
        r.outcome.state = NodeState::kAgentError;
        r.outcome.reason = "the data extract's archive: " + snapshot.error().describe();
        continue;
      }
      r.snapshot = std::move(*snapshot);
      r.findings = findings_of(*r.snapshot);
    }
    pending = std::move(redirected);
  }
  for (const auto& p : pending) {
    NodeReport& r = out.reports[p.report];
    r.outcome.state = NodeState::kHttpError;
    r.outcome.reason = "download: storage redirected across more than 5 hosts";
  }
  out.run.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  for (const auto& r : out.reports) out.run.nodes.push_back(r.outcome);
  sort_naturally(out.reports);
  return out;
}

}  // namespace nexus_mde::plugin
