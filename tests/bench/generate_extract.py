#!/usr/bin/env python3
"""Writes a large mde-agent-information.json in the real shapes (tests/fixtures/extracts): scanList
with camelCase keys and numbers as strings, threatInformation.list with snake_case keys and
numbers, threats grouped by scan. Deterministic for a given size."""
import json
import random
import sys

def main():
    out_path = sys.argv[1]
    target_mb = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    rng = random.Random(20261123)
    health = {"$type": "getHealthAllResult", "appVersion": "101.23062.0010", "healthy": True, "licensed": True,
              "definitionsVersion": "1.395.30.0", "definitionsUpdated": "1691587153787",
              "realTimeProtectionEnabled": {"displayValue": True, "isManaged": False, "value": True},
              "passiveModeEnabled": {"displayValue": True, "isManaged": False, "value": False}}
    # Sized so that 100 MB holds about 100k scans and 100k threats.
    per_mb = 1000
    n = target_mb * per_mb
    start = 1697204573732
    with open(out_path, "w") as f:
        f.write('{"diagnosticInformation":{"realTimeProtectionStats":{"counters":[]},"eventProviderStats":{}},')
        f.write('"mdeDefinitions":{},"generalHealth":%s,"mdeConfiguration":{},"scanList":[' % json.dumps(health))
        for i in range(n):
            t0 = start + i * 3_600_000 + rng.randrange(1000)
            f.write(("," if i else "") + json.dumps({
                "endTime": str(t0 + 58755), "filesScanned": str(1750 + rng.randrange(500)), "startTime": str(t0),
                "state": "succeeded" if i % 97 else "failed", "threats": [], "type": "quick" if i % 5 else "full",
                "engineVersion": "1.1.23070.1002", "definitionsVersion": "1.395.30.0"}))
        f.write('],"threatInformation":{"list":{"threats":{"scans":[')
        for i in range(n):
            t0 = start + i * 3_600_000
            tid = "%08x-%04x-%04x-%04x-%012x" % (rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(16),
                                                  rng.getrandbits(16), rng.getrandbits(48))
            threat = {"threat": {"tracking_id": tid, "name": "Virus:DOS/EICAR_Test_File", "type": "virus",
                                 "path": "/var/lib/containers/storage/overlay/%064x/diff/tmp/%d/eicar.com.txt"
                                         % (rng.getrandbits(256), i),
                                 "detection_time": t0 + 1000, "sha256": "%064x" % rng.getrandbits(256),
                                 "sha1": "%040x" % rng.getrandbits(160), "md5": "%032x" % rng.getrandbits(128),
                                 "detection_source": "on_demand_scan", "process_name": "/usr/bin/cp", "user": "root"},
                      "history": [{"key": t0 + 1000, "value": "detected"}, {"key": t0 + 1300, "value": "quarantined"}]}
            f.write(("," if i else "") + json.dumps({
                "type": "quick", "start_time": t0, "end_time": t0 + 58755, "files_scanned": 1750,
                "threats": [threat], "state": "succeeded"}))
        f.write(']}},"quarantineList":{"type":"quarantined","threats":[]}}}\n')

if __name__ == "__main__":
    main()
