# cmake -DMODE=find_package|add_subdirectory|pkg-config -DSOURCE=... -DWORK=... -DCXX=... -DCXX_FLAGS=...
#       -DLINKER_FLAGS=... [-DSTANDARD=20|23] [-DSTRICT=ON] [-DEXPECTED=auto|std|tl]
#       [-DSTANDARD_FLAG=-std=...] -P check_consumer.cmake
#
# Builds tests/package/consumer against modhook the way a user would, with the compiler and
# flags of the build under test, and runs it. find_package and pkg-config install this
# source tree into a fresh prefix first (configure, install), so the installed package is
# what is found; find_package also checks that the package refuses another minor version.
file(REMOVE_RECURSE "${WORK}")
if(NOT STANDARD)
  set(STANDARD 23)
endif()
if(NOT EXPECTED)
  set(EXPECTED auto)
endif()
# MODHOOK_EXPECTED goes to modhook's own configuration: installed, or as a subproject.
set(toolchain -G Ninja "-DCMAKE_CXX_COMPILER=${CXX}" "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
              "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}" "-DMODHOOK_EXPECTED=${EXPECTED}")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE failed OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(failed)
    message(FATAL_ERROR "failed: ${ARGN}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

set(prefix "${WORK}/prefix")
if(MODE STREQUAL "find_package" OR MODE STREQUAL "pkg-config")
  run("${CMAKE_COMMAND}" -S "${SOURCE}" -B "${WORK}/modhook-build" ${toolchain}
      -DMODHOOK_BUILD_TESTS=OFF -DMODHOOK_BUILD_EXAMPLES=OFF "-DCMAKE_INSTALL_PREFIX=${prefix}")
  run("${CMAKE_COMMAND}" --install "${WORK}/modhook-build")
  foreach(installed include/modhook/modhook.hpp share/doc/modhook/LICENSE share/doc/modhook/CHANGELOG.md
                    share/pkgconfig/modhook.pc share/cmake/modhook/modhookConfigVersion.cmake)
    if(NOT EXISTS "${prefix}/${installed}")
      message(FATAL_ERROR "the install put no ${installed} in ${prefix}")
    endif()
  endforeach()
  # tl-expected is a dependency of the installed target only when it was chosen.
  file(READ "${prefix}/share/cmake/modhook/modhookTargets.cmake" targets)
  if(EXPECTED STREQUAL "tl" AND NOT targets MATCHES "tl::expected")
    message(FATAL_ERROR "MODHOOK_EXPECTED=tl, but the installed modhook::modhook does not link tl::expected")
  elseif(NOT EXPECTED STREQUAL "tl" AND targets MATCHES "tl::expected")
    message(FATAL_ERROR "MODHOOK_EXPECTED=${EXPECTED}, but the installed modhook::modhook requires tl::expected")
  endif()
endif()

set(consumer_args "-DCMAKE_CXX_STANDARD=${STANDARD}" "-DMODHOOK_STRICT=${STRICT}" "-DMODHOOK_SOURCE_DIR=${SOURCE}")
if(MODE STREQUAL "pkg-config")
  # No CMake on the consumer's side: the compiler, the flags and pkg-config --cflags, from an
  # installed tree moved elsewhere (the .pc file finds the headers relative to itself).
  file(RENAME "${prefix}" "${WORK}/moved")
  set(ENV{PKG_CONFIG_PATH} "${WORK}/moved/share/pkgconfig")
  run(pkg-config --cflags modhook)
  separate_arguments(cflags UNIX_COMMAND "${last_output}")
  separate_arguments(flags UNIX_COMMAND "${CXX_FLAGS} ${LINKER_FLAGS}")
  file(MAKE_DIRECTORY "${WORK}/consumer-build")
  if(NOT STANDARD_FLAG)
    set(STANDARD_FLAG "-std=c++${STANDARD}")
  endif()
  run("${CXX}" ${STANDARD_FLAG} ${flags} ${cflags} "${SOURCE}/tests/package/consumer/main.cpp"
      -o "${WORK}/consumer-build/consumer")
else()
  if(MODE STREQUAL "find_package")
    list(APPEND consumer_args "-DCMAKE_PREFIX_PATH=${prefix}")
    # 0.0.5 is another minor version: while the major version is 0, not compatible.
    execute_process(COMMAND "${CMAKE_COMMAND}" -S "${SOURCE}/tests/package/consumer" -B "${WORK}/old-consumer-build"
                            ${toolchain} -DMODHOOK_CONSUME=${MODE} -DMODHOOK_REQUIRED_VERSION=0.0.5 ${consumer_args}
                    RESULT_VARIABLE refused OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT refused OR NOT err MATCHES "compatible[ \n]+with[ \n]+requested[ \n]+version[ \n]+\"0\\.0\\.5\"")
      message(FATAL_ERROR "find_package(modhook 0.0.5) was not refused:\n${out}\n${err}")
    endif()
  endif()
  run("${CMAKE_COMMAND}" -S "${SOURCE}/tests/package/consumer" -B "${WORK}/consumer-build" ${toolchain}
      -DMODHOOK_CONSUME=${MODE} ${consumer_args})
  run("${CMAKE_COMMAND}" --build "${WORK}/consumer-build")
endif()
run("${WORK}/consumer-build/consumer")
message(STATUS "${last_output}")
