"""The az extension's hand-over to nexus-mde, with az's own modules (Debian's azure-cli) and a stand-in
for az's login, which a machine without network cannot have: what reaches the binary's environment
and arguments, and how its exit code and output come back. Run with /usr/bin/python3 (az's Python):
  /usr/bin/python3 tests/packaging/az_runner_test.py
"""
import os
import stat
import sys
import tempfile
import unittest
from types import SimpleNamespace

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "packaging", "az"))

import azure.cli.core._profile as az_profile  # noqa: E402  (az's module, patched below)
from azext_nexus_mde import runner, transformers  # noqa: E402


class FakeProfile:
    """az's Profile after `az login`: get_raw_token gives (token_type, token, entry), subscription, tenant."""
    calls = []

    def __init__(self, cli_ctx=None):
        self.cli_ctx = cli_ctx

    def get_raw_token(self, resource=None, subscription=None):
        FakeProfile.calls.append((resource, subscription))
        return ("Bearer", "token-from-az-login", {}), subscription or "sub-from-az", "tenant"

    def get_subscription_id(self):
        return "sub-from-az"


class NotLoggedIn(FakeProfile):
    def get_raw_token(self, resource=None, subscription=None):
        raise RuntimeError("Please run 'az login' to setup account.")

    def get_subscription_id(self):
        raise RuntimeError("Please run 'az login' to setup account.")


def fake_cmd(subscription=None, resource_manager="https://management.usgovcloudapi.net/"):
    events = []
    cli_ctx = SimpleNamespace(cloud=SimpleNamespace(endpoints=SimpleNamespace(resource_manager=resource_manager)),
                              data={"subscription_id": subscription},
                              register_event=lambda name, handler: events.append((name, handler)))
    return SimpleNamespace(cli_ctx=cli_ctx, events=events)


class ArmEnvironment(unittest.TestCase):
    def setUp(self):
        FakeProfile.calls = []
        self.saved = az_profile.Profile
        az_profile.Profile = FakeProfile

    def tearDown(self):
        az_profile.Profile = self.saved

    def test_token_and_endpoint_come_from_az(self):
        env = {}
        runner._arm_environment(fake_cmd(subscription="sub-given"), env, "sub-given")
        self.assertEqual(env["NEXUS_MDE_ARM_TOKEN"], "token-from-az-login")
        self.assertEqual(env["NEXUS_MDE_ARM_ENDPOINT"], "https://management.usgovcloudapi.net")  # the cloud's, no slash
        self.assertNotIn("NEXUS_MDE_SUBSCRIPTION", env, "the subscription goes as a flag, above the environment")
        self.assertEqual(FakeProfile.calls, [("https://management.usgovcloudapi.net", "sub-given")])

    def test_the_given_subscription_then_the_default_one(self):
        self.assertEqual(runner._az_subscription(fake_cmd(subscription="sub-given")), "sub-given")
        self.assertEqual(runner._az_subscription(fake_cmd()), "sub-from-az")
        az_profile.Profile = NotLoggedIn
        self.assertIsNone(runner._az_subscription(fake_cmd()))
        self.assertEqual(runner._az_subscription(fake_cmd(subscription="sub-given")), "sub-given",
                         "an explicit --subscription is passed on without a login")

    def test_the_environment_wins(self):
        env = {"NEXUS_MDE_ARM_TOKEN": "mine", "NEXUS_MDE_ARM_ENDPOINT": "https://127.0.0.1:8443"}
        runner._arm_environment(fake_cmd(), env, None)
        self.assertEqual(env["NEXUS_MDE_ARM_TOKEN"], "mine")
        self.assertEqual(env["NEXUS_MDE_ARM_ENDPOINT"], "https://127.0.0.1:8443")
        self.assertEqual(FakeProfile.calls, [], "no token asked of az when one is given")

    def test_not_logged_in_leaves_it_to_nexus_mde(self):
        az_profile.Profile = NotLoggedIn
        env = {}
        runner._arm_environment(fake_cmd(), env, None)
        self.assertNotIn("NEXUS_MDE_ARM_TOKEN", env)


