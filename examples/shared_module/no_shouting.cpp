// A module in a shared library: refuses messages with its forbidden text in them.
#include "hooks.hpp"

#include <modhook/shared_module.hpp>

#include <cstdio>

namespace {
class no_shouting {
public:
  no_shouting(const settings& config, hooks::api& api) : forbidden_(config.forbidden) {
    (void)api.register_callbacks(rules{
        .may_send = [this](const message& m) { return m.body.find(forbidden_) == std::string::npos; },
        .on_sent = [](const message& m) { std::printf("sent: %s\n", m.body.c_str()); },
    });
  }

private:
  std::string forbidden_;
};
} // namespace

// The one line that makes this library a module: the registry, the class, its parameters.
MODHOOK_SHARED_MODULE(hooks, no_shouting, const settings&);
