// The live registry: changes (load, unload, replace, enable, disable, place) between
// dispatches, all or nothing; what a refused change leaves; an asynchronous dispatch keeping
// the set it started with; a change made from inside a dispatch. (Changes under load from
// other threads: live_stress.cpp.)

#include <modhook/live_registry.hpp>
#include <modhook/bind.hpp>
#include <modhook/task.hpp>

#include "test_executor.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <string>
#include <vector>

namespace {

struct steps {
  MODHOOK_CALLBACKS(steps,
    (hit, modhook::run_all, void(std::vector<std::string>&)),
    (allowed, modhook::all_must_pass, bool(int)),
    (later, modhook::all_must_pass, modhook::task<bool>(std::vector<std::string>&)));
};
using hooks = modhook::live_registry<steps>;
using names = std::vector<std::string>;

std::vector<std::string> destroyed;

struct recorder {
  std::string name;
  recorder(std::string n, hooks::api& api) : name(std::move(n)) {
    steps callbacks;
    callbacks.hit = [this](names& v) { v.push_back(name); };
    callbacks.allowed = [this](int x) { return x != static_cast<int>(name.size()); };
    REQUIRE(api.register_callbacks(std::move(callbacks)));
  }
  recorder(const recorder&) = delete;
  recorder& operator=(const recorder&) = delete;
  ~recorder() { destroyed.push_back(name); }
};

struct throws_on_load {
  explicit throws_on_load(hooks::api& api) {
    REQUIRE(api.register_callbacks(steps{.hit = [](names& v) { v.push_back("never"); }}));
    throw std::runtime_error("no configuration");
  }
};

names called(const hooks& h) {
  names v;
  h.dispatch<&steps::hit>(v);
  return v;
}

hooks& three(hooks& h) {
  REQUIRE(h.load<recorder>("a", "a"));
  REQUIRE(h.load<recorder>("b", "b"));
  REQUIRE(h.load<recorder>("c", "c"));
  return h;
}

} // namespace

TEST_CASE("live: modules are called in load order, and listed with their state") {
  hooks h;
  three(h);
  CHECK(called(h) == names{"a", "b", "c"});
  CHECK(h.order<&steps::hit>() == names{"a", "b", "c"});
  const auto listed = h.modules();
  REQUIRE(listed.size() == 3);
  CHECK(listed[1].name == "b");
  CHECK(listed[1].enabled);
  CHECK(listed[0].id != listed[1].id);
}

TEST_CASE("live: a disabled module is not called and stays loaded, and once enabled is called in its place") {
  destroyed.clear();
  hooks h;
  three(h);
  REQUIRE(h.disable("b"));
  CHECK(called(h) == names{"a", "c"});
  CHECK(h.implementation_count<&steps::hit>() == 2);
  CHECK(destroyed.empty());
  CHECK_FALSE(h.modules()[1].enabled);
  REQUIRE(h.enable("b"));
  CHECK(called(h) == names{"a", "b", "c"});
}

TEST_CASE("live: unload destroys the module, once no dispatch can reach it") {
  destroyed.clear();
  hooks h;
  three(h);
  REQUIRE(h.unload("b"));
  CHECK(destroyed == names{"b"});
  CHECK(called(h) == names{"a", "c"});
  CHECK(h.modules().size() == 2);
}

TEST_CASE("live: replace keeps the name and the place, and destroys the old module") {
  destroyed.clear();
  hooks h;
  three(h);
  const auto old_id = h.modules()[1].id;
  REQUIRE(h.replace<recorder>("b", "b2"));
  CHECK(destroyed == names{"b"});
  CHECK(called(h) == names{"a", "b2", "c"});
  CHECK(h.modules()[1].name == "b");
  CHECK(h.modules()[1].id != old_id);
}

