"""Runs the nexus-mde binary for an az command and turns its answer into az's result.

- The binary: $NEXUS_MDE_BIN, else nexus-mde on PATH, else /usr/bin/nexus-mde.
- ARM: az's cloud gives the endpoint (sovereign clouds) and az's login the token, passed in the
  environment (never on the command line, never logged; values already there win). az's
  --subscription, or its default subscription, is passed as --subscription: what az gives wins over
  nexus-mde's environment and config file (docs/settings.md).
- stdout is JSON and becomes the result; stderr (progress, errors) goes straight to the terminal.
- az exits with the binary's exit code, after printing the result when there is one.
"""
import json
import os
import shutil
import signal
import subprocess
import sys

from knack.log import get_logger
from knack.util import CLIError

logger = get_logger(__name__)

# The binary always returns by its --deadline (default 30 s, 3600 s with --wait); this is the
# extension's own bound on top, for a binary that does not.
_DEFAULT_DEADLINE_SECONDS = 3600
_GRACE_SECONDS = 60
_EXIT_DEADLINE = 4


def _binary():
    exe = os.environ.get("NEXUS_MDE_BIN") or shutil.which("nexus-mde")
    if not exe and os.access("/usr/bin/nexus-mde", os.X_OK):
        exe = "/usr/bin/nexus-mde"
    if not exe:
        raise CLIError("nexus-mde is not installed: install the nexus-mde package, or set NEXUS_MDE_BIN "
                       "to the binary's path")
    return exe


def _az_subscription(cmd):
    """az's subscription: its --subscription (or `az config set defaults.subscription`), else the
    account's default (`az account set`), read from az's profile with no network; None if neither."""
    subscription = cmd.cli_ctx.data.get("subscription_id")
    if subscription:
        return subscription
    try:
        from azure.cli.core._profile import Profile

        return Profile(cli_ctx=cmd.cli_ctx).get_subscription_id()
    except Exception:  # pylint: disable=broad-except
        return None  # not logged in: nexus-mde's environment or config file may name one


def _arm_environment(cmd, env, subscription):
    endpoint = env.get("NEXUS_MDE_ARM_ENDPOINT")
    if not endpoint:
        endpoint = cmd.cli_ctx.cloud.endpoints.resource_manager.rstrip("/")
        env["NEXUS_MDE_ARM_ENDPOINT"] = endpoint
    if env.get("NEXUS_MDE_ARM_TOKEN") or env.get("AZURE_ACCESS_TOKEN"):
        return
    try:
        from azure.cli.core._profile import Profile

        profile = Profile(cli_ctx=cmd.cli_ctx)
        creds, _, _ = profile.get_raw_token(resource=endpoint, subscription=subscription)
        env["NEXUS_MDE_ARM_TOKEN"] = creds[1]
    except Exception as ex:  # pylint: disable=broad-except
        # Not logged in, or no network: nexus-mde says how to log in (exit 3).
        logger.info("no ARM token from az (%s); nexus-mde will look for one itself", type(ex).__name__)


def _exit_after_output(code):
    def handler(_cli_ctx, **_kwargs):
        sys.exit(code)
    return handler


def run_nexus_mde(cmd, args, arm, deadline):
    env = dict(os.environ)
    argv = [_binary(), "-o", "json"] + args
    if arm:
        # A flag, so that az's subscription wins over nexus-mde's environment and config file.
        subscription = _az_subscription(cmd)
        if subscription:
            argv += ["--subscription", subscription]
        _arm_environment(cmd, env, subscription)
    bound = (deadline or _DEFAULT_DEADLINE_SECONDS) + _GRACE_SECONDS
    logger.info("running %s", " ".join(argv))
    try:
        proc = subprocess.run(argv, stdout=subprocess.PIPE, env=env, timeout=bound, check=False)
    except subprocess.TimeoutExpired:
        logger.error("nexus-mde did not finish within %d s and was stopped", bound)
        sys.exit(_EXIT_DEADLINE)
    except OSError as ex:
        raise CLIError("cannot run {}: {}".format(argv[0], ex.strerror)) from ex
    code = proc.returncode
    if code < 0:  # killed by a signal: the shell's convention
        logger.error("nexus-mde was stopped by signal %s", signal.Signals(-code).name)
        sys.exit(128 - code)
    text = proc.stdout.decode("utf-8", errors="replace")
    if not text.strip():
        if code != 0:
            sys.exit(code)  # its error is on stderr already
        return None
    try:
        result = json.loads(text)
    except ValueError as ex:
        raise CLIError("nexus-mde printed something that is not JSON (exit code {}): {}".format(code, text[:200])) from ex
    if code != 0:
        # Print the result first (findings are still a result), then exit with the binary's code.
        from knack.events import EVENT_CLI_SUCCESSFUL_EXECUTE

        cmd.cli_ctx.register_event(EVENT_CLI_SUCCESSFUL_EXECUTE, _exit_after_output(code))
    return result
