// Compiled at -O2 with the strict warnings as errors (nothing runs, nothing links): g++'s
// late warnings, -Wmaybe-uninitialized above all, see a dispatch only once it is inlined and
// optimized, which the other tests, built without optimization, never show. A callback with
// a view, a by-value std::string and a reference, on both registries, synchronous and as
// modhook::task: g++ 12 warned 16 times on the static registry's result until its cold path
// took it.

#include <modhook/modhook.hpp>
#include <modhook/task.hpp>

#include <string>
#include <string_view>

namespace optimized {

struct sync_rules {
  MODHOOK_CALLBACKS(sync_rules,
    (check, modhook::all_must_pass, bool(std::string_view, std::string, const std::string&)));
};
struct task_rules {
  MODHOOK_CALLBACKS(task_rules,
    (check, modhook::all_must_pass, modhook::task<bool>(std::string_view, std::string, const std::string&)));
};

// Declared only (the object is never linked), so that the compiler cannot see through it.
bool check(std::string_view view, std::string copy, const std::string& ref);

constexpr sync_rules sync_module{.check = &check};
constexpr task_rules task_module{.check = &check};
using static_sync = modhook::static_registry<sync_module, sync_module>;
using static_task = modhook::static_registry<task_module, task_module>;

} // namespace optimized

using namespace optimized;

bool static_sync_dispatch(const std::string& ref) {
  return static_sync::dispatch<&sync_rules::check>(std::string("a"), std::string("b"), ref).passed();
}
modhook::task<bool> static_task_dispatch(const std::string& ref) {
  co_return (co_await static_task::dispatch<&task_rules::check>(std::string("a"), std::string("b"), ref)).passed();
}
bool runtime_sync_dispatch(const modhook::registry<sync_rules>& hooks, const std::string& ref) {
  return hooks.dispatch<&sync_rules::check>(std::string("a"), std::string("b"), ref).passed();
}
modhook::task<bool> runtime_task_dispatch(const modhook::registry<task_rules>& hooks, const std::string& ref) {
  co_return (co_await hooks.dispatch<&task_rules::check>(std::string("a"), std::string("b"), ref)).passed();
}