TEST_CASE("live: a replaced disabled module stays disabled") {
  hooks h;
  three(h);
  REQUIRE(h.disable("b"));
  REQUIRE(h.replace<recorder>("b", "b2"));
  CHECK(called(h) == names{"a", "c"});
}

TEST_CASE("live: placements order the modules, and a cycle is refused with the set unchanged") {
  hooks h;
  three(h);
  REQUIRE(h.place("a", {modhook::position::last}));
  CHECK(called(h) == names{"b", "c", "a"});
  const auto refused = h.place("b", {.after = {"a"}}); // but a is last
  REQUIRE_FALSE(refused);
  CHECK(refused.error().reason == modhook::registration_error::kind::order_cycle);
  CHECK(refused.error().message() == "modhook: module \"b\": placements form a cycle for steps::hit: a before b (b: "
                                     "after a), b before a (b is middle, a is last)");
  CHECK(called(h) == names{"b", "c", "a"});
  REQUIRE(h.place<&steps::hit>("c", {modhook::position::first}));
  CHECK(called(h) == names{"c", "b", "a"});
}

TEST_CASE("live: unplace withdraws the host's placements of a module, and its own then decide") {
  hooks h;
  three(h);
  REQUIRE(h.place("a", {modhook::position::last}));
  REQUIRE(h.place<&steps::hit>("b", {.after = {"c"}}));
  CHECK(called(h) == names{"c", "b", "a"});
  REQUIRE(h.change([](hooks::editor& e) { return e.unplace("a"); }));
  CHECK(called(h) == names{"a", "c", "b"}); // b's placement for the callback stays
  REQUIRE(h.change([](hooks::editor& e) { return e.unplace("b"); }));
  CHECK(called(h) == names{"a", "b", "c"});
}

TEST_CASE("live: a cycle made by a change whose last step is not in it blames the module the cycle is read from") {
  hooks h;
  three(h);
  const auto refused = h.change([](hooks::editor& e) -> modhook::expected<void, modhook::registration_error> {
    if (auto placed = e.place("b", {.after = {"c"}}); !placed) return placed;
    if (auto placed = e.place("c", {.after = {"b"}}); !placed) return placed;
    return e.place("a", {modhook::position::first}); // not in the cycle
  });
  REQUIRE_FALSE(refused);
  CHECK(refused.error().reason == modhook::registration_error::kind::order_cycle);
  CHECK(refused.error().message() == "modhook: module \"b\": placements form a cycle for steps::hit: b before c (c: "
                                     "after b), c before b (b: after c)");
  CHECK(called(h) == names{"a", "b", "c"});
}

TEST_CASE("live: a snapshot holds every module of its set, disabled ones too") {
  destroyed.clear();
  hooks h;
  three(h);
  REQUIRE(h.disable("a"));
  auto held = h.hold();
  CHECK(held.module_names() == names{"a", "b", "c"});
  REQUIRE(h.enable("a"));
  REQUIRE(h.unload("a"));
  CHECK(destroyed.empty()); // held
  held = {};
  CHECK(destroyed == names{"a"});
}

TEST_CASE("live: a module placing itself after its load does not wait for a reader while holding the registry") {
  hooks h;
  std::atomic<bool> entered{false}, go{false}, finished{false};
  hooks::api* handle = nullptr;
  REQUIRE(h.load("x", [&](hooks::api& api) {
    handle = &api;
    REQUIRE(api.register_callbacks(steps{.hit = [&](names& v) {
      entered = true;
      while (!go) std::this_thread::yield();
      std::this_thread::sleep_for(std::chrono::milliseconds(50)); // the placement's change is under way
      v.push_back(std::to_string(h.modules().size()));             // the registry's lock
    }}));
  }));
  std::thread watchdog([&] { // a deadlock fails the test rather than hanging it
    for (int i = 0; i < 300 && !finished; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!finished) std::abort();
  });
  std::thread reader([&] {
    names v;
    h.dispatch<&steps::hit>(v);
  });
  while (!entered) std::this_thread::yield();
  go = true;
  CHECK(handle->place({modhook::position::first})); // waits for the reader, whose read began before
  reader.join();
  finished = true;
  watchdog.join();
}

