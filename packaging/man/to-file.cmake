# cmake -DPROGRAM=… [-DARG=…] [-DINPUT=FILE] -DOUTPUT=FILE -P to-file.cmake: PROGRAM's standard output
# into OUTPUT, written whole or not at all (a failed run leaves no half page behind).
if(INPUT)
  set(input INPUT_FILE ${INPUT})
endif()
execute_process(COMMAND ${PROGRAM} ${ARG} ${input} OUTPUT_FILE ${OUTPUT}.tmp RESULT_VARIABLE failed)
if(failed)
  file(REMOVE ${OUTPUT}.tmp)
  message(FATAL_ERROR "${PROGRAM} ${ARG}: ${failed}")
endif()
file(RENAME ${OUTPUT}.tmp ${OUTPUT})
