# cmake -DFILE=CHANGELOG.md -DVERSION=x.y.z -P check_changelog.cmake: the first "## " heading
# of the changelog names the project's version (from include/modhook/version.hpp).
file(STRINGS "${FILE}" headings REGEX "^## ")
list(GET headings 0 latest)
if(NOT latest MATCHES "^## ${VERSION}( |$)")
  message(FATAL_ERROR "CHANGELOG.md's latest entry is '${latest}', but the version is ${VERSION}")
endif()
message(STATUS "${latest}")
