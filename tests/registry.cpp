// Loading modules, registration rules, and what survives bad input.

#include "test_categories.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

using namespace test;

namespace {

const event hello{"@alice:example.com", "hello"};

// A module as Synapse writes them: a class constructed with its config and the api.
struct censor {
  int threshold;
  std::vector<std::string>* log;
  censor(int threshold_, std::vector<std::string>* log_, hooks::api& api) : threshold(threshold_), log(log_) {
    REQUIRE(api.register_callbacks(rules{
        .check_event_allowed = modhook::bind<&censor::check>(this),
        .on_new_event = modhook::bind<&censor::audit>(this),
    }));
    REQUIRE(api.register_callbacks(account{.on_user_registration = modhook::bind<&censor::registered>(this)}));
  }
  bool check(const event& e) { return static_cast<int>(e.body.size()) <= threshold; }
  void audit(const event& e) { log->push_back("audit " + e.body); }
  void registered(const std::string& user) { log->push_back("registered " + user); }
};

struct picky {
  picky(const std::string& config, hooks::api& api) {
    REQUIRE(api.register_callbacks(rules{.check_event_allowed = [](const event&) { return true; }}));
    if (config != "valid") throw std::invalid_argument("picky: config must be 'valid'");
  }
};

} // namespace

TEST_CASE("a module class is constructed with its arguments and the api, and owned by the registry") {
  hooks h;
  std::vector<std::string> log;
  auto loaded = h.load<censor>("censor", 5, &log);
  REQUIRE(loaded);
  CHECK(loaded->name == "censor");
  CHECK(loaded->index == 0);
  h.seal();
  CHECK(h.dispatch<&rules::check_event_allowed>(hello).passed());
  CHECK(h.dispatch<&rules::check_event_allowed>(event{"x", "far too long"}).rejected());
  CHECK(h.dispatch<&rules::on_new_event>(hello).ok());
  CHECK(h.dispatch<&account::on_user_registration>(std::string("@bob")).ok());
  CHECK(log == std::vector<std::string>{"audit hello", "registered @bob"});
}

TEST_CASE("a module implements any subset, and unset fields register nothing") {
  hooks h;
  REQUIRE(h.load("quiet", [](hooks::api& api) { REQUIRE(api.register_callbacks(rules{})); }));
  REQUIRE(h.load("one", [](hooks::api& api) {
    REQUIRE(api.register_callbacks(rules{.on_new_event = [](const event&) {}}));
  }));
  h.seal();
  CHECK(h.implementation_count<&rules::on_new_event>() == 1);
  CHECK(h.implementation_count<&rules::check_event_allowed>() == 0);
  CHECK(h.module_count() == 2);
  CHECK(h.module(1).name == "one");
}

TEST_CASE("modules are called in load order, also across several registrations") {
  hooks h;
  std::vector<std::string> calls;
  for (std::string name : {"c", "a", "b"})
    REQUIRE(h.load(name, [&, name](hooks::api& api) {
      REQUIRE(api.register_callbacks(rules{.on_new_event = [&, name](const event&) { calls.push_back(name); }}));
      REQUIRE(api.register_callbacks(rules{.on_new_event = [&, name](const event&) { calls.push_back(name + "2"); }}));
    }));
  h.seal();
  REQUIRE(h.dispatch<&rules::on_new_event>(hello).ok());
  CHECK(calls == std::vector<std::string>{"c", "c2", "a", "a2", "b", "b2"});
}

TEST_CASE("a module whose constructor throws leaves nothing behind, and the others keep working") {
  hooks h;
  std::vector<std::string> log;
  REQUIRE(h.load<censor>("censor", 100, &log));
  auto failed = h.load<picky>("picky", std::string("nonsense"));
  REQUIRE_FALSE(failed);
  CHECK(failed.error().reason == modhook::registration_error::kind::module_threw);
  CHECK(failed.error().module == "picky");
  CHECK(failed.error().message() == "modhook: module \"picky\": failed to load: picky: config must be 'valid'");
  CHECK(h.module_count() == 1);
  CHECK(h.implementation_count<&rules::check_event_allowed>() == 1);
  // The name is free again, and a later module gets the next position.
  auto retried = h.load<picky>("picky", std::string("valid"));
  REQUIRE(retried);
  CHECK(retried->index == 1);
  h.seal();
  CHECK(h.implementation_count<&rules::check_event_allowed>() == 2);
  CHECK(h.dispatch<&rules::check_event_allowed>(hello).passed());
}

