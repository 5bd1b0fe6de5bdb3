// nexus-mde: the operator CLI (also run as kubectl-nexus_mde and by the az extension).
#include "plugin/cli.hpp"

int main(int argc, char** argv) { return nexus_mde::plugin::run_cli(argc, argv); }
