"""The commands of az nexus-mde: each builds a nexus-mde command line and runs it (runner.py).

az reads each function's signature to know its arguments, so every one is spelled out.
"""
from azext_nexus_mde import transformers
from azext_nexus_mde.runner import run_nexus_mde

_CLUSTER_FLAGS = (("cluster", "--cluster"), ("resource_group", "--resource-group"), ("inventory", "--inventory"),
                  ("ca_file", "--ca-file"), ("cert", "--cert"), ("key", "--key"), ("token_file", "--token-file"),
                  ("timeout", "--timeout"), ("deadline", "--deadline"), ("concurrency", "--concurrency"),
                  ("api_version", "--api-version"))


def _run(cmd, command, scope, extra=(), arm=False):
    """scope: the function's locals(); its cluster and agent-access arguments become flags."""
    args = list(command)
    for name, flag in _CLUSTER_FLAGS:
        if scope.get(name) is not None:
            args += [flag, str(scope[name])]
    for spec in scope.get("node") or []:
        args += ["--node", spec]
    if scope.get("all_clusters"):
        args.append("--all-clusters")
    args += list(extra)
    wants_arm = arm or scope.get("cluster") is not None or bool(scope.get("all_clusters"))
    return run_nexus_mde(cmd, args, arm=wants_arm, deadline=scope.get("deadline"))


def nodes(cmd, cluster=None, all_clusters=False, resource_group=None, inventory=None, node=None, ca_file=None,
          cert=None, key=None, token_file=None, timeout=None, deadline=None, concurrency=None, api_version=None):
    return _run(cmd, ["nodes"], locals())


def status(cmd, summary=False, cluster=None, all_clusters=False, resource_group=None, inventory=None, node=None,
           ca_file=None, cert=None, key=None, token_file=None, timeout=None, deadline=None, concurrency=None,
           api_version=None):
    # az hands a table transformer the result alone: the folding it asks for reaches it here.
    transformers.FOLD_HEALTHY_ROWS = summary
    return _run(cmd, ["status"], locals())


def scans(cmd, limit=None, cluster=None, all_clusters=False, resource_group=None, inventory=None, node=None,
          ca_file=None, cert=None, key=None, token_file=None, timeout=None, deadline=None, concurrency=None,
          api_version=None):
    return _run(cmd, ["scans"], locals(), [] if limit is None else ["--limit", str(limit)])


def threats(cmd, cluster=None, all_clusters=False, resource_group=None, inventory=None, node=None, ca_file=None,
            cert=None, key=None, token_file=None, timeout=None, deadline=None, concurrency=None, api_version=None):
    return _run(cmd, ["threats"], locals())


def scan(cmd, scan_type=None, via=None, wait=False, cluster=None, all_clusters=False, resource_group=None,
         inventory=None, node=None, ca_file=None, cert=None, key=None, token_file=None, timeout=None, deadline=None,
         concurrency=None, api_version=None):
    extra = []
    if scan_type:
        extra += ["--type", scan_type]
    if via:
        extra += ["--via", via]
    if wait:
        extra.append("--wait")
    return _run(cmd, ["scan"], locals(), extra)


def test_detection(cmd, wait=False, cluster=None, all_clusters=False, resource_group=None, inventory=None, node=None,
                   ca_file=None, cert=None, key=None, token_file=None, timeout=None, deadline=None, concurrency=None,
                   api_version=None):
    return _run(cmd, ["test-detection"], locals(), ["--wait"] if wait else [])


def enforcement_show(cmd, cluster=None, resource_group=None, inventory=None, node=None, ca_file=None, cert=None,
                     key=None, token_file=None, timeout=None, deadline=None, concurrency=None, api_version=None):
    return _run(cmd, ["enforcement", "show"], locals(), arm=True)


def enforcement_set(cmd, level, definition_update_mode=None, wait=False, if_match=None, cluster=None, resource_group=None,
                    inventory=None, node=None, ca_file=None, cert=None, key=None, token_file=None, timeout=None,
                    deadline=None, concurrency=None, api_version=None):
    extra = [level]
    if definition_update_mode:
        extra += ["--definition-update-mode", definition_update_mode]
    if wait:
        extra.append("--wait")
    if if_match:
        extra += ["--if-match", if_match]
    return _run(cmd, ["enforcement", "set"], locals(), extra, arm=True)


def extract(cmd, limit_time_seconds=None, cluster=None, resource_group=None, inventory=None, node=None, ca_file=None,
            cert=None, key=None, token_file=None, timeout=None, deadline=None, concurrency=None, api_version=None):
    extra = [] if limit_time_seconds is None else ["--limit-time-seconds", str(limit_time_seconds)]
    return _run(cmd, ["extract"], locals(), extra, arm=True)


def _numbers(pairs):
    args = []
    for flag, value in pairs:
        if value is not None:
            args += [flag, str(value)]
    return args


def xdr_sizing(cmd, events_per_minute, endpoints=None, headroom=None, retention_days=None):
    return run_nexus_mde(cmd, ["xdr", "sizing"] + _numbers((
        ("--events-per-minute", events_per_minute), ("--endpoints", endpoints), ("--headroom", headroom),
        ("--retention-days", retention_days))), arm=False, deadline=None)


def xdr_capacity(cmd, tus, incoming_bytes_per_second, outgoing_bytes_per_second):
    return run_nexus_mde(cmd, ["xdr", "capacity"] + _numbers((
        ("--tus", tus), ("--incoming-bytes-per-second", incoming_bytes_per_second),
        ("--outgoing-bytes-per-second", outgoing_bytes_per_second))), arm=False, deadline=None)


def report(cmd, files):
    return run_nexus_mde(cmd, ["report", "--"] + list(files), arm=False, deadline=None)
