#include "plugin/extract/extract_run.hpp"

#include <memory>

#include "common/mdatp/agent_information.hpp"
#include "common/sys/text.hpp"
#include "common/sys/time.hpp"
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

namespace {

// A download to make: the report it fills, where the archive is, and the time spent so far.
struct Pending {
  std::size_t report;
  BlobLocation where;
  std::chrono::milliseconds latency;
};

// One extract run's phases, in order: the machines that can run one, the data extracts through
// ARM, what each extract's result says, then the archives from storage, read in memory.
class ExtractRunner {
 public:
  ExtractRunner(const ArmAccess& arm, const std::vector<ArmMachine>& machines, std::int64_t limit_seconds,
                std::size_t width, std::ostream& progress)
      : arm_(arm), machines_(machines), limit_seconds_(limit_seconds), progress_(progress) {
    arm_options_ = arm.fan_out;
    arm_options_.concurrency = width;
    out_.reports.resize(machines.size());
  }

  ExtractRun run() {
    skip_unready();
    run_data_extracts();
    download(read_results());
    out_.run.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_);
    for (const auto& r : out_.reports) out_.run.outcomes.push_back(r.outcome);
    sort_naturally(out_.reports);
    return std::move(out_);
  }

 private:
  // 0. Machines powered off, not ready or without an id are skipped.
  void skip_unready() {
    for (std::size_t i = 0; i < machines_.size(); ++i) {
      const ArmMachine& m = machines_[i];
      NodeReport& r = out_.reports[i];
      r.node = node_of(m);
      r.note = "MDE state from the mde-agent-information data extract";
      if (m.power_state == "On" && m.ready_state == "True" && !m.id.empty()) {
        ready_.push_back(i);
        continue;
      }
      r.outcome.state = ExchangeState::kSkipped;
      r.outcome.reason =
          m.id.empty() ? "ARM gave no resource id"
                       : "not ready (powerState " + m.power_state + ", readyState " + m.ready_state + ")";
    }
  }

  // 1. The data extracts through ARM, `width` at a time, each followed to its end.
  void run_data_extracts() {
    std::vector<Conversation*> conversations;
    std::vector<Target> endpoints;
    for (std::size_t i : ready_) {
      extracts_.push_back(std::make_unique<DataExtract>(arm_, machines_[i].id, limit_seconds_));
      conversations.push_back(extracts_.back().get());
      endpoints.push_back(arm_.endpoint);
    }
    FanOutOptions options = arm_options_;
    std::size_t finished = 0;
    options.on_done = [&](std::size_t k, const ExchangeOutcome& o) {
      progress_ << "nexus-mde: " << machines_[ready_[k]].name << ": data extract "
                << (o.state == ExchangeState::kOk
                        ? "finished (exit code " + extracts_[k]->result().exit_code + ")"
                        : std::string(to_string(o.state)))
                << " (" << ++finished << " of " << ready_.size() << ")\n";
    };
    auto run = fan_out(endpoints, conversations, *arm_.tls, options);
    for (std::size_t k = 0; k < ready_.size(); ++k) out_.reports[ready_[k]].outcome = run.outcomes[k];
    out_.run.deadline_passed = run.deadline_passed;
  }

  // 2. What each finished extract says: timed out, failed, or an archive to download.
  std::vector<Pending> read_results() {
    std::vector<Pending> pending;
    for (std::size_t k = 0; k < ready_.size(); ++k) {
      NodeReport& r = out_.reports[ready_[k]];
      if (r.outcome.state != ExchangeState::kOk) continue;
      const DataExtractResult& result = extracts_[k]->result();
      if (result.exit_code == kExtractTimeoutExitCode) {
        r.outcome.state = ExchangeState::kTimeout;
        r.outcome.reason = "the data extract timed out after " + std::to_string(limit_seconds_) +
                           " s (exit code 252; --limit-time-seconds gives it longer)";
        continue;
      }
      if (result.exit_code != "0") {
        r.outcome.state = ExchangeState::kAgentError;
        r.outcome.reason =
            "the data extract exited " +
            (result.exit_code.empty() ? std::string("without an exit code") : result.exit_code) +
            (last_line(result.output_head).empty() ? "" : ": " + excerpt(last_line(result.output_head), 120));
        continue;
      }
      auto where = blob_location(result.result_url);
      if (!where) {
        r.outcome.state = ExchangeState::kHttpError;
        r.outcome.reason = "the data extract's resultUrl is not an https URL";
        continue;
      }
      pending.push_back({ready_[k], std::move(*where), r.outcome.latency});
    }
    return pending;
  }

