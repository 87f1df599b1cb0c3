// Two translation units including every modhook header and using the same category and
// registries: the program links (no header-only definition is defined twice) and both
// units see the same registry. See odr_b.cpp.
#include "odr.hpp"

#include <cstdio>

int main() {
  odr_registry hooks;
  if (!load_from_other_unit(hooks)) return 1;
  if (!hooks.load("here", [](odr_registry::api& api) {
        (void)api.register_callbacks(odr_hooks{.check = [](int x) { return x != 3; }});
      }))
    return 1;
  hooks.seal();
  const bool ok = hooks.dispatch<&odr_hooks::check>(1).passed() && hooks.dispatch<&odr_hooks::check>(2).rejected() &&
                  hooks.dispatch<&odr_hooks::check>(3).decided_by()->name == "here" &&
                  static_dispatch_from_other_unit(2) && odr_static::dispatch<&odr_hooks::check>(2).rejected();
  std::puts(ok ? "two translation units agree" : "mismatch");
  return ok ? 0 : 1;
}
