// EXPECT: (the_module_must_be_constructible_from_its_arguments_then_the_api\(\) \[with Module = audit|module_is_constructible_from_its_arguments_and_the_api<audit, modhook::registry<rules>>)
// DIAGNOSTICS: at most 15 lines, the first error naming audit
#include <modhook/modhook.hpp>

struct rules {
  MODHOOK_CALLBACKS(rules, (check, modhook::all_must_pass, bool(int)));
};
using hooks = modhook::registry<rules>;

// A module's constructor takes its arguments, then the api it registers through.
struct audit {
#ifdef MODHOOK_VALID_TWIN
  explicit audit(hooks::api&) {}
#else
  audit() {}
#endif
};

int main() {
  hooks h;
  (void)h.load<audit>("audit");
}
