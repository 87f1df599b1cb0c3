# cmake -DCXX=... -DFLAGS="..." -DINCLUDES="dir|dir" -DDEFINES="NAME=value|NAME" -DCASE=file.cpp -DMAX_LINES=n
#       -DNAME=callback -P check_diagnostics.cmake
#
# Compiles a compile-fail case (syntax only) and checks what the compiler prints: at most
# MAX_LINES lines in all, and a first error line that names NAME (the callback).
separate_arguments(flags UNIX_COMMAND "${FLAGS}")
string(REPLACE "|" ";" includes "${INCLUDES}")
string(REPLACE "|" ";" defines "${DEFINES}")
list(TRANSFORM includes PREPEND "-I")
list(TRANSFORM defines PREPEND "-D")
execute_process(COMMAND "${CXX}" ${flags} ${includes} ${defines} -fsyntax-only "${CASE}"
                RESULT_VARIABLE status ERROR_VARIABLE printed OUTPUT_VARIABLE printed_out)
string(APPEND printed "${printed_out}")
if(status EQUAL 0)
  message(FATAL_ERROR "${CASE} compiled; it must not")
endif()
string(REGEX REPLACE "\n$" "" trimmed "${printed}")
string(REGEX MATCHALL "\n" newlines "${trimmed}")
list(LENGTH newlines count)
math(EXPR count "${count} + 1")
string(REGEX MATCH "[^\n]*error: [^\n]*" first_error "${printed}")
set(problems "")
if(count GREATER MAX_LINES)
  list(APPEND problems "the compiler printed ${count} lines (bound: ${MAX_LINES})")
endif()
string(FIND "${first_error}" "${NAME}" at)
if(at EQUAL -1)
  list(APPEND problems "the first error line does not name '${NAME}'")
endif()
if(problems)
  list(JOIN problems "; " text)
  message(FATAL_ERROR "${CASE}: ${text}\n--- what the compiler printed:\n${printed}")
endif()
message(STATUS "${count} lines; first error: ${first_error}")
