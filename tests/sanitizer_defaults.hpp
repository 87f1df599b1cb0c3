#ifndef MODHOOK_TESTS_SANITIZER_DEFAULTS_HPP
#define MODHOOK_TESTS_SANITIZER_DEFAULTS_HPP

// For the tests ctest judges by their output (PASS_REGULAR_EXPRESSION, which ignores the exit
// code): a sanitizer's first report ends the program, however it is run (plain ctest, a
// preset, scripts/test.sh), so that it never prints its success line after a report. The
// environment's *SAN_OPTIONS still come after these, and may add to them. Include it in one
// translation unit of the program.

extern "C" {
// Read by the sanitizer runtimes, where one is linked in; unused otherwise.
[[maybe_unused]] const char* __tsan_default_options() { return "halt_on_error=1"; }
[[maybe_unused]] const char* __asan_default_options() { return "halt_on_error=1:detect_leaks=1"; }
[[maybe_unused]] const char* __ubsan_default_options() { return "halt_on_error=1:print_stacktrace=1"; }
}

#endif
