// Modules loaded from shared libraries (modhook::load_shared): the test modules are real
// libraries built by tests/CMakeLists.txt in SHARED_MODULES_DIR, each a variant of
// tests/shared/test_module.cpp (see tests/shared/categories.hpp).
#include "shared/categories.hpp"

#include <modhook/shared_module.hpp>

#include <catch2/catch.hpp>

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <string_view>
#include <vector>

namespace {

using kind = modhook::registration_error::kind;
using lines = std::vector<std::string>;

std::filesystem::path library(const char* name) {
  return std::filesystem::path(SHARED_MODULES_DIR) / (std::string(name) + ".so");
}

// Whether the library is mapped in this process now (RTLD_NOLOAD never loads it).
bool is_loaded(const std::filesystem::path& path) {
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD);
  if (handle) ::dlclose(handle);
  return handle != nullptr;
}

// How many times a test module's library was opened (its static initializer counts).
int opens() {
  const char* count = std::getenv("SHARED_TEST_OPENS");
  return count ? static_cast<int>(std::string_view(count).size()) : 0;
}

// A module compiled into the host, loaded first: what a refusal must not lose.
struct resident {
  template <class Api> // a registry's or a live registry's
  resident(shared_log& log, Api& api) {
    (void)api.register_callbacks(shared_rules{
        .may_send = [&log](const shared_event& e) {
          log.lines.push_back("resident checked " + e.body);
          return true;
        },
    });
  }
};

// Loads `resident`, then the library: returns the refusal, and checks that nothing of the
// library ran or stayed, and that the resident module still answers alone.
modhook::registration_error refusal_of(const std::filesystem::path& path, const char* name = "refused") {
  shared_log log; // outlives the modules, which write to it as they are destroyed
  shared_hooks hooks;
  REQUIRE(hooks.load<resident>("resident", log));
  auto loaded = modhook::load_shared(hooks, name, path, log);
  REQUIRE_FALSE(loaded);
  CHECK(log.lines.empty()); // the module's constructor never ran
  CHECK_FALSE(is_loaded(path));
  CHECK(hooks.module_count() == 1);
  hooks.seal();
  CHECK(hooks.dispatch<&shared_rules::may_send>(shared_event{"@ann", "hello"}));
  CHECK(log.lines == lines{"resident checked hello"});
  return loaded.error();
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

} // namespace

TEST_CASE("a shared module loads after a resident one and dispatch reaches both in order") {
  shared_log log; // outlives the modules, which write to it as they are destroyed
  shared_hooks hooks;
  REQUIRE(hooks.load<resident>("resident", log));
  const int opened = opens();
  auto loaded = modhook::load_shared(hooks, "good", library("shared_good"), log);
  REQUIRE(loaded);
  CHECK(opens() == opened + 1);
  CHECK(loaded->index == 1);
  CHECK(loaded->name == "good");
  CHECK(is_loaded(library("shared_good")));
  hooks.seal();

  CHECK(hooks.dispatch<&shared_rules::may_send>(shared_event{"@ann", "hello"}));
  auto refused = hooks.dispatch<&shared_rules::may_send>(shared_event{"@bob", "forbidden"});
  REQUIRE_FALSE(refused);
  REQUIRE(refused.decided_by());
  CHECK(refused.decided_by()->name == "good");
  hooks.dispatch<&shared_rules::on_sent>(shared_event{"@ann", "hello"});
  CHECK(log.lines == lines{"constructed good", "resident checked hello", "good checked hello",
                           "resident checked forbidden", "good checked forbidden", "good saw hello"});
}

TEST_CASE("a shared module's wrapper runs around the others' implementations, and goes before its library") {
  shared_log log;
  {
    shared_hooks hooks;
    REQUIRE(modhook::load_shared(hooks, "wrapping", library("shared_wrapping"), log));
    REQUIRE(hooks.load<resident>("resident", log));
    hooks.seal();
    CHECK(hooks.dispatch<&shared_rules::may_send>(shared_event{"@ann", "hello"}));
    CHECK(log.lines == lines{"constructed wrapping", "wrapping wrapped hello", "wrapping checked hello",
                             "resident checked hello"});
  }
  // The registry's wrapper list was made by the host, not by the library's code, which is gone.
  CHECK(log.lines.back() == "destroyed wrapping");
  CHECK_FALSE(is_loaded(library("shared_wrapping")));
}

