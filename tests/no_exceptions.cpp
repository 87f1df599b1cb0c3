// Built with -fno-exceptions: the library compiles, and failures come from
// expected-returning callbacks. A plain program: exits non-zero on the first wrong answer.

#include <modhook/modhook.hpp>

#include <cstdio>
#include <vector>

namespace {

struct module_error {
  int code;
};

struct rules {
  MODHOOK_CALLBACKS(rules,
    (check, modhook::all_must_pass, modhook::expected<bool, module_error>(int)),
    (notify, modhook::run_all, modhook::expected<void, module_error>(int)),
    (lookup, modhook::first_result, std::optional<int>(int)));
};
using hooks = modhook::registry<rules>;

int failures = 0;
void expect(bool condition, const char* what) {
  if (!condition) {
    std::printf("FAILED: %s\n", what);
    ++failures;
  }
}

} // namespace

int main() {
  hooks h;
  std::vector<int> calls;
  int reported = 0;
  expect(h.on_failure([&](const modhook::failure<>& f) { reported += f.threw() ? 100 : 1; }).has_value(),
         "failure handler accepted");
  for (int i = 0; i < 3; ++i) {
    const bool loaded = h.load("m" + std::to_string(i), [&, i](hooks::api& api) {
      (void)api.register_callbacks(rules{
          .check = [&, i](int x) -> modhook::expected<bool, module_error> {
            calls.push_back(i);
            if (x == i) return modhook::unexpected(module_error{i});
            return x != -i - 10;
          },
          .notify = [i](int x) -> modhook::expected<void, module_error> {
            if (x == i) return modhook::unexpected(module_error{i});
            return {};
          },
          .lookup = [i](int x) -> std::optional<int> {
            if (x == i) return i * 10;
            return std::nullopt;
          },
      });
    }).has_value();
    expect(loaded, "module loaded");
  }
  h.seal();

  const auto failed = h.dispatch<&rules::check>(1);
  expect(failed.failed() && failed.deciding_failure().error->code == 1, "error value is a failure");
  expect(failed.decided_by()->name == "m1", "failure names the module");
  expect(calls == std::vector<int>{0, 1}, "stops at the failure");
  const auto rejected = h.dispatch<&rules::check>(-12);
  expect(rejected.rejected() && rejected.decided_by()->name == "m2", "rejection by m2");
  expect(h.dispatch<&rules::check>(7).passed(), "all pass");
  const auto notified = h.dispatch<&rules::notify>(0);
  expect(notified.failure_count() == 1 && notified.first_failure()->error->code == 0, "run_all counts the error");
  const auto found = h.dispatch<&rules::lookup>(2);
  expect(found.has_value() && *found == 20 && found.decided_by()->index == 2, "first_result answers");
  expect(reported == 2, "both failures reported to the handler, neither as thrown");

  std::printf("%d passed, %d failed\n", failures == 0 ? 1 : 0, failures == 0 ? 0 : 1);
  return failures == 0 ? 0 : 1;
}
