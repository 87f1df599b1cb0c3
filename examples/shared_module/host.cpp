// A host that loads its module from a shared library: shared_host MODULE.so
#include "hooks.hpp"

#include <modhook/shared_module.hpp>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: shared_host MODULE.so\n");
    return 2;
  }
  hooks h;
  const settings config{"!"};
  if (auto loaded = modhook::load_shared(h, "no_shouting", argv[1], config); !loaded) {
    std::fprintf(stderr, "%s\n", loaded.error().message().c_str());
    return 1;
  }
  // A file that is not there is refused, and the module loaded before stays.
  if (auto absent = modhook::load_shared(h, "absent", "absent.so", config); !absent)
    std::printf("refused: %s\n", absent.error().message().c_str());
  h.seal();
  for (const message& m : {message{"@ann", "hello"}, message{"@bob", "HELLO!!"}}) {
    if (auto verdict = h.dispatch<&rules::may_send>(m)) h.dispatch<&rules::on_sent>(m);
    else std::printf("%s: rejected by %s\n", m.sender.c_str(), std::string(verdict.decided_by()->name).c_str());
  }
}