class Running(unittest.TestCase):
    """The binary is a script that records its arguments and environment."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.log = os.path.join(self.dir.name, "log")
        self.binary = os.path.join(self.dir.name, "nexus-mde")
        with open(self.binary, "w", encoding="utf-8") as f:
            f.write('#!/bin/sh\nprintf "%s\\n" "$@" > "{0}"\necho "token=${{NEXUS_MDE_ARM_TOKEN:-}}" >> "{0}"\n'
                    'echo "{{\\"summary\\":{{\\"exitCode\\":$EXIT}}}}"\nexit $EXIT\n'.format(self.log))
        os.chmod(self.binary, stat.S_IRWXU)
        os.environ["NEXUS_MDE_BIN"] = self.binary
        for name in ("NEXUS_MDE_ARM_TOKEN", "AZURE_ACCESS_TOKEN", "NEXUS_MDE_ARM_ENDPOINT"):
            os.environ.pop(name, None)
        self.saved = az_profile.Profile
        az_profile.Profile = FakeProfile

    def tearDown(self):
        az_profile.Profile = self.saved
        os.environ.pop("NEXUS_MDE_BIN", None)
        os.environ.pop("EXIT", None)
        self.dir.cleanup()

    def test_json_is_asked_for_and_returned_and_the_exit_code_kept_for_after_the_output(self):
        os.environ["EXIT"] = "1"
        cmd = fake_cmd()
        result = runner.run_nexus_mde(cmd, ["status", "--cluster", "c1"], arm=True, deadline=None)
        self.assertEqual(result, {"summary": {"exitCode": 1}})
        with open(self.log, encoding="utf-8") as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[:7], ["-o", "json", "status", "--cluster", "c1", "--subscription", "sub-from-az"])
        self.assertEqual(lines[-1], "token=token-from-az-login")
        self.assertEqual(len(cmd.events), 1, "an exit-code hook runs after az prints the result")
        with self.assertRaises(SystemExit) as exited:
            cmd.events[0][1](None)
        self.assertEqual(exited.exception.code, 1)

    def test_no_token_without_a_cluster_and_no_hook_when_clean(self):
        os.environ["EXIT"] = "0"
        cmd = fake_cmd()
        runner.run_nexus_mde(cmd, ["status"], arm=False, deadline=None)
        with open(self.log, encoding="utf-8") as f:
            self.assertEqual(f.read().splitlines()[-1], "token=")
        self.assertEqual(cmd.events, [])


class FleetTables(unittest.TestCase):
    """A run over several clusters groups nodes under `clusters`: az's tables name each row's cluster."""

    @staticmethod
    def node(name, state="ok"):
        return {"node": name, "address": name + ":9448", "state": state, "latencyMs": 1, "findings": [],
                "source": "agent", "snapshot": {"health": {"healthy": True}, "scans": [], "threats": [],
                                                "quarantine": []}}

    def test_each_row_starts_with_its_cluster_and_a_cluster_not_read_has_none(self):
        doc = {"clusters": [
            {"cluster": "c01", "nodes": [self.node("n1"), self.node("n2", "unreachable")]},
            {"cluster": "c02", "nodes": [self.node("n1")]},
            {"cluster": None, "subscription": "sub-b", "error": "auth-error: 403", "nodes": []}]}
        rows = transformers.nodes_table(doc)
        self.assertEqual([(r["Cluster"], r["Node"]) for r in rows], [("c01", "n1"), ("c01", "n2"), ("c02", "n1")])
        self.assertEqual(list(rows[0].keys())[:2], ["Cluster", "Node"])
        self.assertEqual([r["Cluster"] for r in transformers.status_table(doc)], ["c01", "c01", "c02"])
        # One cluster's document keeps its columns.
        self.assertNotIn("Cluster", transformers.nodes_table({"nodes": [self.node("n1")]})[0])

    def test_folding_stays_within_a_cluster(self):
        transformers.FOLD_HEALTHY_ROWS = True
        try:
            doc = {"clusters": [{"cluster": "c01", "nodes": [self.node("a"), self.node("b")]},
                                {"cluster": "c02", "nodes": [self.node("c")]}]}
            rows = transformers.status_table(doc)
        finally:
            transformers.FOLD_HEALTHY_ROWS = False
        self.assertEqual([(r["Cluster"], r["Node"]) for r in rows], [("c01", "a, b"), ("c02", "c")])


if __name__ == "__main__":
    unittest.main()
