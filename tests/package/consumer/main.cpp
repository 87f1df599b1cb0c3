#include <modhook/modhook.hpp>

#include <cstdio>

struct consumer_hooks {
  MODHOOK_CALLBACKS(consumer_hooks, (check, modhook::all_must_pass, bool(int)));
};

int main() {
  modhook::registry<consumer_hooks> hooks;
  if (!hooks.load("module", [](auto& api) {
        (void)api.register_callbacks(consumer_hooks{.check = [](int x) { return x > 0; }});
      }))
    return 1;
  hooks.seal();
  const bool ok = hooks.dispatch<&consumer_hooks::check>(1).passed() && hooks.dispatch<&consumer_hooks::check>(0).rejected();
  std::puts(ok ? "consumer works" : "consumer is wrong");
  return ok ? 0 : 1;
}