TEST_CASE("duplicate and empty module names are refused, and the first module stays") {
  hooks h;
  REQUIRE(h.load("audit", [](hooks::api& api) {
    REQUIRE(api.register_callbacks(rules{.check_event_allowed = [](const event&) { return false; }}));
  }));
  auto duplicate = h.load("audit", [](hooks::api&) { FAIL("a refused module must not be constructed"); });
  REQUIRE_FALSE(duplicate);
  CHECK(duplicate.error().reason == modhook::registration_error::kind::duplicate_module_name);
  CHECK(duplicate.error().message() == "modhook: module \"audit\": a module with this name is already loaded");
  auto empty = h.load("", [](hooks::api&) { FAIL("a refused module must not be constructed"); });
  REQUIRE_FALSE(empty);
  CHECK(empty.error().reason == modhook::registration_error::kind::empty_module_name);
  h.seal();
  CHECK(h.module_count() == 1);
  CHECK(h.dispatch<&rules::check_event_allowed>(hello).decided_by()->name == "audit");
}

TEST_CASE("after seal(), loading and registering are refused and nothing changes") {
  hooks h;
  hooks::api* kept = nullptr;
  REQUIRE(h.load("early", [&](hooks::api& api) {
    kept = &api;
    REQUIRE(api.register_callbacks(rules{.on_new_event = [](const event&) {}}));
  }));
  h.seal();
  CHECK(h.sealed());
  auto late = h.load("late", [](hooks::api&) { FAIL("a refused module must not be constructed"); });
  REQUIRE_FALSE(late);
  CHECK(late.error().reason == modhook::registration_error::kind::sealed);
  CHECK(late.error().message() ==
        "modhook: module \"late\": the registry is sealed; modules register while the host starts up");
  auto again = kept->register_callbacks(rules{.on_new_event = [](const event&) {}});
  REQUIRE_FALSE(again);
  CHECK(again.error().module == "early");
  CHECK(h.implementation_count<&rules::on_new_event>() == 1);
  CHECK_FALSE(h.on_failure([](const modhook::failure<>&) {}));
  CHECK(kept->name() == "early");
}

TEST_CASE("a registry with a category of zero callbacks") {
  modhook::registry<nothing_here, account> h;
  REQUIRE(h.load("m", [](auto& api) { REQUIRE(api.register_callbacks(nothing_here{})); }));
  h.seal();
  CHECK(modhook::callback_names<nothing_here>.empty());
}

TEST_CASE("modules are destroyed in reverse load order when the registry goes") {
  static std::vector<std::string> destroyed;
  struct tracked {
    std::string name;
    tracked(std::string n, modhook::registry<account>::api&) : name(std::move(n)) {}
    ~tracked() { destroyed.push_back(name); }
  };
  destroyed.clear();
  {
    modhook::registry<account> h;
    REQUIRE(h.load<tracked>("first", std::string("first")));
    REQUIRE(h.load<tracked>("second", std::string("second")));
  }
  CHECK(destroyed == std::vector<std::string>{"second", "first"});
}

TEST_CASE("a module cannot load another module while it is being loaded") {
  hooks h;
  bool inner_constructed = false;
  auto outer = h.load("outer", [&](hooks::api& api) {
    auto inner = h.load("inner", [&](hooks::api&) { inner_constructed = true; });
    REQUIRE_FALSE(inner);
    CHECK(inner.error().reason == modhook::registration_error::kind::nested_load);
    CHECK(inner.error().message() ==
          "modhook: module \"inner\": modules are loaded by the host, one at a time: a module cannot load another");
    REQUIRE(api.register_callbacks(rules{.on_new_event = [](const event&) {}}));
  });
  REQUIRE(outer);
  CHECK_FALSE(inner_constructed);
  CHECK(h.module_count() == 1);
  // Loading works again once the outer load is over.
  CHECK(h.load("after", [](hooks::api&) {}));
}

TEST_CASE("a failed load removes the module's callbacks even when another module registered after them") {
  hooks h;
  hooks::api* first_api = nullptr;
  REQUIRE(h.load("first", [&](hooks::api& api) { first_api = &api; }));
  std::vector<std::string> called;
  auto failed = h.load("second", [&](hooks::api& api) {
    REQUIRE(api.register_callbacks(rules{.on_new_event = [&](const event&) { called.push_back("second"); }}));
    // A module holding another's api can register for it: those stay, the failing ones go.
    REQUIRE(first_api->register_callbacks(rules{.on_new_event = [&](const event&) { called.push_back("first"); }}));
    throw std::runtime_error("second fails after the fact");
  });
  REQUIRE_FALSE(failed);
  h.seal();
  REQUIRE(h.implementation_count<&rules::on_new_event>() == 1);
  CHECK(h.dispatch<&rules::on_new_event>(hello).ok());
  CHECK(called == std::vector<std::string>{"first"}); // the module's own entry went, not the last one
}

