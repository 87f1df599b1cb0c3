// What a host publishes to its modules' authors: the categories and the registry type. A
// module built against this header is loaded; one built against another is refused.
#ifndef MODHOOK_EXAMPLES_SHARED_MODULE_HOOKS_HPP
#define MODHOOK_EXAMPLES_SHARED_MODULE_HOOKS_HPP

#include <modhook/modhook.hpp>

#include <string>

struct message {
  std::string sender, body;
};

struct rules {
  MODHOOK_CALLBACKS(rules,
    (may_send, modhook::all_must_pass, bool(const message&)),
    (on_sent, modhook::run_all, void(const message&)));
};
using hooks = modhook::registry<rules>;

// What the host gives each module before its api: the module's settings.
struct settings {
  std::string forbidden;
};

#endif
