"""Table views for `az nexus-mde … -o table`: the rows nexus-mde's own table shows, from its JSON.

az's default table shows only top-level scalars; these turn each command's JSON into rows (column
order kept). JSON, YAML, TSV and --query always see the whole result.
"""
from collections import OrderedDict


def _row(*pairs):
    return OrderedDict(pairs)


# "?" for a value nobody reported (unknown, never a zero or a "no"), "-" where there is nothing to
# show: nexus-mde's own tables do the same.
def _value(value):
    return "?" if value is None else value


def _yes_no(value):
    return "?" if value is None else ("yes" if value else "no")


def _on_off(value):
    return "?" if value is None else ("on" if value else "off")


def _drift(value):
    return {"in-sync": "no", "drift": "yes"}.get(value, "?")


def _detail(node):
    return node.get("reason") or "; ".join(node.get("findings") or []) or "-"


def _last_scan(scans):
    if not scans:
        return "-"
    last = max(scans, key=lambda s: s.get("startTime") or "")
    return " ".join(str(x) for x in (last.get("type"), last.get("state"), last.get("startTime")) if x)


def _per_cluster(table):
    """A run over several clusters (`clusters` in place of `nodes`): each cluster's rows, Cluster first.

    A cluster ARM could not read has no rows; nexus-mde said why on stderr."""
    def rows(result):
        if "clusters" not in result:
            return table(result)
        out = []
        for group in result["clusters"]:
            name = group.get("cluster") or "subscription " + str(group.get("subscription"))
            for row in table({"nodes": group.get("nodes") or []}):
                out.append(OrderedDict([("Cluster", name)] + list(row.items())))
        return out
    rows.__name__ = table.__name__
    rows.__doc__ = table.__doc__
    return rows


@_per_cluster
def nodes_table(result):
    return [_row(("Node", n["node"]), ("Address", n.get("address")), ("State", n["state"]),
                 ("LatencyMs", n.get("latencyMs")), ("Detail", n.get("reason") or n.get("note") or "-"))
            for n in result.get("nodes", [])]


# Set by `status --summary`: identical rows of healthy nodes fold into one, as in nexus-mde's table.
FOLD_HEALTHY_ROWS = False


def _folded_names(names):
    if len(names) > 3:
        return "{}, {} … {} ({} nodes)".format(names[0], names[1], names[-1], len(names))
    return ", ".join(names)


def _fold_key(row):
    """What must be alike for healthy rows to fold: everything but the node and its times."""
    key = [v for k, v in row.items() if k not in ("Node", "DefinitionsUpdated", "LastScan")]
    scan = str(row["LastScan"]).rsplit(" ", 1)
    return key + [row["DefinitionsUpdated"] == "?", scan[0] if len(scan) == 2 else scan]


def _scan_time(row):
    return str(row["LastScan"]).rsplit(" ", 1)[-1]


def _fold_healthy(rows, nodes):
    """Healthy rows alike but for their times fold into one, which shows the group's oldest times."""
    groups = []  # [names, row, key or None when the row may not fold]
    for row, n in zip(rows, nodes):
        key = _fold_key(row) if n["state"] == "ok" and not n.get("findings") else None
        same = next((g for g in groups if key is not None and g[2] == key), None)
        if not same:
            groups.append([[row["Node"]], row, key])
            continue
        same[0].append(row["Node"])
        shown = same[1]
        shown["DefinitionsUpdated"] = min(shown["DefinitionsUpdated"], row["DefinitionsUpdated"])
        if _scan_time(row) < _scan_time(shown):
            shown["LastScan"] = row["LastScan"]
    for names, row, _ in groups:
        row["Node"] = _folded_names(names)
    return [g[1] for g in groups]


@_per_cluster
def status_table(result):
    rows = []
    nodes = result.get("nodes", [])
    for n in nodes:
        snap = n.get("snapshot") or {}
        health = snap.get("health") or {}
        enforcement = snap.get("enforcement") or {}
        rows.append(_row(("Node", n["node"]), ("State", n["state"]), ("Healthy", _yes_no(health.get("healthy"))),
                         ("Enforcement", _value(enforcement.get("level"))),
                         ("RTP", _on_off(health.get("realTimeProtectionEnabled"))),
                         ("Definitions", _value(health.get("definitionsVersion"))),
                         ("DefinitionsUpdated", _value(health.get("definitionsUpdated"))),
                         ("LastScan", _last_scan(snap.get("scans"))),
                         # source arm: ARM's view, where threats and quarantine are unknown, not zero
                         ("Threats", len(snap["threats"]) if "threats" in snap and n.get("source") == "agent" else "?"),
                         ("Quarantined", len(snap["quarantine"]) if "quarantine" in snap and n.get("source") == "agent" else "?"),
                         ("Detail", _detail(n))))
    return _fold_healthy(rows, nodes) if FOLD_HEALTHY_ROWS else rows


