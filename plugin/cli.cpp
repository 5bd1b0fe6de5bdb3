#include "plugin/cli.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/sys/build_info.hpp"
#include "common/sys/files.hpp"
#include "common/sys/text.hpp"
#include "plugin/completion.hpp"
#include "plugin/man_page.hpp"
#include "plugin/output/colour.hpp"
#include "plugin/suggest.hpp"

namespace nexus_mde::plugin {

namespace {

void add_output_options(CLI::App& app, GlobalOptions& globals) {
  app.option_defaults()->group("Output");
  app.add_option_function<std::string>(
         "-o,--output",
         [&globals](const std::string& name) { globals.output = output_format_names().at(to_lower(name)); },
         "Output format: table (default), json, yaml or tsv")
      ->check(CLI::IsMember({"table", "json", "yaml", "tsv"}, CLI::ignore_case))
      ->envname("NEXUS_MDE_OUTPUT")
      ->type_name("FORMAT");
  app.add_flag_callback(
      "--no-color", [] { choose_colour(true); },
      "No colour in tables (also NO_COLOR; colour is only ever used at a terminal)");
}

void add_node_options(CLI::App& app, GlobalOptions& globals) {
  // Where the nodes are. --node wins over --inventory.
  app.option_defaults()->group("Nodes");
  app.add_option("--node", globals.inventory.node_specs,
                 "A node to ask, NAME=HOST[:PORT] (repeatable; default port 9448)")
      ->envname("NEXUS_MDE_NODES")
      ->delimiter(',')
      ->type_name("NAME=HOST[:PORT]");
  app.add_option("--inventory", globals.inventory.inventory_file,
                 "Inventory file: {\"nodes\":[{\"name\":…,\"address\":…,\"port\":9448}]}")
      ->envname("NEXUS_MDE_INVENTORY")
      ->type_name("FILE");
}

void add_kubernetes_options(CLI::App& app, GlobalOptions& globals) {
  // kubectl's flags (kubectl passes them to its plugins): nodes from the Kubernetes API when no
  // other source is given. docs/kubernetes.md.
  auto& kube = globals.inventory.kubernetes;
  app.add_option("--kubeconfig", kube.kubeconfig, "kubeconfig file for the Kubernetes API (kubectl's flag)")
      ->group("Kubernetes")
      ->type_name("FILE");
  app.add_option("--context", kube.context, "kubeconfig context (kubectl's flag)")
      ->group("Kubernetes")
      ->type_name("NAME");
  app.add_option("-l,--selector", kube.selector,
                 "Only the Kubernetes nodes with these labels (kubectl's flag)")
      ->group("Kubernetes")
      ->type_name("SELECTOR");
  app.add_option("-n,--namespace", kube.namespace_,
                 "Accepted as kubectl's flag; nodes belong to no namespace")
      ->group("Kubernetes")
      ->type_name("NAMESPACE");
}

void add_arm_options(CLI::App& app, GlobalOptions& globals) {
  // The cluster in Azure Resource Manager: the third source of nodes, and enforcement.
  app.option_defaults()->group("ARM cluster");
  auto& arm = globals.arm;
  app.add_option("--cluster,--cluster-name", arm.clusters,
                 "A Nexus cluster: NAME, RG/NAME or its ARM id; nodes come from its bare-metal machines "
                 "(repeatable)")
      ->envname("NEXUS_MDE_CLUSTER")
      ->delimiter(',')
      ->type_name("NAME");
  app.add_flag("--all-clusters", arm.all_clusters,
               "Every cluster of the subscription(s): their bare-metal machines, listed by subscription")
      ->envname("NEXUS_MDE_ALL_CLUSTERS");
  app.add_option("-g,--resource-group", arm.resource_group, "The resource group of a --cluster NAME")
      ->envname("NEXUS_MDE_RESOURCE_GROUP")
      ->type_name("RG");
  app.add_option("--subscription", arm.subscriptions, "The clusters' subscription ID (repeatable)")
      ->envname("NEXUS_MDE_SUBSCRIPTION")
      ->delimiter(',')
      ->type_name("ID");
  app.add_option("--arm-endpoint", arm.endpoint,
                 "ARM endpoint (sovereign clouds, tests); default https://management.azure.com")
      ->envname("NEXUS_MDE_ARM_ENDPOINT")
      ->type_name("URL");
  app.add_option("--arm-ca-file", arm.ca_file,
                 "CA certificate(s) (PEM) for the ARM endpoint; default: the system's")
      ->envname("NEXUS_MDE_ARM_CA_FILE")
      ->type_name("PEM");
  app.add_option("--api-version", arm.api_version,
                 "Microsoft.NetworkCloud api-version; default 2026-07-01, falling back to 2025-09-01")
      ->envname("NEXUS_MDE_API_VERSION")
      ->type_name("V");
}

void add_agent_options(CLI::App& app, GlobalOptions& globals) {
  // How to reach the agents.
  app.option_defaults()->group("Agents");
  auto& access = globals.access;
  app.add_option("--ca-file", access.ca_file,
                 "CA certificate(s) (PEM) that agents' certificates must chain to")
      ->envname("NEXUS_MDE_CA_FILE")
      ->type_name("PEM");
  app.add_option("--cert", access.cert_file, "Client certificate (PEM) for mTLS")
      ->envname("NEXUS_MDE_CERT")
      ->type_name("PEM");
  app.add_option("--key", access.key_file, "Client private key (PEM) for mTLS")
      ->envname("NEXUS_MDE_KEY")
      ->type_name("PEM");
  app.add_option("--token-file", access.token_file, "File holding a bearer token for the agents")
      ->envname("NEXUS_MDE_TOKEN_FILE")
      ->type_name("FILE");
  app.add_option("--timeout", access.timeout_seconds,
                 "Seconds each node has per request (connect, TLS, answer); default 5")
      ->envname("NEXUS_MDE_TIMEOUT")
      ->type_name("S");
  app.add_option("--deadline", access.deadline_seconds,
                 "Seconds the whole command may take; default 30, or 3600 for scan --wait")
      ->envname("NEXUS_MDE_DEADLINE")
      ->type_name("S");
  app.add_option("--concurrency", access.concurrency,
                 "Nodes asked at once; default all of them, up to 4096 and the open-file limit")
      ->envname("NEXUS_MDE_CONCURRENCY")
      ->type_name("N");
  app.add_flag("--no-session-cache", access.no_session_cache,
               "Neither resume nor keep TLS sessions across commands (kept 0600 in "
               "$XDG_CACHE_HOME/nexus-mde/tls-sessions)")
      ->envname("NEXUS_MDE_NO_SESSION_CACHE");
  app.option_defaults()->group("Findings");
  app.add_flag("--include-test-detections", globals.findings.include_test_detections,
               "Count the threats the detection test made (its EICAR file) as findings; by default they are "
               "shown as test");
}

void add_config_option(CLI::App& app) {
  // Runbooks keep these in a file rather than repeat them: `ca-file = "/etc/…"`, `node = ["a=…"]`.
  app.option_defaults()->group("Config");
  app.set_config("--config", default_config_file(),
                 "Config file (TOML: ca-file = \"…\", token-file = \"…\", inventory = \"…\"); default "
                 "$NEXUS_MDE_CONFIG, else ~/.config/nexus-mde/config.toml")
      ->type_name("FILE");
}

}  // namespace

// Grouped as az groups its global arguments; every command's --help lists them (GlobalHelp).
void add_global_options(CLI::App& app, GlobalOptions& globals) {
  add_output_options(app, globals);
  add_node_options(app, globals);
  add_kubernetes_options(app, globals);
  add_arm_options(app, globals);
  add_agent_options(app, globals);
  add_config_option(app);
  app.option_defaults()->group("Options");  // the commands' own
}

std::string default_config_file() { return xdg_file("XDG_CONFIG_HOME", ".config", "config.toml"); }

namespace {

// A command's --help also lists the options every command takes, group by group, as az lists its
// global arguments under each command.
class GlobalHelp : public CLI::Formatter {
 public:
  std::string make_help(const CLI::App* app, std::string name, CLI::AppFormatMode mode) const override {
    std::string out = CLI::Formatter::make_help(app, std::move(name), mode);
    const CLI::App* root = app;
    while (root->get_parent()) root = root->get_parent();
    if (root == app || mode != CLI::AppFormatMode::Normal) return out;
    std::string globals;
    for (const std::string& group : root->get_groups()) {
      if (group == "Options" || group.empty()) continue;  // the root's own --help and --version
      auto options = root->get_options([&group](const CLI::Option* o) { return o->get_group() == group; });
      if (!options.empty()) globals += make_group(group + " (global)", false, options);
    }
    return out + globals;
  }
};

// Settings are taken flag > environment > config file (docs/settings.md). CLI11 applies the config
// file before the environment, so the file's value for an option whose variable is set is dropped
// here, and CLI11 then takes the variable's.
class EnvironmentBeforeFile : public CLI::ConfigTOML {
 public:
  explicit EnvironmentBeforeFile(const CLI::App& app) : app_(app) {}

  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
    std::vector<CLI::ConfigItem> read = CLI::ConfigTOML::from_config(input);
    read.erase(std::remove_if(read.begin(), read.end(),
                              [this](const CLI::ConfigItem& item) { return set_in_environment(item); }),
               read.end());
    return read;
  }