TEST_CASE("live: refusals name the module and change nothing") {
  destroyed.clear();
  hooks h;
  three(h);
  using kind = modhook::registration_error::kind;
  CHECK(h.load<recorder>("a", "again").error().reason == kind::duplicate_module_name);
  CHECK(h.load<recorder>("", "x").error().reason == kind::empty_module_name);
  CHECK(h.unload("nope").error().reason == kind::not_loaded);
  CHECK(h.enable("nope").error().message() == "modhook: module \"nope\": no module with this name is loaded");
  CHECK(h.replace<recorder>("nope", "x").error().reason == kind::not_loaded);
  const auto threw = h.load<throws_on_load>("t");
  REQUIRE_FALSE(threw);
  CHECK(threw.error().message() == "modhook: module \"t\": failed to load: no configuration");
  CHECK(destroyed.empty()); // names are checked before anything is constructed
  CHECK(called(h) == names{"a", "b", "c"});
  CHECK(h.modules().size() == 3);
}

TEST_CASE("live: a change is all or nothing") {
  destroyed.clear();
  hooks h;
  three(h);
  const auto done = h.change([](hooks::editor& e) -> modhook::expected<void, modhook::registration_error> {
    if (auto r = e.unload("a"); !r) return r;
    if (auto r = e.load<recorder>("d", "d"); !r) return modhook::unexpected(r.error());
    if (auto r = e.load<throws_on_load>("t"); !r) return modhook::unexpected(r.error());
    return {};
  });
  REQUIRE_FALSE(done);
  CHECK(done.error().module == "t");
  CHECK(destroyed == names{"d"}); // loaded by the refused change, and gone with it
  CHECK(called(h) == names{"a", "b", "c"});

  REQUIRE(h.change([](hooks::editor& e) -> modhook::expected<void, modhook::registration_error> {
    if (auto r = e.unload("a"); !r) return r;
    if (auto r = e.load<recorder>("d", "d"); !r) return modhook::unexpected(r.error());
    return e.place("d", {modhook::position::first});
  }));
  CHECK(called(h) == names{"d", "b", "c"});
}

TEST_CASE("live: callbacks are registered while the module loads, not later") {
  hooks h;
  hooks::api* kept = nullptr;
  REQUIRE(h.load("m", [&](hooks::api& api) {
    kept = &api;
    REQUIRE(api.register_callbacks(steps{.hit = [](names& v) { v.push_back("m"); }}));
  }));
  const auto late = kept->register_callbacks(steps{.hit = [](names& v) { v.push_back("late"); }});
  REQUIRE_FALSE(late);
  CHECK(late.error().reason == modhook::registration_error::kind::not_loading);
  CHECK(kept->name() == "m");
  CHECK(called(h) == names{"m"});
}

TEST_CASE("live: a module's own placement, given while it loads, is part of its load") {
  hooks h;
  three(h);
  REQUIRE(h.load("first", [](hooks::api& api) {
    REQUIRE(api.register_callbacks(steps{.hit = [](names& v) { v.push_back("first"); }}));
    REQUIRE(api.place({modhook::position::first}));
  }));
  CHECK(called(h) == names{"first", "a", "b", "c"});
}

TEST_CASE("live: a module that changes the registry from inside a dispatch") {
  destroyed.clear();
  hooks h;
  three(h);
  REQUIRE(h.load("switch", [&h](hooks::api& api) {
    REQUIRE(api.register_callbacks(steps{.allowed = [&h](int x) {
      if (x == 100) REQUIRE(h.unload("a"));
      return true;
    }}));
  }));
  CHECK(h.dispatch<&steps::allowed>(100).passed());
  CHECK(called(h) == names{"b", "c"});
  CHECK(destroyed.empty()); // its set was retired inside a dispatch: freed by the next change
  REQUIRE(h.disable("b"));
  CHECK(destroyed == names{"a"});
}

