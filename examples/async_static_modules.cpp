// Asynchronous callbacks on a static registry: constexpr modules holding coroutine functions
// and plain ones, dispatched by the same driver as the run-time registry's. The host here has
// no event loop of its own: a queue of suspended coroutines stands in for one.

#include <modhook/modhook.hpp>
#include <modhook/task.hpp>

#include <coroutine>
#include <cstdio>
#include <deque>
#include <optional>
#include <string>

struct account_rules {
  MODHOOK_CALLBACKS(account_rules,
    (is_user_expired, modhook::first_result, modhook::task<std::optional<bool>>(const std::string& user)));
};

std::deque<std::coroutine_handle<>> ready; // the stand-in event loop
struct next_turn {
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) const { ready.push_back(h); }
  void await_resume() const noexcept {}
};

// A module that looks the account up in a store it awaits, and one that decides at once.
modhook::task<std::optional<bool>> expiry_store(const std::string& user) {
  co_await next_turn{}; // the store's answer arrives on a later turn
  if (user == "@old:example.com") co_return true;
  co_return std::nullopt; // no opinion: the next module decides
}
std::optional<bool> everyone_else(const std::string&) { return false; }

constexpr account_rules store{.is_user_expired = &expiry_store};
constexpr account_rules fallback{.is_user_expired = &everyone_else};
using hooks = modhook::static_registry<store, fallback>;

int main() {
  for (const char* user : {"@old:example.com", "@new:example.com"}) {
    // A host without coroutines of its own drives the dispatch as a task.
    auto expired = hooks::dispatch<&account_rules::is_user_expired>(std::string(user)).as_task();
    expired.handle().resume(); // runs until the store suspends
    while (!ready.empty()) {
      auto h = ready.front();
      ready.pop_front();
      h.resume();
    }
    const auto answer = expired.result();
    std::printf("%s expired: %s (module #%zu)\n", user, answer.value() ? "yes" : "no", answer.decided_by()->index);
  }
}
