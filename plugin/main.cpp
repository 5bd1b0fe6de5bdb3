// nexus-mde: the operator CLI (also run as kubectl-nexus_mde and by the az extension).
#include "plugin/cli.hpp"

#include <iostream>

int main(int argc, char** argv) {
  // The CLI writes only through iostreams: unsynced, they buffer themselves (large reports).
  std::ios::sync_with_stdio(false);
  return nexus_mde::plugin::run_cli(argc, argv);
}
