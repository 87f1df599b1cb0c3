// Compiled as C++20: modhook uses tl::expected here.
#include "mixed_expected_unit.hpp"

static_assert(!MODHOOK_EXPECTED_IS_STD, "this unit must be built without std::expected");

namespace {
struct tl_hooks {
  MODHOOK_CALLBACKS(tl_hooks, (check, modhook::all_must_pass, bool(int)));
};
} // namespace

unit_report tl_unit() { return run_unit<tl_hooks>(); }
