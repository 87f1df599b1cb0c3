// EXPECT: static_registry<modules...>: every module must be a constant expression
// DIAGNOSTICS: at most 15 lines, the first error naming static_registry
#include <modhook/modhook.hpp>

#include <string>

struct rules {
  MODHOOK_CALLBACKS(rules, (check, modhook::all_must_pass, bool(const std::string&)));
};

// A static module is read at compile time: an object that is not constexpr cannot be.
#ifdef MODHOOK_VALID_TWIN
constexpr rules censor{.check = [](const std::string& s) { return s != "spam"; }};
#else
rules censor{.check = [](const std::string& s) { return s != "spam"; }};
#endif
using hooks = modhook::static_registry<censor>;

bool host() { return hooks::dispatch<&rules::check>(std::string("x")).passed(); }
