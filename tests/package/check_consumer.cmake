# cmake -DMODE=find_package|add_subdirectory -DSOURCE=... -DWORK=... -DCXX=... -DCXX_FLAGS=...
#       -DLINKER_FLAGS=... -P check_consumer.cmake
#
# Builds tests/package/consumer against modhook the way a user would, with the compiler and
# flags of the build under test, and runs it. find_package: installs this source tree into a
# fresh prefix first (configure, install), so the installed package is what is found.
file(REMOVE_RECURSE "${WORK}")
set(toolchain -G Ninja "-DCMAKE_CXX_COMPILER=${CXX}" "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
              "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE failed OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(failed)
    message(FATAL_ERROR "failed: ${ARGN}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

set(consumer_args "")
if(MODE STREQUAL "find_package")
  run("${CMAKE_COMMAND}" -S "${SOURCE}" -B "${WORK}/modhook-build" ${toolchain}
      -DMODHOOK_BUILD_TESTS=OFF -DMODHOOK_BUILD_EXAMPLES=OFF "-DCMAKE_INSTALL_PREFIX=${WORK}/prefix")
  run("${CMAKE_COMMAND}" --install "${WORK}/modhook-build")
  if(NOT EXISTS "${WORK}/prefix/include/modhook/modhook.hpp")
    message(FATAL_ERROR "the install put no headers in ${WORK}/prefix/include/modhook")
  endif()
  list(APPEND consumer_args "-DCMAKE_PREFIX_PATH=${WORK}/prefix")
else()
  list(APPEND consumer_args "-DMODHOOK_SOURCE_DIR=${SOURCE}")
endif()
run("${CMAKE_COMMAND}" -S "${SOURCE}/tests/package/consumer" -B "${WORK}/consumer-build" ${toolchain}
    -DMODHOOK_CONSUME=${MODE} ${consumer_args})
run("${CMAKE_COMMAND}" --build "${WORK}/consumer-build")
run("${WORK}/consumer-build/consumer")
message(STATUS "${last_output}")
