# cmake -DPROGRAM=... -DCANDIDATE=static|runtime -DMAX_FIXED=... [-DOBJDUMP=... [-DNO_CALLS=ON]]
#       -P check_equivalence.cmake
#
# Counts, with callgrind, the instructions of one modhook dispatch (PROGRAM CANDIDATE N ...)
# and of its hand-written twin (PROGRAM hand N ...) at 1, 4, 16 and 64 modules. Fails when the
# dispatch costs more per module than the twin (any difference in slope), or when its fixed
# cost exceeds the twin's by more than MAX_FIXED instructions at any size; with MAX_FIXED 0,
# on any difference at all. With OBJDUMP (the static registry), also when the dispatch, hot
# or cold part, makes an indirect call; with NO_CALLS too, when it calls (or jumps to) any
# other function: every implementation must have been inlined.

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
  count_instructions(${CANDIDATE} ${n} modhook_${n})
  count_instructions(hand ${n} hand_${n})
  math(EXPR fixed_${n} "${modhook_${n}} - ${hand_${n}}")
  message(STATUS "${n} modules: ${CANDIDATE} dispatch ${modhook_${n}} instructions, hand-written ${hand_${n}} (+${fixed_${n}})")
  if(NOT modhook_${n} GREATER 0 OR NOT hand_${n} GREATER 0)
    list(APPEND failures "nothing counted at ${n} modules: are measured_${CANDIDATE} and measured_hand in the program?")
  endif()
endforeach()
# The slope from 4 modules on: hand-written code for a single module may be a bare tail call,
# so 1 module only enters the bound on the fixed cost.
# The fixed part may vary by up to three instructions between sizes (how the compiler
# materializes the result, and whether it keeps an argument in a register besides its home
# on the stack); one instruction more per module would show as 12 at 16 modules.
foreach(n 16 64)
  math(EXPR drift "${fixed_${n}} - ${fixed_4}")
  if(drift GREATER 3 OR drift LESS -3)
    list(APPEND failures "the ${CANDIDATE} dispatch's cost per module differs from hand-written code (+${fixed_4} at 4 modules, +${fixed_${n}} at ${n})")
  endif()
endforeach()
foreach(n 1 4 16 64)
  if(fixed_${n} GREATER MAX_FIXED)
    list(APPEND failures "at ${n} modules the ${CANDIDATE} dispatch costs ${fixed_${n}} instructions over hand-written code (bound: ${MAX_FIXED})")
  elseif(MAX_FIXED EQUAL 0 AND NOT fixed_${n} EQUAL 0)
    list(APPEND failures "at ${n} modules the ${CANDIDATE} dispatch differs from hand-written code by ${fixed_${n}} instructions (it must be the same)")
  endif()
endforeach()

if(OBJDUMP)
  execute_process(COMMAND "${OBJDUMP}" -d --no-show-raw-insn -C "${PROGRAM}" OUTPUT_VARIABLE listing RESULT_VARIABLE failed)
  if(failed)
    message(FATAL_ERROR "objdump failed")
  endif()
  # Every part of the function: its body, and a cold part the compiler split off.
  string(REGEX MATCHALL "<[^\n]*measured_${CANDIDATE}\\(int\\)[^\n]*>:\n([^\n]+\n)+" parts "${listing}")
  if(NOT parts)
    list(APPEND failures "no measured_${CANDIDATE} function found in the disassembly")
  endif()
  foreach(part IN LISTS parts)
    if(part MATCHES "(call|jmp)q?[ \t]+\\*" OR part MATCHES "__x86_indirect_thunk")
      list(APPEND failures "a ${CANDIDATE} dispatch makes an indirect call")
    endif()
    if(NO_CALLS)
      # A call, or a jump (conditional or not) to another function: a call not inlined.
      string(REGEX MATCHALL "(call|j[a-z]+)q?[ \t]+[0-9a-f]+ <[^\n]+" targets "${part}")
      foreach(target IN LISTS targets)
        if(NOT target MATCHES "measured_${CANDIDATE}")
          list(APPEND failures "a ${CANDIDATE} dispatch calls what should have been inlined: ${target}")
        endif()
      endforeach()
    endif()
  endforeach()
  set(direct "direct calls only, ")
  if(NO_CALLS)
    set(direct "every implementation inlined, ")
  endif()
endif()

if(failures)
  list(JOIN failures "\n  " text)
  message(FATAL_ERROR "${CANDIDATE} dispatch is not hand-written code:\n  ${text}")
endif()
if(MAX_FIXED EQUAL 0)
  message(STATUS "${CANDIDATE} dispatch: ${direct}the same instruction count as hand-written code at every size")
else()
  message(STATUS "${CANDIDATE} dispatch: ${direct}same cost per module as hand-written code, at most +${MAX_FIXED} fixed")
endif()
