"""az nexus-mde: the nexus-mde CLI as an az extension.

Every command runs the nexus-mde binary with `-o json` and returns what it printed, so az formats
it (-o table|tsv|yaml|json, --query). The binary's stderr (progress, errors) reaches the terminal
as it is written, and az exits with the binary's exit code (0 clean, 1 findings, 2 incomplete,
3 usage or configuration, 4 deadline), after printing the result.
"""
from azure.cli.core import AzCommandsLoader

from azext_nexus_mde._help import helps  # noqa: F401  (registers the help texts)


class NexusMdeCommandsLoader(AzCommandsLoader):
    def __init__(self, cli_ctx=None):
        from azure.cli.core.commands import CliCommandType

        custom = CliCommandType(operations_tmpl="azext_nexus_mde.custom#{}")
        super().__init__(cli_ctx=cli_ctx, custom_command_type=custom)

    def load_command_table(self, args):
        from azext_nexus_mde import transformers as t

        with self.command_group("nexus-mde", is_preview=True) as g:
            g.custom_command("nodes", "nodes", table_transformer=t.nodes_table)
            g.custom_command("status", "status", table_transformer=t.status_table)
            g.custom_command("scans", "scans", table_transformer=t.scans_table)
            g.custom_command("threats", "threats", table_transformer=t.threats_table)
            g.custom_command("scan", "scan", table_transformer=t.scan_table)
            g.custom_command("test-detection", "test_detection", table_transformer=t.detection_table)
            g.custom_command("report", "report", table_transformer=t.report_table)
            g.custom_command("extract", "extract", table_transformer=t.status_table)
        with self.command_group("nexus-mde enforcement") as g:
            g.custom_command("show", "enforcement_show", table_transformer=t.enforcement_table)
            g.custom_command("set", "enforcement_set", table_transformer=t.enforcement_set_table)
        with self.command_group("nexus-mde xdr") as g:
            g.custom_command("sizing", "xdr_sizing")
            g.custom_command("capacity", "xdr_capacity")
        return self.command_table

    def load_arguments(self, command):
        from azext_nexus_mde.params import load_arguments

        load_arguments(self, command)


COMMAND_LOADER_CLS = NexusMdeCommandsLoader
