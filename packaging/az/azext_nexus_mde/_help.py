"""Help texts of az nexus-mde."""
from knack.help_files import helps

helps["nexus-mde"] = """
type: group
short-summary: Microsoft Defender for Endpoint state across an Azure Operator Nexus cluster (runs nexus-mde).
long-summary: >
  Exit codes are nexus-mde's: 0 clean, 1 findings, 2 incomplete, 3 usage or configuration, 4 deadline.
  az's own options (-o, --query, --subscription) work as for any az command.
"""
helps["nexus-mde nodes"] = """
type: command
short-summary: Which nodes answer, with their latency.
examples:
  - name: Every bare-metal machine of a cluster
    text: az nexus-mde nodes --cluster mycluster -g myrg --ca-file ca.pem --token-file token -o table
"""
helps["nexus-mde status"] = """
type: command
short-summary: Health, enforcement, definitions, last scan, threats and quarantine of every node.
examples:
  - name: The nodes with findings
    text: az nexus-mde status --cluster mycluster -g myrg --query "nodes[?length(findings) > `0`].node" -o tsv
  - name: One row for all the healthy nodes that look alike
    text: az nexus-mde status -n mycluster -g myrg --summary -o table
"""
helps["nexus-mde scans"] = """
type: command
short-summary: The scan history of every node, newest first.
"""
helps["nexus-mde threats"] = """
type: command
short-summary: The threats and quarantined items of every node.
"""
helps["nexus-mde scan"] = """
type: command
short-summary: Start a scan on every node (through ARM's scanRuntime, or each node's agent) and optionally wait for it.
"""
helps["nexus-mde test-detection"] = """
type: command
short-summary: Prove that MDE catches the EICAR test file on every node.
"""
helps["nexus-mde report"] = """
type: command
short-summary: Read downloaded data extracts (mde-agent-information.json or the archive) into one report.
"""
helps["nexus-mde enforcement"] = """
type: group
short-summary: The cluster's MDE enforcement level.
"""
helps["nexus-mde enforcement show"] = """
type: command
short-summary: The cluster's desired level and the level each node reports, with drift.
"""
helps["nexus-mde enforcement set"] = """
type: command
short-summary: Change the cluster's enforcement level (and optionally wait until every node reports it).
examples:
  - name: Real-time protection everywhere
    text: az nexus-mde enforcement set --cluster mycluster -g myrg --level RealTime --wait
"""
helps["nexus-mde extract"] = """
type: command
short-summary: Every ready machine's MDE state through ARM's mde-agent-information data extract (no agent needed).
examples:
  - name: Extract from every ready machine, 10 minutes each at most
    text: az nexus-mde extract --cluster-name mycluster -g myrg --limit-time-seconds 600 -o table
"""
helps["nexus-mde xdr"] = """
type: group
short-summary: Size and check the Event Hub that streams Defender XDR events to a SIEM.
"""
helps["nexus-mde xdr sizing"] = """
type: command
short-summary: Event Hub throughput units, tier, partitions and processing units for an event rate.
"""
helps["nexus-mde xdr capacity"] = """
type: command
short-summary: Whether an Event Hub's throughput units are saturated by measured traffic.
"""
