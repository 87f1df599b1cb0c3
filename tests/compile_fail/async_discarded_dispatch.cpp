// EXPECT: error: (ignoring returned value of type .*(task|dispatch_awaitable)<.*nodiscard|ignoring return value of (type '(task|dispatch_awaitable)<.*>'|function) declared with 'nodiscard' attribute)
#include "common.hpp"

#include <modhook/task.hpp>

// An asynchronous dispatch is lazy: a task dropped is a dispatch that never runs.
struct async_rules {
  MODHOOK_CALLBACKS(async_rules, (on_new_event, modhook::run_all, modhook::task<void>(const event&)));
};

modhook::task<void> host(const modhook::registry<async_rules>& h, const event& e) {
#ifdef MODHOOK_VALID_TWIN
  (void)co_await h.dispatch<&async_rules::on_new_event>(e);
#else
  h.dispatch<&async_rules::on_new_event>(e);
  co_return;
#endif
}