@_per_cluster
def scans_table(result):
    rows = []
    for n in result.get("nodes", []):
        if not n.get("scans"):
            rows.append(_row(("Node", n["node"]), ("Type", "-"), ("State", n["state"] if n["state"] != "ok" else "-"),
                             ("Started", "-"), ("Ended", "-"), ("Files", "-"), ("Threats", "-")))
        for s in n.get("scans", []):
            rows.append(_row(("Node", n["node"]), ("Type", _value(s.get("type"))), ("State", _value(s.get("state"))),
                             ("Started", _value(s.get("startTime"))), ("Ended", _value(s.get("endTime"))),
                             ("Files", _value(s.get("filesScanned"))), ("Threats", _value(s.get("threatCount")))))
    return rows


@_per_cluster
def threats_table(result):
    rows = []
    for n in result.get("nodes", []):
        for t in n.get("threats", []):
            rows.append(_row(("Node", n["node"]), ("Threat", _value(t.get("name"))), ("Type", _value(t.get("type"))),
                             ("Status", _value(t.get("status"))), ("Path", _value(t.get("path"))),
                             ("Detected", _value(t.get("detectionTime")))))
        if n["state"] != "ok":
            rows.append(_row(("Node", n["node"]), ("Threat", "-"), ("Type", "-"), ("Status", n["state"]),
                             ("Path", "-"), ("Detected", _value(n.get("reason")))))
    return rows


@_per_cluster
def scan_table(result):
    rows = []
    for n in result.get("nodes", []):
        if "scanCompletedTime" in n or "scanStartedTime" in n:  # through ARM
            own = n.get("scan") or {}
            result = "-" if not own else "{} {}, {} threats".format(own.get("type"), own.get("state"), own.get("threatCount") or 0)
            rows.append(_row(("Node", n["node"]), ("Power", _value(n.get("powerState"))),
                             ("Ready", _value(n.get("readyState"))), ("Started", _value(n.get("scanStartedTime"))),
                             ("Completed", _value(n.get("scanCompletedTime"))), ("State", n["state"]),
                             ("Source", _value(n.get("source"))), ("Result", result)))
        else:  # through the agents
            s = n.get("scan") or {}
            rows.append(_row(("Node", n["node"]), ("State", n["state"]), ("Scan", _value(s.get("state"))),
                             ("Type", _value(s.get("type"))), ("Files", _value(s.get("filesScanned"))),
                             ("Threats", _value(s.get("threatsDetected"))), ("Detail", _detail(n))))
    return rows


@_per_cluster
def detection_table(result):
    rows = []
    for n in result.get("nodes", []):
        d = n.get("detection") or {}
        rows.append(_row(("Node", n["node"]), ("State", n["state"]), ("Detected", _yes_no(d.get("detected"))),
                         ("Detail", _detail(n))))
    return rows


def report_table(result):
    rows = []
    for r in result.get("reports", []):
        health = r.get("health") or {}
        rows.append(_row(("Node", r.get("node")), ("Source", r.get("source")), ("Ok", _yes_no(r.get("ok"))),
                         ("Healthy", _yes_no(health.get("healthy"))),
                         ("Enforcement", _value((r.get("enforcement") or {}).get("level"))),
                         ("LastScan", _last_scan(r.get("scans"))), ("Threats", len(r.get("threats") or [])),
                         ("Error", r.get("error") or "-")))
    return rows


def enforcement_table(result):
    desired = (result.get("cluster") or {}).get("desired")
    return [_row(("Node", n["node"]), ("Desired", _value(desired)), ("Reported", _value(n.get("reported"))),
                 ("Source", _value(n.get("source"))), ("Drift", _drift(n.get("drift"))),
                 ("Power", _value(n.get("powerState"))), ("Ready", _value(n.get("readyState"))))
            for n in result.get("nodes", [])]


def enforcement_set_table(result):
    before, after = result.get("before") or {}, result.get("after") or {}
    return [_row(("Cluster", result.get("cluster", "").rsplit("/", 1)[-1]),
                 ("Before", _value(before.get("enforcementLevel"))), ("After", _value(after.get("enforcementLevel"))),
                 ("DefinitionUpdates", _value(after.get("definitionUpdateMode"))),
                 ("Operation", _value(result.get("operationStatus"))))]