TEST_CASE("a library stays loaded until its module is destroyed and libraries close in reverse load order") {
  shared_log log;
  {
    shared_hooks hooks;
    REQUIRE(modhook::load_shared(hooks, "good", library("shared_good"), log));
    REQUIRE(modhook::load_shared(hooks, "second", library("shared_second"), log));
    hooks.seal();
    hooks.dispatch<&shared_rules::on_sent>(shared_event{"@ann", "hi"});
    CHECK(is_loaded(library("shared_good")));
    CHECK(is_loaded(library("shared_second")));
  }
  // Each destructor ran from its library's code: the library was still open then.
  CHECK(log.lines == lines{"constructed good", "constructed second", "good saw hi", "second saw hi", "destroyed second",
                           "destroyed good"});
  CHECK_FALSE(is_loaded(library("shared_good")));
  CHECK_FALSE(is_loaded(library("shared_second")));
}

TEST_CASE("a module built against a category whose callback signature differs is refused with its name") {
  const auto error = refusal_of(library("shared_changed_signature"));
  CHECK(error.reason == kind::incompatible_module);
  const std::string message = error.message();
  INFO(message);
  CHECK(contains(message, "modhook: module \"refused\": " + library("shared_changed_signature").string() + ": "));
  // (Each compiler spells a type its own way: "const shared_event&" or "const shared_event &".)
  CHECK(contains(message, "built against another category 'shared_rules': callback 'on_sent' is 'void"));
  CHECK(contains(message, "int)' there, 'void"));
}

TEST_CASE("a module built against a category whose callback differs only in its policy or a type's size is refused") {
  // Each refusal names the callback and the part that differs, as the module has it.
  const std::pair<const char*, std::string> cases[] = {
      {"shared_changed_policy", "callback 'may_send' has 'policy modhook::"},
      {"shared_changed_size", "callback 'may_send' passes 'types of sizes: result [1/1], 1 [" +
                                  std::to_string(sizeof(shared_event) + sizeof(std::string)) + "/"},
  };
  for (const auto& [name, differs] : cases) {
    const auto error = refusal_of(library(name));
    CHECK(error.reason == kind::incompatible_module);
    const std::string message = error.message();
    INFO(message);
    CHECK(contains(message, "built against another category 'shared_rules': " + differs));
  }
  CHECK(contains(refusal_of(library("shared_changed_policy")).message(), "on_module_failure::skip>' there"));
}

TEST_CASE("a module built against fewer categories than the host holds is refused with the missing one named") {
  const auto error = refusal_of(library("shared_fewer_categories"));
  CHECK(error.reason == kind::incompatible_module);
  INFO(error.message());
  CHECK(contains(error.message(), "built without category 'shared_admin' (it knows 1 of the host's 2 categories"));
}

TEST_CASE("a module built without exceptions is refused with the ABI fact named") {
  const auto error = refusal_of(library("shared_no_exceptions"));
  CHECK(error.reason == kind::incompatible_module);
  INFO(error.message());
  CHECK(contains(error.message(), "built for another ABI: exceptions 'off' there, 'on' in this host"));
}

#if defined(SHARED_HAS_TL_VARIANT)
TEST_CASE("a module built with tl::expected is refused by a host built with std::expected") {
  const auto error = refusal_of(library("shared_tl_expected"));
  CHECK(error.reason == kind::incompatible_module);
  INFO(error.message());
  CHECK(contains(error.message(), "built for another ABI: expected 'tl::expected' there, 'std::expected' in this host"));
}
#endif

TEST_CASE("a descriptor of another layout or another modhook version is refused") {
  auto error = refusal_of(library("shared_other_layout"));
  CHECK(error.reason == kind::incompatible_descriptor);
  CHECK(contains(error.message(), "its descriptor has layout " + std::to_string(modhook::shared_abi::layout + 1) +
                                      ", this host reads layout " + std::to_string(modhook::shared_abi::layout)));
  error = refusal_of(library("shared_other_version"));
  CHECK(error.reason == kind::incompatible_descriptor);
  CHECK(contains(error.message(), "built with modhook 9.9.9, this host with modhook "));
}

