// Compiled at -std=c++20 with MODHOOK_EXPECTED=std, where there is no std::expected: one
// error, and compilation stops there (without the stop, every use of modhook::expected
// would be an error of its own).
#include <modhook/modhook.hpp>

struct rules {
  MODHOOK_CALLBACKS(rules, (check, modhook::all_must_pass, bool(int)));
};

bool host(modhook::registry<rules>& hooks) { return hooks.load("m", [](auto&) {}).has_value(); }