 private:
  bool set_in_environment(const CLI::ConfigItem& item) const {
    if (!item.parents.empty()) return false;
    const CLI::Option* option = app_.get_option_no_throw("--" + item.name);
    if (option == nullptr || option->get_envname().empty()) return false;
    const char* value = std::getenv(option->get_envname().c_str());
    return value != nullptr && *value != '\0';
  }

  const CLI::App& app_;
};

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"Microsoft Defender for Endpoint state across an Azure Operator Nexus cluster."};
  // The same binary runs as nexus-mde, kubectl-nexus_mde and under the az extension.
  std::string invoked = argc > 0 ? std::filesystem::path(argv[0]).filename().string() : "nexus-mde";
  app.name(invoked == "kubectl-nexus_mde" ? "kubectl nexus-mde" : "nexus-mde");
  app.set_version_flag("--version", "nexus-mde " + build_description());
  app.formatter(std::make_shared<GlobalHelp>());
  app.require_subcommand(1);
  // A key the config file misspells is an error that names it, not a setting silently lost.
  app.allow_config_extras(CLI::config_extras_mode::error);
  app.config_formatter(std::make_shared<EnvironmentBeforeFile>(app));
  app.fallthrough();  // global options may also follow the subcommand

  GlobalOptions globals;
  globals.inventory.kubernetes.invoked_as_plugin = invoked == "kubectl-nexus_mde";
  CommandOutcome outcome;
  add_global_options(app, globals);
  add_nodes_command(app, globals, outcome);
  add_status_command(app, globals, outcome);
  add_scans_command(app, globals, outcome);
  add_threats_command(app, globals, outcome);
  add_scan_command(app, globals, outcome);
  add_report_command(app, globals, outcome);
  add_enforcement_command(app, globals, outcome);
  add_test_detection_command(app, globals, outcome);
  add_extract_command(app, globals, outcome);
  add_xdr_command(app, globals, outcome);
  add_targets_command(app, globals, outcome);
  add_completion_command(app, outcome);

  // The completion scripts' callback: candidates for the words typed so far, never a parse.
  // The build's man page writer (plugin/man_page.hpp), from the same tree.
  if (argc >= 2 && std::string_view(argv[1]) == "__man") {
    write_man_page(app, NEXUS_MDE_VERSION, std::cout);
    return to_int(ExitCode::kClean);
  }
  if (argc >= 2 && std::string_view(argv[1]) == "__complete") {
    complete(app, std::vector<std::string>(argv + 2, argv + argc), std::cout);
    return to_int(ExitCode::kClean);
  }

  // CLI11 reads the config file before it looks at environment variables, so an envname on
  // --config would be seen too late: $NEXUS_MDE_CONFIG becomes a --config right after the
  // program name (a flag still wins; a missing file is an error, as for the flag).
  // AZURE_SUBSCRIPTION_ID, the variable Azure SDKs read, is the environment's subscription too.
  if (const char* azure = std::getenv("AZURE_SUBSCRIPTION_ID"); azure && *azure)
    setenv("NEXUS_MDE_SUBSCRIPTION", azure, 0);

  std::vector<char*> args(argv, argv + argc);
  const char* config_from_env = std::getenv("NEXUS_MDE_CONFIG");
  bool config_flag = std::any_of(args.begin(), args.end(), [](const char* a) {
    std::string_view arg(a);
    return arg == "--config" || arg.rfind("--config=", 0) == 0;
  });
  std::string config_option = "--config";
  std::string config_path = config_from_env ? config_from_env : "";
  if (!config_flag && !config_path.empty() && !args.empty()) {
    args.insert(args.begin() + 1, {config_option.data(), config_path.data()});
  }

  choose_colour(false);
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::string why = unknown_config_key(app, e.what());
    if (why.empty())
      why = did_you_mean(app, std::vector<std::string>(args.begin() + (args.empty() ? 0 : 1), args.end()));
    std::cerr << app.get_name() << ": " << (why.empty() ? std::string(e.what()) : why) << "\n\nRun '"
              << app.get_name() << " --help' for usage.\n";
    return to_int(ExitCode::kUsage);
  } catch (const std::exception& e) {
    std::cerr << app.get_name() << ": internal error: " << e.what() << "\n";
    return to_int(ExitCode::kUsage);
  }
  return to_int(outcome.exit_code);
}

}  // namespace nexus_mde::plugin
