// nexus-mde: the operator CLI (also run as kubectl-nexus_mde and by the az extension).
#include <sys/resource.h>

#include <iostream>

#include "plugin/run_cli.hpp"

int main(int argc, char** argv) {
  // The CLI writes only through iostreams: unsynced, they buffer themselves (large reports).
  std::ios::sync_with_stdio(false);
  // `scan --wait` holds one connection per node while it waits: a 1000-node cluster needs more
  // descriptors than the usual soft limit of 1024. The hard limit is ours to take.
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
  }
  return nexus_mde::plugin::run_cli(argc, argv);
}