TEST_CASE("a library without the entry point or a file that is not a library or a directory or no file is refused") {
  auto error = refusal_of(library("shared_no_entry_point"));
  CHECK(error.reason == kind::no_entry_point);
  CHECK(contains(error.message(), "shared_no_entry_point.so: exports no modhook module (no 'modhook_module_entry'"));

  const std::filesystem::path text = SHARED_TEXT_FILE;
  error = refusal_of(text);
  CHECK(error.reason == kind::not_a_library);
  CHECK(contains(error.message(), text.string() + ": cannot be loaded as a shared library: "));

  error = refusal_of(SHARED_MODULES_DIR);
  CHECK(error.reason == kind::not_a_library);
  CHECK(contains(error.message(), ": is a directory, not a shared library"));

  error = refusal_of(library("shared_absent"));
  CHECK(error.reason == kind::library_not_found);
  CHECK(error.message() == "modhook: module \"refused\": " + library("shared_absent").string() + ": no such file");
}

TEST_CASE("constructor parameters that differ from the host's arguments are refused before construction") {
  shared_hooks hooks;
  auto loaded = modhook::load_shared(hooks, "good", library("shared_good"), 42);
  REQUIRE_FALSE(loaded);
  CHECK(loaded.error().reason == kind::incompatible_module);
  CHECK(contains(loaded.error().message(), "its constructor takes (shared_log"));
  CHECK(contains(loaded.error().message(), ") before the api, this host passes (int"));
  CHECK_FALSE(is_loaded(library("shared_good")));
}

TEST_CASE("a shared module whose constructor throws leaves nothing registered and its library closed but its message kept") {
  shared_log log; // outlives the modules, which write to it as they are destroyed
  shared_hooks hooks;
  REQUIRE(hooks.load<resident>("resident", log));
  auto loaded = modhook::load_shared(hooks, "thrower", library("shared_throwing"), log);
  REQUIRE_FALSE(loaded);
  CHECK(loaded.error().reason == kind::module_threw);
  CHECK_FALSE(is_loaded(library("shared_throwing")));
  // The exception outlives the library: it must not be of the library's own type.
  CHECK(loaded.error().message() == "modhook: module \"thrower\": failed to load: thrower: refuses its configuration");
  CHECK(log.lines == lines{"constructed thrower"});
  hooks.seal();
  CHECK(hooks.dispatch<&shared_rules::may_send>(shared_event{"@ann", "forbidden"}));
  CHECK(log.lines == lines{"constructed thrower", "resident checked forbidden"});
}

TEST_CASE("a shared module is refused after seal() and under a taken name before its library is opened") {
  shared_log log; // outlives the modules, which write to it as they are destroyed
  shared_hooks hooks;
  REQUIRE(modhook::load_shared(hooks, "good", library("shared_good"), log));
  const int opened = opens();
  auto again = modhook::load_shared(hooks, "good", library("shared_second"), log);
  REQUIRE_FALSE(again);
  CHECK(again.error().reason == kind::duplicate_module_name);
  CHECK_FALSE(is_loaded(library("shared_second")));
  hooks.seal();
  auto late = modhook::load_shared(hooks, "late", library("shared_second"), log);
  REQUIRE_FALSE(late);
  CHECK(late.error().reason == kind::sealed);
  CHECK_FALSE(is_loaded(library("shared_second")));
  CHECK(opens() == opened); // never opened: its static initializers never ran
  CHECK(log.lines == lines{"constructed good"});
}

// A live registry: shared modules loaded, replaced and unloaded while the host runs.

