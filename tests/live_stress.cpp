// The live registry changed a thousand times while other threads dispatch, synchronously and
// asynchronously (suspended across the changes). Each dispatch records the modules it called;
// each must be exactly one of the sets the writer published, in that set's order (the writer
// checks every set it publishes against a model of its own). Every module is constructed and
// destroyed exactly once, each while its (counterfeit) library is open, and no module is
// called once destroyed or once its library is closed. The test command also runs it under
// AddressSanitizer and ThreadSanitizer. Built twice: for live_registry, and with
// LIVE_STRESS_QSBR for qsbr_registry, whose threads register and announce a quiescent state
// after each dispatch.

#include <modhook/bind.hpp>
#include <modhook/live_registry.hpp>
#include <modhook/task.hpp>

#include "test_executor.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int changes = 1000;
constexpr int most_modules = 4 * changes; // serials: one per module ever constructed

struct trail {
  test::executor* ex = nullptr;
  std::vector<int> ids;
};

struct steps {
  MODHOOK_CALLBACKS(steps,
    (seen, modhook::run_all, void(trail&)),
    (later, modhook::run_all, modhook::task<void>(trail&)));
};
#if defined(LIVE_STRESS_QSBR)
using hooks = modhook::qsbr_registry<steps>;
#else
using hooks = modhook::live_registry<steps>;
#endif

// (qsbr_registry) This thread dispatches; after each dispatch it holds nothing.
struct dispatching_thread {
#if defined(LIVE_STRESS_QSBR)
  modhook::qsbr::reader_thread registered;
#endif
  void quiescent() const noexcept {
#if defined(LIVE_STRESS_QSBR)
    modhook::qsbr::quiescent();
#endif
  }
};

std::atomic<int> wrong{0};
std::atomic<int> constructed{0};
std::atomic<int> destroyed[most_modules];
std::atomic<bool> library_open[most_modules];
std::atomic<int> libraries_closed{0};

void complain(const char* what, int serial) {
  if (wrong.fetch_add(1) < 10) std::printf("wrong: %s (module %d)\n", what, serial);
}

struct module {
  int serial;
  module(int s, hooks::api& api) : serial(s) {
    constructed.fetch_add(1);
    if (!api.register_callbacks(steps{.seen = [this](trail& t) { reached(t); },
                                      .later = modhook::bind<&module::later>(*this)}))
      complain("registration refused", serial);
  }
  module(const module&) = delete;
  module& operator=(const module&) = delete;
  ~module() {
    if (!library_open[serial].load()) complain("destroyed after its library closed", serial);
    if (destroyed[serial].fetch_add(1) != 0) complain("destroyed twice", serial);
  }
  void reached(trail& t) const {
    if (destroyed[serial].load() != 0) complain("called after its destruction", serial);
    if (!library_open[serial].load()) complain("called after its library closed", serial);
    t.ids.push_back(serial);
  }
  modhook::task<void> later(trail& t) {
    reached(t);
    co_await t.ex->yield();
    if (destroyed[serial].load() != 0) complain("resumed after its destruction", serial);
    co_return;
  }
};

// A loader whose "library" is a flag: open while the module may run.
struct loader {
  int serial;
  modhook::expected<hooks::instance_ptr, modhook::registration_error> open() const {
    library_open[serial].store(true);
    return hooks::instance_ptr(&library_open[serial], [](void* flag) {
      static_cast<std::atomic<bool>*>(flag)->store(false);
      libraries_closed.fetch_add(1);
    });
  }
  hooks::instance_ptr construct(hooks::api& api) const {
    return hooks::instance_ptr(new module(serial, api), [](void* p) { delete static_cast<module*>(p); });
  }
};

// The writer's model of the registry: modules in load order, enabled or not; the host's
// position for each name.
struct model {
  struct entry {
    std::string name;
    int serial;
    bool enabled;
  };
  std::vector<entry> modules;
  std::map<std::string, modhook::position> placed;

  std::vector<int> expected() const {
    std::vector<std::pair<int, int>> ranked; // (position, serial), stable in load order
    for (const auto& m : modules) {
      if (!m.enabled) continue;
      const auto p = placed.count(m.name) ? placed.at(m.name) : modhook::position::middle;
      ranked.emplace_back(static_cast<int>(p), m.serial);
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](auto& a, auto& b) { return a.first < b.first; });
    std::vector<int> out;
    for (const auto& r : ranked) out.push_back(r.second);
    return out;
  }
};

std::mutex published_mutex;
std::set<std::vector<int>> published;

} // namespace

