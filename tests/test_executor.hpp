#ifndef MODHOOK_TESTS_TEST_EXECUTOR_HPP
#define MODHOOK_TESTS_TEST_EXECUTOR_HPP

// A test executor: awaiting `executor.yield()` suspends and queues the coroutine; run()
// resumes the queued ones in order, until none is left.

#include <coroutine>
#include <deque>

namespace test {

struct executor {
  std::deque<std::coroutine_handle<>> queued;
  struct yield_awaiter {
    executor* ex;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) const { ex->queued.push_back(h); }
    void await_resume() const noexcept {}
  };
  yield_awaiter yield() { return {this}; }
  void run() {
    while (!queued.empty()) {
      auto h = queued.front();
      queued.pop_front();
      h.resume();
    }
  }
};

} // namespace test

#endif
