# cmake -DREADME=... -DSNIPPET=... -P check_readme_snippet.cmake
# Fails unless the README's block between "<!-- begin <name> -->" and "<!-- end <name> -->"
# is the file SNIPPET, so the documented quick start is the one that is built and run.
get_filename_component(name "${SNIPPET}" NAME)
file(READ "${README}" readme)
file(READ "${SNIPPET}" snippet)
string(REGEX MATCH "<!-- begin examples/${name} -->\n```cpp\n(.*)```\n<!-- end examples/${name} -->" found "${readme}")
if(NOT found)
  message(FATAL_ERROR "README.md has no block for examples/${name}")
endif()
if(NOT CMAKE_MATCH_1 STREQUAL snippet)
  message(FATAL_ERROR "README.md's block for examples/${name} differs from the file")
endif()
message(STATUS "README.md shows examples/${name} as it is")
