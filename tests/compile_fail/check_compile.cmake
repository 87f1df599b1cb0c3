# cmake -DCXX=... -DFLAGS="..." -DINCLUDES="dir|dir" -DDEFINES="NAME=value|NAME" -DOPTIONS="opt|opt"
#       [-DLAST_OPTIONS="opt"] (after OPTIONS: a warning a case turns off)
#       -DCASE=file.cpp -DOUTPUT=file.o -DEXPECT=fail|compile -P check_compile.cmake
#
# Compiles one compile-fail case, or its valid twin, straight with the compiler and the flags
# of its target (not through the build tool: the cases then run in parallel). A case that must
# fail and compiles is an error; so is a twin that does not compile. What the compiler printed
# is printed, for the test's PASS_REGULAR_EXPRESSION (the expected message).
separate_arguments(flags UNIX_COMMAND "${FLAGS}")
foreach(list_name IN ITEMS INCLUDES DEFINES OPTIONS)
  string(REPLACE "|" ";" ${list_name} "${${list_name}}")
endforeach()
list(TRANSFORM INCLUDES PREPEND "-I")
list(TRANSFORM DEFINES PREPEND "-D")
execute_process(COMMAND "${CXX}" ${flags} ${INCLUDES} ${DEFINES} ${OPTIONS} ${LAST_OPTIONS} -c "${CASE}" -o "${OUTPUT}"
                RESULT_VARIABLE status ERROR_VARIABLE printed OUTPUT_VARIABLE printed_out)
string(APPEND printed "${printed_out}")
message("${printed}")
if(EXPECT STREQUAL "fail" AND status EQUAL 0)
  message(FATAL_ERROR "${CASE} compiled; it must not")
elseif(EXPECT STREQUAL "compile" AND NOT status EQUAL 0)
  message(FATAL_ERROR "${CASE} (the valid twin) did not compile")
endif()
