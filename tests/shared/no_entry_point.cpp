// A shared library that is not a modhook module: it exports a function, but no entry point.
extern "C" int shared_test_not_a_module() { return 42; }