namespace {
// A module whose destructor still uses its api and dispatches to the modules before it.
struct farewell {
  hooks* registry;
  hooks::api* api;
  std::vector<std::string>* log;
  farewell(hooks* r, std::vector<std::string>* l, hooks::api& a) : registry(r), api(&a), log(l) {
    REQUIRE(a.register_callbacks(rules{.on_new_event = modhook::bind<&farewell::audit>(this)}));
  }
  void audit(const event&) { log->push_back(std::string(api->name()) + " audits"); }
  ~farewell() {
    log->push_back(std::string(api->name()) + " leaves");
    (void)registry->dispatch<&rules::on_new_event>(hello);
  }
};
} // namespace

TEST_CASE("a module is unregistered before it is destroyed, and its api outlives it") {
  std::vector<std::string> log;
  {
    hooks h;
    REQUIRE(h.load<farewell>("a", &h, &log));
    REQUIRE(h.load<farewell>("b", &h, &log));
    h.seal();
  }
  CHECK(log == std::vector<std::string>{"b leaves", "a audits", "a leaves"});
}

namespace {

// A loader of modules from elsewhere, as load_shared is one: it logs what the registry asks
// of it, refuses when told to, and hands over a handle the registry releases after the module.
std::vector<std::string> loader_log;

struct logged_module {
  explicit logged_module(hooks::api& api) {
    (void)api.register_callbacks(rules{.check_event_allowed = [](const event& e) { return e.body != "deny"; }});
    loader_log.emplace_back("constructed");
  }
  ~logged_module() { loader_log.emplace_back("destroyed"); }
};

struct test_loader {
  bool refuse = false;
  hooks::instance_ptr open() {
    loader_log.emplace_back("open");
    return hooks::instance_ptr(&loader_log, [](void*) { loader_log.emplace_back("released"); });
  }
  hooks::instance_ptr construct(hooks::api& api) {
    return hooks::instance_ptr(new logged_module(api), [](void* p) { delete static_cast<logged_module*>(p); });
  }
};
struct refusing_loader {
  modhook::expected<hooks::instance_ptr, modhook::registration_error> open() {
    loader_log.emplace_back("open");
    return modhook::unexpected(modhook::registration_error{modhook::registration_error::kind::not_a_library, "elsewhere",
                                                           {}, "not found there"});
  }
  hooks::instance_ptr construct(hooks::api&) {
    loader_log.emplace_back("constructed");
    return {};
  }
};

} // namespace

TEST_CASE("load_from: a loader's handle outlives its module, and a refusal loads nothing") {
  loader_log.clear();
  {
    hooks h;
    SECTION("accepted: open, construct, dispatch; at the end the module, then its handle") {
      const auto loaded = h.load_from("elsewhere", test_loader{});
      REQUIRE(loaded);
      CHECK(loaded->name == "elsewhere");
      h.seal();
      CHECK(h.dispatch<&rules::check_event_allowed>(event{"@a", "deny"}).rejected());
    }
    SECTION("refused by the loader: nothing constructed, nothing registered, the error kept") {
      const auto loaded = h.load_from("elsewhere", refusing_loader{});
      REQUIRE_FALSE(loaded);
      CHECK(loaded.error().reason == modhook::registration_error::kind::not_a_library);
      CHECK(loaded.error().detail == "not found there");
      CHECK(h.module_count() == 0);
      CHECK(h.implementation_count<&rules::check_event_allowed>() == 0);
      CHECK(loader_log == std::vector<std::string>{"open"});
      loader_log.clear();
    }
    SECTION("refused by the registry first: the loader is never asked") {
      REQUIRE(h.load_from("elsewhere", test_loader{}));
      const auto again = h.load_from("elsewhere", refusing_loader{}); // a taken name
      REQUIRE_FALSE(again);
      CHECK(again.error().reason == modhook::registration_error::kind::duplicate_module_name);
      h.seal();
      const auto sealed = h.load_from("later", refusing_loader{});
      REQUIRE_FALSE(sealed);
      CHECK(sealed.error().reason == modhook::registration_error::kind::sealed);
    }
  }
  if (!loader_log.empty()) CHECK(loader_log == std::vector<std::string>{"open", "constructed", "destroyed", "released"});
}
