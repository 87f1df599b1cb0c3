// The order modules are called in: load order by default; a module places itself (first,
// middle or last, before or after other modules by name, for all its callbacks or for one);
// the host's placement of a module takes the place of the module's own; placements that
// contradict each other are refused, naming the cycle.

#include <modhook/modhook.hpp>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

struct pipeline {
  MODHOOK_CALLBACKS(pipeline,
    (on_message, modhook::run_all, void(std::vector<std::string>& trace)),
    (on_shutdown, modhook::run_all, void(std::vector<std::string>& trace)));
};
using hooks = modhook::registry<pipeline>;

// Each module says where it wants to be, as a Synapse module's config might.
struct stage {
  stage(std::string name, modhook::placement where, hooks::api& api) {
    auto record = [name](std::vector<std::string>& trace) { trace.push_back(name); };
    if (!api.register_callbacks(pipeline{.on_message = record, .on_shutdown = record}))
      throw std::runtime_error("cannot register");
    if (!api.place(std::move(where))) throw std::runtime_error("cannot place");
  }
};

void print(const char* what, const std::vector<std::string>& trace) {
  std::printf("%s:", what);
  for (const auto& name : trace) std::printf(" %s", name.c_str());
  std::printf("\n");
}

int main() {
  hooks h;
  // The host's configuration: the audit log sees every message last, and flushes first at
  // shutdown (a placement for one callback).
  if (!h.place("audit", {.where = modhook::position::last})) return 1;
  if (!h.place<&pipeline::on_shutdown>("audit", {.where = modhook::position::first})) return 1;

  if (!h.load<stage>("audit", "audit", modhook::placement{})) return 1;
  if (!h.load<stage>("spam", "spam", modhook::placement{.after = {"auth"}})) return 1; // auth loads later
  if (!h.load<stage>("auth", "auth", modhook::placement{.where = modhook::position::first})) return 1;
  if (!h.load<stage>("censor", "censor", modhook::placement{.before = {"spam"}})) return 1;
  // Wants to run before auth, which is first: a cycle (auth, first, comes before every middle
  // module), refused.
  const auto refused = h.load<stage>("rules", "rules", modhook::placement{.before = {"auth"}, .after = {"censor"}});
  if (refused) return 1;
  std::printf("refused: %s\n", refused.error().message().c_str());
  h.seal();

  std::vector<std::string> trace;
  h.dispatch<&pipeline::on_message>(trace);
  print("on_message", trace);
  trace.clear();
  h.dispatch<&pipeline::on_shutdown>(trace);
  print("on_shutdown", trace);
}
