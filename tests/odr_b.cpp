#include "odr.hpp"

bool load_from_other_unit(odr_registry& hooks) {
  return hooks
      .load("other", [](odr_registry::api& api) {
        (void)api.register_callbacks(odr_hooks{.check = [](int x) { return x != 2; }});
      })
      .has_value();
}

bool static_dispatch_from_other_unit(int x) { return odr_static::dispatch<&odr_hooks::check>(x).rejected(); }