TEST_CASE("live: an asynchronous dispatch keeps its set across a change") {
  destroyed.clear();
  test::executor ex;
  hooks h;
  struct slow {
    test::executor& ex;
    std::string name;
    slow(test::executor& e, std::string n, hooks::api& api) : ex(e), name(std::move(n)) {
      REQUIRE(api.register_callbacks(steps{.later = modhook::bind<&slow::later>(*this)}));
    }
    ~slow() { destroyed.push_back(name); }
    modhook::task<bool> later(names& v) {
      co_await ex.yield();
      v.push_back(name);
      co_return true;
    }
  };
  REQUIRE(h.load<slow>("x", ex, "x"));
  REQUIRE(h.load<slow>("y", ex, "y"));
  names seen;
  auto t = h.dispatch<&steps::later>(seen).as_task();
  t.handle().resume(); // x suspends
  REQUIRE(h.unload("y"));
  REQUIRE(h.replace<slow>("x", ex, "x2"));
  CHECK(destroyed.empty()); // both still reachable by the dispatch in flight
  ex.run();
  REQUIRE(t.handle().done());
  CHECK(t.result().passed());
  CHECK(seen == names{"x", "y"});
  t = {};
  CHECK(destroyed == names{"y", "x"}); // the dispatch's set was the last to hold them
  names after;
  auto u = h.dispatch<&steps::later>(after).as_task();
  u.handle().resume();
  ex.run();
  CHECK(after == names{"x2"});
}

TEST_CASE("live: the failure handler sees a module's failure") {
  hooks h;
  std::vector<std::string> failed;
  REQUIRE(h.on_failure([&](const modhook::failure<>& f) { failed.emplace_back(f.module.name); }));
  REQUIRE(h.load("bad", [](hooks::api& api) {
    REQUIRE(api.register_callbacks(steps{.allowed = [](int) -> bool { throw std::runtime_error("boom"); }}));
  }));
  CHECK_FALSE(h.dispatch<&steps::allowed>(1).passed());
  CHECK(failed == names{"bad"});
  CHECK_FALSE(h.on_failure([](const modhook::failure<>&) {}));
}

TEST_CASE("live: a result names its module after the module is gone") {
  hooks h;
  REQUIRE(h.load<recorder>("abc", "abc")); // denies 3
  const auto verdict = h.dispatch<&steps::allowed>(3);
  REQUIRE_FALSE(verdict.passed());
  REQUIRE(h.unload("abc"));
  REQUIRE(h.load<recorder>("other", "other")); // (reuses the freed memory, where it could)
  REQUIRE(verdict.decided_by().has_value());
  CHECK(verdict.decided_by()->name == "abc");
}

TEST_CASE("live: the registry's end destroys every module in reverse load order, enabled or not") {
  destroyed.clear();
  {
    hooks h;
    three(h);
    REQUIRE(h.disable("a"));
    REQUIRE(h.disable("c"));
  }
  CHECK(destroyed == names{"c", "b", "a"});
}

// ---- qsbr_registry: threads register and announce; a change never waits --------------------

