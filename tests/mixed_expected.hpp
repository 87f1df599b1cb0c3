#ifndef MODHOOK_TESTS_MIXED_EXPECTED_HPP
#define MODHOOK_TESTS_MIXED_EXPECTED_HPP

// One program, two translation units: mixed_expected_std.cpp sees std::expected (C++23) and
// mixed_expected_tl.cpp tl::expected (C++20). Each holds its own category (a category seen
// by both would itself be defined two ways: see the README), so what they could share is
// modhook's own entities, which must differ by name. Declares no modhook type: each unit
// includes modhook with its own choice.

struct unit_report {
  const char* registration_error_type; // typeid(modhook::registration_error).name()
  bool works;                          // a registry there loads, refuses and dispatches
};

unit_report std_unit();
unit_report tl_unit();

#endif
