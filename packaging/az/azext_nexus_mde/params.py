"""The arguments of az nexus-mde: the nexus-mde flags, under az's names where az has one.

-g is az's resource_group_name_type, so `az config set defaults.group=…` applies; az networkcloud's
--cluster-name/-n name the cluster too. What az gives is passed to nexus-mde as a flag, so it wins
over nexus-mde's environment and config file (docs/settings.md).
"""
from azure.cli.core.commands.parameters import resource_group_name_type

FLEET_COMMANDS = ("nodes", "status", "scans", "threats", "scan", "test-detection")
CLUSTER_COMMANDS = ("nodes", "status", "scans", "threats", "scan", "test-detection", "enforcement show",
                    "enforcement set", "extract")


def load_arguments(loader, _command):
    for name in CLUSTER_COMMANDS:
        with loader.argument_context("nexus-mde " + name) as c:
            c.argument("cluster", options_list=["--cluster", "--cluster-name", "-n"], arg_group="Cluster",
                       help="The Nexus cluster's name: its bare-metal machines are the nodes.")
            c.argument("resource_group", arg_type=resource_group_name_type, arg_group="Cluster")
            c.argument("inventory", options_list=["--inventory"], arg_group="Cluster",
                       help="Inventory file instead of ARM discovery: {\"nodes\":[{\"name\",\"address\",\"port\"}]}.")
            c.argument("node", options_list=["--node"], nargs="+", arg_group="Cluster",
                       help="Nodes to ask instead of the cluster's: NAME=HOST[:PORT] ...")
            c.argument("ca_file", options_list=["--ca-file"], arg_group="Agent access",
                       help="CA certificate(s) (PEM) the agents' certificates must chain to.")
            c.argument("cert", options_list=["--cert"], arg_group="Agent access", help="Client certificate (PEM) for mTLS.")
            c.argument("key", options_list=["--key"], arg_group="Agent access", help="Client private key (PEM) for mTLS.")
            c.argument("token_file", options_list=["--token-file"], arg_group="Agent access",
                       help="File holding a bearer token for the agents.")
            c.argument("timeout", options_list=["--timeout"], type=int, arg_group="Limits",
                       help="Seconds each node may take (default 5).")
            c.argument("deadline", options_list=["--deadline"], type=int, arg_group="Limits",
                       help="Seconds the whole command may take (default 30, 3600 for --wait).")
            c.argument("concurrency", options_list=["--concurrency"], type=int, arg_group="Limits",
                       help="Nodes asked at once (default: all, up to 4096 and the open-file limit).")
            c.argument("api_version", options_list=["--api-version"], arg_group="Cluster",
                       help="Microsoft.NetworkCloud api-version (default 2026-07-01, falling back to 2025-09-01).")

    for name in FLEET_COMMANDS:
        with loader.argument_context("nexus-mde " + name) as c:
            c.argument("all_clusters", options_list=["--all-clusters"], action="store_true", arg_group="Cluster",
                       help="Every cluster of the subscription: its bare-metal machines, grouped by cluster.")
    with loader.argument_context("nexus-mde status") as c:
        c.argument("summary", options_list=["--summary"], action="store_true",
                   help="In -o table, fold identical healthy rows into one.")
    with loader.argument_context("nexus-mde extract") as c:
        c.argument("limit_time_seconds", options_list=["--limit-time-seconds"], type=int,
                   help="How long each node's extract may run, 60 to 14400 (default 600).")
    with loader.argument_context("nexus-mde xdr sizing") as c:
        c.argument("events_per_minute", options_list=["--events-per-minute"], type=int, required=True,
                   help="Defender XDR events per minute to stream.")
        c.argument("endpoints", options_list=["--endpoints"], type=int,
                   help="Endpoints streaming (50,000 or more needs a dedicated cluster).")
        c.argument("headroom", options_list=["--headroom"], type=float,
                   help="Standard tier: auto-inflate cap as a multiple of the units (default 2).")
        c.argument("retention_days", options_list=["--retention-days"], type=int,
                   help="Event retention in days (default 1; Standard allows 7).")
    with loader.argument_context("nexus-mde xdr capacity") as c:
        c.argument("tus", options_list=["--tus"], type=int, required=True, help="Throughput units of the namespace.")
        c.argument("incoming_bytes_per_second", options_list=["--incoming-bytes-per-second"], type=int,
                   required=True, help="Measured ingress (bytes per second).")
        c.argument("outgoing_bytes_per_second", options_list=["--outgoing-bytes-per-second"], type=int,
                   required=True, help="Measured egress (bytes per second).")
    with loader.argument_context("nexus-mde scans") as c:
        c.argument("limit", options_list=["--limit"], type=int, help="The newest N scans per node; 0 for all (default 5).")
    with loader.argument_context("nexus-mde scan") as c:
        c.argument("scan_type", options_list=["--type"], choices=["quick", "full"], help="quick (default) or full.")
        c.argument("via", options_list=["--via"], choices=["agent", "arm"],
                   help="agent (each node's agent) or arm (the cluster's scanRuntime); default arm with --cluster.")
        c.argument("wait", options_list=["--wait"], action="store_true", help="Wait until every node's scan has ended.")
    with loader.argument_context("nexus-mde test-detection") as c:
        c.argument("wait", options_list=["--wait"], action="store_true", help="Wait for each node's verdict.")
    with loader.argument_context("nexus-mde enforcement set") as c:
        c.argument("level", options_list=["--level"], required=True,
                   choices=["Audit", "Disabled", "OnDemand", "Passive", "RealTime"], help="The enforcement level.")
        c.argument("definition_update_mode", options_list=["--definition-update-mode"], choices=["Automatic", "None"],
                   help="Automatic or None (default: keep the cluster's).")
        c.argument("wait", options_list=["--wait"], action="store_true",
                   help="Then wait until every node reports the level.")
        c.argument("if_match", options_list=["--if-match"],
                   help="Change it only if the cluster's etag is still this one (from enforcement show).")
    with loader.argument_context("nexus-mde report") as c:
        c.positional("files", nargs="+", help="mde-agent-information.json files or data-extract archives.")
