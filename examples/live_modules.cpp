// Modules changed while the host dispatches (modhook::live_registry): another thread keeps
// dispatching while the host disables a module, reorders, replaces one with a new version, and
// tries a change that cannot be made (it changes nothing). Each dispatch sees one module set,
// start to end; a replaced module is destroyed once no dispatch can reach it.

#include <modhook/modhook.hpp>

#include <atomic>
#include <cstdio>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

struct pipeline {
  MODHOOK_CALLBACKS(pipeline,
    (on_message, modhook::run_all, void(std::vector<std::string>& trace)));
};
using hooks = modhook::live_registry<pipeline>;

struct stage {
  std::string label;
  stage(std::string name, hooks::api& api) : label(std::move(name)) {
    if (!api.register_callbacks(pipeline{.on_message = [this](std::vector<std::string>& t) { t.push_back(label); }}))
      throw std::runtime_error("cannot register");
  }
  stage(const stage&) = delete;
  stage& operator=(const stage&) = delete;
  ~stage() { std::printf("  (%s destroyed)\n", label.c_str()); }
};

std::string joined(const std::vector<std::string>& trace) {
  std::string text;
  for (const auto& s : trace) text += (text.empty() ? "" : " ") + s;
  return text;
}

std::set<std::string> published; // every set the host has seen
std::atomic<long> dispatches{0};  // by the other thread

void show(const char* what, const hooks& h) {
  std::vector<std::string> trace;
  h.dispatch<&pipeline::on_message>(trace);
  std::printf("%-34s %s\n", what, joined(trace).c_str());
  published.insert(joined(trace));
  // Lets the other thread dispatch a while over this set.
  for (const long from = dispatches.load(); dispatches.load() < from + 1000;) std::this_thread::yield();
}

int main() {
  hooks h;
  for (const char* name : {"auth", "spam", "audit"})
    if (!h.load<stage>(name, name)) return 1;

  // A thread that dispatches until told to stop, and remembers which module sets it saw.
  std::atomic<bool> stop{false};
  std::set<std::string> seen;
  std::thread dispatcher([&] {
    while (!stop.load()) {
      std::vector<std::string> trace;
      h.dispatch<&pipeline::on_message>(trace);
      seen.insert(joined(trace));
      dispatches.fetch_add(1);
    }
  });

  show("loaded:", h);
  if (!h.disable("spam")) return 1;
  show("spam disabled:", h);
  if (!h.enable("spam")) return 1;
  if (!h.place("audit", {.where = modhook::position::first})) return 1;
  show("spam enabled, audit placed first:", h);
  if (!h.replace<stage>("spam", "spam-v2")) return 1;
  show("spam replaced by version 2:", h);

  // All or nothing: the second step fails, so the first is undone.
  const auto refused = h.change([](hooks::editor& e) -> modhook::expected<void, modhook::registration_error> {
    if (auto r = e.unload("auth"); !r) return r;
    return e.place("audit", {.where = modhook::position::first, .after = {"spam"}});
  });
  std::printf("refused: %s\n", refused ? "no" : refused.error().message().c_str());
  show("after the refused change:", h);

  stop.store(true);
  dispatcher.join();
  bool whole = true;
  for (const auto& set : seen) whole = whole && published.count(set) == 1;
  std::printf("the other thread dispatched %ld times, over %zu module sets: %s\n", dispatches.load(), seen.size(),
              whole ? "each one of the sets published" : "A SET NEVER PUBLISHED");
  return whole ? 0 : 1;
}
