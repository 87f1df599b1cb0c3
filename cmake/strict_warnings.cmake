# The warnings strict users compile with (MODHOOK_STRICT_WARNINGS, for the compiler in use):
# modhook's headers must be clean under them, as ordinary (non-system) includes.
set(MODHOOK_STRICT_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wold-style-cast
                            -Wundef -Wcast-qual -Wnon-virtual-dtor -Woverloaded-virtual -Wdouble-promotion
                            -Wextra-semi -Wzero-as-null-pointer-constant)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND MODHOOK_STRICT_WARNINGS -Wuseless-cast)
elseif(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  list(APPEND MODHOOK_STRICT_WARNINGS -Wshadow-all -Wdeprecated)
endif()
