// Reading the result of a task that has not run is a precondition violation, which the
// assertion in task::result() reports (the test expects its message; built without NDEBUG).

#include <modhook/task.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>

namespace {
modhook::task<int> never_started() { co_return 1; }
} // namespace

int main() {
  // ctest counts an abort as a failure whatever the output says: end with a plain exit code.
  std::signal(SIGABRT, [](int) { std::_Exit(3); });
  auto t = never_started();
  std::printf("reading the result of a task that was never started\n");
  std::fflush(stdout);
  return t.result(); // aborts: not done
}
