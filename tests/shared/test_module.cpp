// A module in a shared library. Built several ways (see categories.hpp and CMakeLists.txt):
// as it should be, for a live registry, against a changed category, against fewer categories, with another
// expected type, without exceptions, with a constructor that throws, and with a wrapper.
#include "categories.hpp"

#include <modhook/shared_module.hpp>

#include <cstdlib>
#include <string>

namespace {

// Counts in the environment how many times a library of this module was opened (dlopen runs
// this static initializer), where the tests can read it: one more "x". (Not std::to_string:
// its table is a g++ "unique" symbol, and glibc would never unload this library.)
[[maybe_unused]] const bool counted_open = [] {
  const char* before = std::getenv("SHARED_TEST_OPENS");
  return ::setenv("SHARED_TEST_OPENS", (std::string(before ? before : "") + "x").c_str(), 1) == 0;
}();

#if defined(SHARED_TEST_THROW)
// The library's own exception type: its code goes when the library is closed.
struct refused_config {
  std::string text;
  const char* what() const noexcept { return text.c_str(); }
};
struct module_error : std::exception {
  explicit module_error(std::string text) : refused{std::move(text)} {}
  const char* what() const noexcept override { return refused.what(); }
  refused_config refused;
};
#endif

#if defined(SHARED_TEST_LIVE)
using module_hooks = shared_live_hooks;
#else
using module_hooks = shared_hooks;
#endif

class test_module {
public:
  test_module(shared_log& log, module_hooks::api& api) : log_(log), name_(api.name()) {
    log_.lines.push_back("constructed " + name_);
    auto registered = api.register_callbacks(shared_rules{
        .may_send = [this](const shared_event& e) {
          log_.lines.push_back(name_ + " checked " + e.body);
          return e.body != "forbidden";
        },
#if defined(SHARED_TEST_CHANGED_SIGNATURE)
        .on_sent = [this](const shared_event& e, int) { log_.lines.push_back(name_ + " saw " + e.body); },
#else
        .on_sent = [this](const shared_event& e) { log_.lines.push_back(name_ + " saw " + e.body); },
#endif
    });
    if (!registered) log_.lines.push_back(name_ + " could not register");
#if defined(SHARED_TEST_WRAP)
    // A wrapper whose callable is on the heap, its code (and its destructor's) in this library.
    auto wrapped = api.wrap<&shared_rules::may_send>([this, tag = name_ + " wrapped "](auto rest, const shared_event& e) {
      log_.lines.push_back(tag + e.body);
      return rest();
    });
    if (!wrapped) log_.lines.push_back(name_ + " could not wrap");
#endif
#if defined(SHARED_TEST_THROW)
    throw module_error(name_ + ": refuses its configuration");
#endif
  }
  test_module(const test_module&) = delete;
  test_module& operator=(const test_module&) = delete;
  ~test_module() { log_.lines.push_back("destroyed " + name_); }

private:
  shared_log& log_;
  std::string name_;
};

} // namespace

MODHOOK_SHARED_MODULE(module_hooks, test_module, shared_log&);