TEST_CASE("a shared module replaced in a live registry keeps its place and its library stays open while a snapshot holds it") {
  shared_log log; // outlives the modules, which write to it as they are destroyed
  {
    shared_live_hooks hooks;
    REQUIRE(hooks.load<resident>("resident", log));
    REQUIRE(modhook::load_shared(hooks, "good", library("shared_live"), log));
    REQUIRE(hooks.load<resident>("last", log));
    CHECK(hooks.dispatch<&shared_rules::may_send>(shared_event{"@ann", "hi"}));

    auto held = hooks.hold(); // as a host running a handler of the old module
    REQUIRE(hooks.change([&](shared_live_hooks::editor& e) -> modhook::expected<void, modhook::registration_error> {
      auto replaced = modhook::replace_shared(e, "good", library("shared_live_second"), log);
      if (!replaced) return modhook::unexpected(std::move(replaced).error());
      return {};
    }));
    CHECK(hooks.order<&shared_rules::may_send>() == lines{"resident", "good", "last"});
    CHECK(is_loaded(library("shared_live")));
    CHECK(is_loaded(library("shared_live_second")));
    CHECK(log.lines == lines{"constructed good", "resident checked hi", "good checked hi", "resident checked hi",
                             "constructed good"});
    log.lines.clear();
    held = {};
    CHECK(log.lines == lines{"destroyed good"}); // the old one, from its library's code
    CHECK_FALSE(is_loaded(library("shared_live")));

    REQUIRE(hooks.unload("good"));
    CHECK_FALSE(is_loaded(library("shared_live_second")));
    CHECK(log.lines == lines{"destroyed good", "destroyed good"});
  }
}

TEST_CASE("a module built for one kind of registry is refused by the other with the registry type named") {
  shared_log log;
  shared_live_hooks live;
  auto loaded = modhook::load_shared(live, "good", library("shared_good"), log);
  REQUIRE_FALSE(loaded);
  CHECK(loaded.error().reason == kind::incompatible_module);
  INFO(loaded.error().message());
  CHECK(contains(loaded.error().message(),
                 "built for another ABI: registry type 'modhook::registry' there, 'modhook::live_registry' in this host"));
  CHECK_FALSE(is_loaded(library("shared_good")));

  const auto error = refusal_of(library("shared_live"));
  CHECK(error.reason == kind::incompatible_module);
  CHECK(contains(error.message(),
                 "built for another ABI: registry type 'modhook::live_registry' there, 'modhook::registry' in this host"));
  CHECK(log.lines.empty());
}

namespace {
struct calls_counted {
  int calls = 0;
  void on_call(const modhook::module_call&) noexcept { ++calls; }
};
} // namespace

TEST_CASE("a module built for a registry without an observer is refused by one with, the observer named") {
  shared_log log;
  modhook::registry<modhook::observed_by<calls_counted>, shared_rules, shared_admin> observed;
  auto loaded = modhook::load_shared(observed, "good", library("shared_good"), log);
  REQUIRE_FALSE(loaded);
  CHECK(loaded.error().reason == kind::incompatible_module);
  INFO(loaded.error().message());
  CHECK(contains(loaded.error().message(),
                 "built for another ABI: registry type 'modhook::registry' there, 'modhook::registry observed by "));
  CHECK(contains(loaded.error().message(), "calls_counted' in this host"));
  CHECK_FALSE(is_loaded(library("shared_good")));
  CHECK(log.lines.empty());
}

TEST_CASE("a change that loads a shared module and is then refused destroys the module and closes its library") {
  shared_log log;
  shared_live_hooks hooks;
  REQUIRE(hooks.load<resident>("resident", log));
  auto refused = hooks.change([&](shared_live_hooks::editor& e) -> modhook::expected<void, modhook::registration_error> {
    if (auto loaded = modhook::load_shared(e, "good", library("shared_live"), log); !loaded)
      return modhook::unexpected(std::move(loaded).error());
    CHECK(is_loaded(library("shared_live")));
    return e.unload("absent"); // refused: nothing of this change stays
  });
  REQUIRE_FALSE(refused);
  CHECK(refused.error().reason == kind::not_loaded);
  CHECK_FALSE(is_loaded(library("shared_live")));
  CHECK(log.lines == lines{"constructed good", "destroyed good"});
  CHECK(hooks.order<&shared_rules::may_send>() == lines{"resident"});
}
