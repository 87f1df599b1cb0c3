// EXPECT: modhook: observed_by<O>: O must declare on_call\(const modhook::module_call&\) and/or on_return
// DIAGNOSTICS: at most 16 lines, the first error naming observed_by
// An observer whose on_return forgot the failure pointer would never be called: refused where
// the registry is made. The twin declares it as documented.
#include <modhook/modhook.hpp>

#include <string>

struct rules {
  MODHOOK_CALLBACKS(rules, (check, modhook::all_must_pass, bool(const std::string&)));
};

struct counter {
  int decided = 0;
#ifdef MODHOOK_VALID_TWIN
  void on_return(const modhook::module_call&, modhook::call_outcome outcome, const modhook::failure<>*) noexcept {
#else
  void on_return(const modhook::module_call&, modhook::call_outcome outcome) noexcept {
#endif
    if (outcome == modhook::call_outcome::decided) ++decided;
  }
};

modhook::registry<modhook::observed_by<counter>, rules> hooks;