int main() {
  int serials = 0;
  long sync_checked = 0, async_checked = 0;
  int counts[6] = {}; // loads, unloads, replaces, disables, enables, placements
  {
    hooks h;
    model m;
    const dispatching_thread writer;
    const auto publish = [&] {
      const auto want = m.expected();
      trail t;
      h.dispatch<&steps::seen>(t);
      writer.quiescent();
      if (t.ids != want) complain("the published set is not the model's", -1);
      std::lock_guard<std::mutex> lock(published_mutex);
      published.insert(want);
    };
    for (int i = 0; i < 3; ++i) {
      const std::string name = "m" + std::to_string(i);
      if (!h.load_from(name, loader{serials})) complain("load refused", serials);
      m.modules.push_back({name, serials++, true});
    }
    publish();

    std::atomic<bool> done{false};
    std::vector<std::set<std::vector<int>>> seen(4);
    std::vector<long> dispatched(4, 0);
    std::vector<std::thread> readers;
    for (std::size_t r = 0; r < 4; ++r) {
      readers.emplace_back([&, r] {
        test::executor ex;
        const dispatching_thread reader;
        const bool async = r % 2 == 1;
        while (!done.load()) {
          if (!async) {
            trail t;
            h.dispatch<&steps::seen>(t);
            seen[r].insert(std::move(t.ids));
          } else {
            trail t{&ex, {}};
            auto task = h.dispatch<&steps::later>(t).as_task();
            task.handle().resume(); // the first module suspends, holding the set
            std::this_thread::yield();
            ex.run();
            if (!task.handle().done()) complain("an asynchronous dispatch did not finish", -1);
            seen[r].insert(std::move(t.ids));
          }
          ++dispatched[r];
          reader.quiescent();
        }
      });
    }

    std::mt19937 random(20261207);
    const auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(random); };
    int names = 3;
    for (int i = 0; i < changes; ++i) {
      const std::size_t op = pick(6);
      std::size_t did = op;
      if (op == 0 && m.modules.size() < 8) {
        const std::string name = "m" + std::to_string(names++);
        if (!h.load_from(name, loader{serials})) complain("load refused", serials);
        m.modules.push_back({name, serials++, true});
      } else if (op == 1 && m.modules.size() > 2) {
        const std::size_t at = pick(m.modules.size());
        if (!h.unload(m.modules[at].name)) complain("unload refused", m.modules[at].serial);
        m.modules.erase(m.modules.begin() + static_cast<std::ptrdiff_t>(at));
      } else if (op == 2) {
        const std::size_t at = pick(m.modules.size());
        const auto done_replace = h.change([&](hooks::editor& e) -> modhook::expected<void, modhook::registration_error> {
          if (auto r = e.replace_from(m.modules[at].name, loader{serials}); !r) return modhook::unexpected(r.error());
          return {};
        });
        if (!done_replace) complain("replace refused", serials);
        m.modules[at].serial = serials++;
      } else if (op == 3 || op == 4) {
        const std::size_t at = pick(m.modules.size());
        const bool on = op == 4;
        if (!(on ? h.enable(m.modules[at].name) : h.disable(m.modules[at].name))) complain("enable/disable refused", -1);
        m.modules[at].enabled = on;
      } else {
        did = 5;
        const std::size_t at = pick(m.modules.size());
        const auto where = static_cast<modhook::position>(pick(3));
        if (!h.place(m.modules[at].name, {where})) complain("placement refused", -1);
        m.placed[m.modules[at].name] = where;
      }
      ++counts[did];
      publish();
    }
    done.store(true);
    for (auto& t : readers) t.join();

    for (std::size_t r = 0; r < 4; ++r) {
      (r % 2 ? async_checked : sync_checked) += dispatched[r];
      for (const auto& ids : seen[r])
        if (!published.count(ids)) complain("a dispatch called modules that form no published set", -1);
    }
  }
  int destroyed_once = 0;
  for (std::size_t s = 0; s < static_cast<std::size_t>(serials); ++s) {
    if (destroyed[s].load() == 1) ++destroyed_once;
    if (library_open[s].load()) complain("a library left open", static_cast<int>(s));
  }
#if defined(LIVE_STRESS_QSBR)
  std::printf("qsbr_registry: ");
#endif
  std::printf("%d changes (%d loads, %d unloads, %d replaces, %d disables, %d enables, %d placements), "
              "%ld synchronous and %ld asynchronous dispatches: %d wrong; %d modules constructed, %d destroyed "
              "once, %d libraries closed\n",
              changes, counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], sync_checked, async_checked,
              wrong.load(), constructed.load(), destroyed_once, libraries_closed.load());
  const bool ok = wrong.load() == 0 && constructed.load() == serials && destroyed_once == serials &&
                  libraries_closed.load() == serials && sync_checked > 0 && async_checked > 0;
  if (ok) std::printf("every module constructed and destroyed exactly once, every library closed after its module\n");
  return ok ? 0 : 1;
}
