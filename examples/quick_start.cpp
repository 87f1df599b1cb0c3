#include <modhook/modhook.hpp>

#include <cstdio>
#include <string>

struct message { std::string sender, body; };

// 1. The host declares a category once: (name, policy, signature) per callback.
struct rules {
  MODHOOK_CALLBACKS(rules,
    (may_send, modhook::all_must_pass, bool(const message&)),
    (on_sent, modhook::run_all,  void(const message&)));
};
using hooks = modhook::registry<rules>;

// 2. A module registers the callbacks it implements, by name. (Registration is refused
//    only once the registry is sealed, so never while a module is being loaded.)
struct no_shouting {
  explicit no_shouting(hooks::api& api) {
    (void)api.register_callbacks(rules{
      .may_send = [](const message& m) { return m.body.find('!') == std::string::npos; },
      .on_sent = [](const message& m) { std::printf("sent: %s\n", m.body.c_str()); },
    });
  }
};

// 3. The host loads its modules in order, seals the registry, and dispatches.
int main() {
  hooks h;
  if (!h.load<no_shouting>("no_shouting")) return 1;
  h.seal();
  for (const message& m : {message{"@ann", "hello"}, message{"@bob", "HELLO!!"}}) {
    if (auto verdict = h.dispatch<&rules::may_send>(m)) h.dispatch<&rules::on_sent>(m);
    else std::printf("%s: rejected by %s\n", m.sender.c_str(), std::string(verdict.decided_by()->name).c_str());
  }
}