namespace {
using qhooks = modhook::qsbr_registry<steps>;

struct qrecorder {
  std::string name;
  qrecorder(std::string n, qhooks::api& api) : name(std::move(n)) {
    REQUIRE(api.register_callbacks(steps{.hit = [this](names& v) { v.push_back(name); }}));
  }
  qrecorder(const qrecorder&) = delete;
  qrecorder& operator=(const qrecorder&) = delete;
  ~qrecorder() { destroyed.push_back(name); }
};

// Another registered thread, online, that announces a quiescent state only when asked.
class other_reader {
public:
  other_reader()
      : thread_([this] {
          const modhook::qsbr::reader_thread registered;
          std::unique_lock<std::mutex> lock(mutex_);
          online_ = true;
          changed_.notify_all();
          for (;;) {
            changed_.wait(lock, [&] { return asked_ != done_ || stop_; });
            if (stop_) return;
            if (offline_asked_) {
              const modhook::qsbr::offline_scope offline;
              ++done_;
              changed_.notify_all();
              changed_.wait(lock, [&] { return stop_ || !offline_asked_; });
              if (stop_) return;
            } else {
              modhook::qsbr::quiescent();
              ++done_;
              changed_.notify_all();
            }
          }
        }) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return online_; });
  }
  void announce() { ask(false); }
  void go_offline() { ask(true); }
  void come_back() {
    std::lock_guard<std::mutex> lock(mutex_);
    offline_asked_ = false;
    changed_.notify_all();
  }
  ~other_reader() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
      changed_.notify_all();
    }
    thread_.join();
  }

private:
  void ask(bool offline) {
    std::unique_lock<std::mutex> lock(mutex_);
    offline_asked_ = offline;
    ++asked_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return done_ == asked_; });
  }
  std::mutex mutex_;
  std::condition_variable changed_;
  bool online_ = false, stop_ = false, offline_asked_ = false;
  int asked_ = 0, done_ = 0;
  std::thread thread_;
};
} // namespace

TEST_CASE("qsbr: a replaced module is destroyed once every online registered thread has announced a quiescent state") {
  destroyed.clear();
  qhooks h;
  REQUIRE(h.load<qrecorder>("a", "a"));
  REQUIRE(h.load<qrecorder>("b", "b"));
  const modhook::qsbr::reader_thread me;
  CHECK(modhook::qsbr::online());
  names v;
  h.dispatch<&steps::hit>(v);
  CHECK(v == names{"a", "b"});
  other_reader other;
  REQUIRE(h.unload("a")); // never waits
  v.clear();
  h.dispatch<&steps::hit>(v);
  CHECK(v == names{"b"});
  CHECK(h.reclaim() == 1);
  modhook::qsbr::quiescent(); // this thread; the other has not announced
  CHECK(h.reclaim() == 1);
  CHECK(destroyed.empty());
  other.announce();
  CHECK(h.reclaim() == 0);
  CHECK(destroyed == names{"a"});
}

TEST_CASE("qsbr: an offline thread holds nothing back, and a change inside a dispatch waits for that thread") {
  destroyed.clear();
  qhooks h;
  REQUIRE(h.load<qrecorder>("a", "a"));
  const modhook::qsbr::reader_thread me;
  other_reader other;
  other.go_offline();
  REQUIRE(h.load("remover", [&](qhooks::api& api) {
    REQUIRE(api.register_callbacks(steps{.hit = [&](names& v) {
      v.push_back("remover");
      CHECK(h.unload("a")); // inside a dispatch: "a" must outlive it
    }}));
  }));
  names v;
  h.dispatch<&steps::hit>(v);
  CHECK(v == names{"a", "remover"});
  CHECK(destroyed.empty()); // this thread has not announced since
  {
    const modhook::qsbr::offline_scope offline;
    CHECK_FALSE(modhook::qsbr::online());
    CHECK(h.reclaim() == 0); // both offline
  }
  CHECK(modhook::qsbr::online());
  CHECK(destroyed == names{"a"});
  other.come_back();
}

TEST_CASE("qsbr: the registry's end destroys every module, replaced ones included, whoever has announced") {
  destroyed.clear();
  {
    qhooks h;
    const modhook::qsbr::reader_thread me;
    REQUIRE(h.load<qrecorder>("a", "a"));
    REQUIRE(h.load<qrecorder>("b", "b"));
    REQUIRE(h.replace<qrecorder>("a", "a2"));
    CHECK(destroyed.empty());
  }
  CHECK(destroyed == names{"a", "b", "a2"});
}