  // 3. The archives from storage (no ARM token there: the SAS URL is the authorization),
  // following redirects across at most kMaxStorageHosts hosts, each read in memory.
  void download(std::vector<Pending> pending) {
    FanOutOptions options = storage_options();
    for (int round = 0; !pending.empty() && round < kMaxStorageHosts; ++round) {
      std::vector<std::unique_ptr<BlobDownload>> downloads;
      std::vector<Conversation*> conversations;
      std::vector<Target> hosts;
      for (const auto& p : pending) {
        downloads.push_back(std::make_unique<BlobDownload>(p.where));
        conversations.push_back(downloads.back().get());
        hosts.push_back(p.where.host);
      }
      options.deadline = left_until(give_up_at_);
      auto run = fan_out(hosts, conversations, *arm_.tls, options);
      out_.run.deadline_passed = out_.run.deadline_passed || run.deadline_passed;
      std::vector<Pending> redirected;
      for (std::size_t k = 0; k < pending.size(); ++k) {
        NodeReport& r = out_.reports[pending[k].report];
        r.outcome = run.outcomes[k];
        r.outcome.latency += pending[k].latency;
        if (r.outcome.state != ExchangeState::kOk) {
          r.outcome.reason = "download: " + r.outcome.reason;
        } else if (downloads[k]->elsewhere()) {
          redirected.push_back({pending[k].report, *downloads[k]->elsewhere(), r.outcome.latency});
        } else {
          read_archive(r, downloads[k]->body());
        }
      }
      pending = std::move(redirected);
    }
    for (const auto& p : pending) {
      NodeReport& r = out_.reports[p.report];
      r.outcome.state = ExchangeState::kHttpError;
      r.outcome.reason = "download: storage redirected across more than 5 hosts";
    }
  }

  FanOutOptions storage_options() const {
    FanOutOptions o = arm_options_;
    o.bearer_token.clear();
    o.on_done = nullptr;
    // A download is one exchange: give it a minute at least, whatever --timeout says for ARM.
    o.timeout = std::max(o.timeout, std::chrono::milliseconds(60'000));
    // An extract's archive may hold up to 64 MiB, and `--concurrency` of them (8) are received at once.
    o.max_answer_bytes = kMaxExtractBytes;
    o.answers_in_flight_bytes =
        std::max<std::uint64_t>(o.answers_in_flight_bytes, kMaxExtractBytes * o.concurrency);
    return o;
  }

  static void read_archive(NodeReport& r, std::string_view archive) {
    auto snapshot = snapshot_of(r.node.name, archive);
    if (!snapshot) {
      r.outcome.state = ExchangeState::kAgentError;
      r.outcome.reason = "the data extract's archive: " + snapshot.error().describe();
      return;
    }
    r.snapshot = std::move(*snapshot);
    r.findings = findings_of(*r.snapshot);
  }

  const ArmAccess& arm_;
  const std::vector<ArmMachine>& machines_;
  const std::int64_t limit_seconds_;
  std::ostream& progress_;
  const Clock::time_point started_ = Clock::now();
  const Clock::time_point give_up_at_ = started_ + arm_.fan_out.deadline;
  FanOutOptions arm_options_;
  ExtractRun out_;
  std::vector<std::size_t> ready_;  // indexes into machines_
  std::vector<std::unique_ptr<DataExtract>> extracts_;
};

}  // namespace

ExtractRun run_extracts(const ArmAccess& arm, const std::vector<ArmMachine>& machines,
                        std::int64_t limit_seconds, std::size_t width, std::ostream& progress) {
  return ExtractRunner(arm, machines, limit_seconds, width, progress).run();
}

}  // namespace nexus_mde::plugin
