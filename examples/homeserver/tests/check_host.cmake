# cmake -DPROGRAM=... -DARGS="a|b" [-DEXPECTED=file] [-DEXIT=n] [-DERROR=regex] -P check_host.cmake
#
# ARGS are the host's arguments, separated by '|'.
# Runs the reference host. With EXPECTED, its output must equal that file (the transcript).
# With ERROR, it must exit with status EXIT, print a line matching ERROR on stderr, and
# print nothing on stdout: a start-up error touches nothing.
string(REPLACE "|" ";" ARGS "${ARGS}")
execute_process(COMMAND "${PROGRAM}" ${ARGS} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(DEFINED EXPECTED)
  file(READ "${EXPECTED}" expected)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "the host exited with ${status}:\n${err}")
  endif()
  if(NOT out STREQUAL expected)
    file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/transcript.actual" "${out}")
    execute_process(COMMAND diff -u "${EXPECTED}" "${CMAKE_CURRENT_BINARY_DIR}/transcript.actual" OUTPUT_VARIABLE diff)
    message(FATAL_ERROR "the transcript differs from ${EXPECTED}:\n${diff}")
  endif()
else()
  if(NOT status EQUAL EXIT)
    message(FATAL_ERROR "expected exit status ${EXIT}, got ${status}\nstdout: ${out}\nstderr: ${err}")
  endif()
  if(NOT err MATCHES "${ERROR}")
    message(FATAL_ERROR "stderr does not match '${ERROR}':\n${err}")
  endif()
  if(NOT out STREQUAL "")
    message(FATAL_ERROR "a start-up error must touch nothing, but the host printed:\n${out}")
  endif()
endif()
message(STATUS "ok: ${err}")
