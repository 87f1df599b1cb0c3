// Compiled as C++23: modhook uses std::expected here. The other unit uses tl::expected; the
// two link into one program, and modhook's entities there are not the ones here.
#include "mixed_expected_unit.hpp"

#include <cstdio>
#include <cstring>

static_assert(MODHOOK_EXPECTED_IS_STD, "this unit must be built with std::expected");

namespace {
struct std_hooks {
  MODHOOK_CALLBACKS(std_hooks, (check, modhook::all_must_pass, bool(int)));
};
} // namespace

unit_report std_unit() { return run_unit<std_hooks>(); }

int main() {
  const unit_report with_std = std_unit(), with_tl = tl_unit();
  std::printf("std unit: %s (%s)\ntl unit: %s (%s)\n", with_std.registration_error_type,
              with_std.works ? "works" : "broken", with_tl.registration_error_type, with_tl.works ? "works" : "broken");
  const bool distinct = std::strcmp(with_std.registration_error_type, with_tl.registration_error_type) != 0;
  if (!distinct) std::puts("modhook's entities have the same names in both units: one symbol would be defined two ways");
  return with_std.works && with_tl.works && distinct ? 0 : 1;
}
