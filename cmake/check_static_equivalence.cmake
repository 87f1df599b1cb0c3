# cmake -DPROGRAM=... -DOBJDUMP=... -DMAX_FIXED=... -P check_static_equivalence.cmake
#
# Counts, with callgrind, the instructions of one static-registry dispatch and of its
# hand-written twin (the same calls written out) at 1, 4, 16 and 64 modules, and disassembles
# the static dispatch. Fails when the static dispatch makes an indirect call, when it costs
# more per module than the hand-written calls (any difference in slope), or when its fixed
# cost exceeds the hand-written one by more than MAX_FIXED instructions at any size.

get_filename_component(program_name "${PROGRAM}" NAME)

function(count_instructions which n out)
  set(totals "")
  foreach(iterations 100 1100)
    set(file "${CMAKE_CURRENT_BINARY_DIR}/${program_name}_${which}_${n}_${iterations}.callgrind")
    execute_process(COMMAND valgrind --tool=callgrind "--toggle-collect=*measured_${which}*"
                            "--callgrind-out-file=${file}" "${PROGRAM}" ${which} ${n} ${iterations}
                    RESULT_VARIABLE failed OUTPUT_QUIET ERROR_VARIABLE errors)
    if(failed)
      message(FATAL_ERROR "valgrind failed: ${errors}")
    endif()
    file(STRINGS "${file}" total REGEX "^(summary|totals): ")
    file(REMOVE "${file}")
    list(GET total 0 total)
    string(REGEX REPLACE "^[a-z]+: ([0-9]+).*" "\\1" total "${total}")
    list(APPEND totals ${total})
  endforeach()
  list(GET totals 0 first)
  list(GET totals 1 second)
  math(EXPR per_dispatch "(${second} - ${first}) / 1000")
  set(${out} ${per_dispatch} PARENT_SCOPE)
endfunction()

set(failures "")
foreach(n 1 4 16 64)
  count_instructions(static ${n} static_${n})
  count_instructions(hand ${n} hand_${n})
  math(EXPR fixed_${n} "${static_${n}} - ${hand_${n}}")
  message(STATUS "${n} modules: static dispatch ${static_${n}} instructions, hand-written ${hand_${n}} (+${fixed_${n}})")
endforeach()
# The slope between 4 and 16 modules: hand-written code for a single module is a bare tail
# call, so 1 module only enters the bound on the fixed cost.
# The fixed part may vary by a couple of instructions between sizes (how the compiler
# materializes the result); one instruction more per module would show as 12 at 16 modules.
foreach(n 16 64)
  math(EXPR drift "${fixed_${n}} - ${fixed_4}")
  if(drift GREATER 2 OR drift LESS -2)
    list(APPEND failures "the static dispatch's cost per module differs from hand-written calls (+${fixed_4} at 4 modules, +${fixed_${n}} at ${n})")
  endif()
endforeach()
foreach(n 1 4 16 64)
  if(fixed_${n} GREATER MAX_FIXED)
    list(APPEND failures "at ${n} modules the static dispatch costs ${fixed_${n}} instructions over hand-written calls (bound: ${MAX_FIXED})")
  endif()
endforeach()

execute_process(COMMAND "${OBJDUMP}" -d --no-show-raw-insn -C "${PROGRAM}" OUTPUT_VARIABLE listing RESULT_VARIABLE failed)
if(failed)
  message(FATAL_ERROR "objdump failed")
endif()
string(REGEX MATCHALL "<twins<[^\n]*::measured_static\\(int\\)>:\n([^\n]+\n)+" bodies "${listing}")
if(NOT bodies)
  list(APPEND failures "no measured_static function found in the disassembly")
endif()
foreach(body IN LISTS bodies)
  if(body MATCHES "call[ \t]+\\*" OR body MATCHES "jmp[ \t]+\\*" OR body MATCHES "__x86_indirect_thunk")
    list(APPEND failures "a static dispatch makes an indirect call")
  endif()
endforeach()

if(failures)
  list(JOIN failures "\n  " text)
  message(FATAL_ERROR "static dispatch is not hand-written code:\n  ${text}")
endif()
message(STATUS "static dispatch: direct calls only, same cost per module as hand-written calls, at most +${MAX_FIXED} fixed")
