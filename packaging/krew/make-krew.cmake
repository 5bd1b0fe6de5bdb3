# cmake -P make-krew.cmake: the krew archive and its manifest.
# In: BINARY (nexus-mde), COMPLETE (kubectl_complete-nexus_mde), LICENSE, TEMPLATE, OUT_DIR, VERSION,
#     RELEASE_URL, HOMEPAGE. Out: OUT_DIR/kubectl-nexus_mde-vVERSION-linux-amd64.tar.gz and
#     OUT_DIR/plugins/nexus-mde.yaml, whose sha256 is the archive's.
set(stage ${OUT_DIR}/krew-stage)
file(REMOVE_RECURSE ${stage})
file(MAKE_DIRECTORY ${stage})
# A copy, not a link: krew extracts the archive where links to elsewhere would dangle.
file(COPY_FILE ${BINARY} ${stage}/kubectl-nexus_mde)
file(COPY_FILE ${COMPLETE} ${stage}/kubectl_complete-nexus_mde)
file(COPY_FILE ${LICENSE} ${stage}/LICENSE)
file(CHMOD ${stage}/kubectl-nexus_mde ${stage}/kubectl_complete-nexus_mde
     PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(archive ${OUT_DIR}/kubectl-nexus_mde-v${VERSION}-linux-amd64.tar.gz)
# A fixed mtime, so the same binary gives the same archive and the same sha256.
execute_process(
  COMMAND ${CMAKE_COMMAND} -E tar czf ${archive} "--mtime=2000-01-01 00:00:00 UTC"
          kubectl-nexus_mde kubectl_complete-nexus_mde LICENSE
  WORKING_DIRECTORY ${stage} RESULT_VARIABLE failed)
if(failed)
  message(FATAL_ERROR "krew: cannot write ${archive}")
endif()
file(SHA256 ${archive} SHA256)
configure_file(${TEMPLATE} ${OUT_DIR}/plugins/nexus-mde.yaml @ONLY)
file(REMOVE_RECURSE ${stage})
