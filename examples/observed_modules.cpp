// Observers: a registry told of every module call (modhook::observed_by). The shipped
// modhook::call_stats counts each module's calls of each callback by outcome, with a latency
// histogram, for a host's metrics; a host's own observer here traces the calls of one
// dispatch. A registry without an observer compiles as if observers did not exist.

#include <modhook/call_stats.hpp>
#include <modhook/modhook.hpp>

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

struct message {
  std::string sender, body;
};

struct rules {
  MODHOOK_CALLBACKS(rules,
    (may_send, modhook::all_must_pass, bool(const message&)),
    (on_sent, modhook::run_all, void(const message&)));
};

// A host's own observer: prints each call as it ends. It keeps nothing per call, so on_call
// returns nothing and on_return takes no token.
struct tracer {
  void on_return(const modhook::module_call& call, modhook::call_outcome outcome,
                 const modhook::failure<>* failed) noexcept {
    static const char* const names[] = {"passed", "decided", "failed"};
    std::printf("  %s.%s in %s: %s%s\n", std::string(call.callback.category).c_str(),
                std::string(call.callback.name).c_str(), std::string(call.module.name).c_str(),
                names[static_cast<int>(outcome)], failed != nullptr && failed->threw() ? " (threw)" : "");
  }
};

template <class Hooks>
void load_modules(Hooks& h) {
  using api = typename Hooks::api;
  const auto loaded = h.load("flood_limit", [](api& a) {
    if (!a.register_callbacks(rules{.may_send = [](const message& m) { return m.body.size() < 40; }}))
      throw std::runtime_error("cannot register");
  }) && h.load("censor", [](api& a) {
    if (!a.register_callbacks(rules{.may_send = [](const message& m) { return m.body.find("spam") == std::string::npos; },
                                    .on_sent = [](const message& m) {
                                      if (m.sender.empty()) throw std::invalid_argument("no sender");
                                    }}))
      throw std::runtime_error("cannot register");
  });
  if (!loaded) throw std::runtime_error("cannot load");
  h.seal();
}

int main() {
  modhook::registry<modhook::observed_by<tracer>, rules> traced;
  load_modules(traced);
  std::printf("traced dispatch:\n");
  (void)traced.dispatch<&rules::may_send>(message{"@a:hs", "buy spam"});

  modhook::registry<modhook::observed_by<modhook::call_stats>, rules> counted;
  load_modules(counted);
  const message messages[] = {{"@a:hs", "hello"}, {"@b:hs", "spam again"}, {"", "no sender"},
                              {"@c:hs", "a message far too long to be sent in one piece"}};
  for (int round = 0; round < 25; ++round)
    for (const auto& m : messages)
      if (counted.dispatch<&rules::may_send>(m)) counted.dispatch<&rules::on_sent>(m);

  std::printf("counted calls:\n");
  for (const auto& row : counted.observer().snapshot()) {
    std::uint64_t in_buckets = 0;
    for (const auto n : row.latency) in_buckets += n;
    std::printf("  %-11s %s.%-8s passed %3llu, decided %3llu, failed %3llu (latency histogram: %llu calls)\n",
                row.module.c_str(), row.category.c_str(), row.callback.c_str(),
                static_cast<unsigned long long>(row.passed), static_cast<unsigned long long>(row.decided),
                static_cast<unsigned long long>(row.failed), static_cast<unsigned long long>(in_buckets));
  }
  return 0;
}
