# cmake -DCLANG_FORMAT=... -DROOT=<source dir> -P check_format.cmake: every header under
# include/ is laid out as the project's .clang-format says.
file(GLOB_RECURSE headers "${ROOT}/include/*.hpp")
execute_process(COMMAND "${CLANG_FORMAT}" --dry-run --Werror ${headers} WORKING_DIRECTORY "${ROOT}"
                RESULT_VARIABLE failed ERROR_VARIABLE printed)
if(failed)
  message(FATAL_ERROR "headers not laid out as .clang-format says (run ${CLANG_FORMAT} -i on them):\n${printed}")
endif()
list(LENGTH headers count)
message(STATUS "${count} headers as .clang-format lays them out")
