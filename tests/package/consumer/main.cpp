// A small host, as a user would write it: every policy, both registries, every kind of
// callable, failures and names, so that the strict build sees most of modhook's templates.
#include <modhook/modhook.hpp>

#include <boost/hana/keys.hpp>
#include <boost/hana/length.hpp>

#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct error_code {
  int value;
};

struct consumer_hooks {
  MODHOOK_CALLBACKS(consumer_hooks,
    (check, modhook::all_must_pass, bool(int)),
    (check_open, modhook::all_must_pass_fail_open, bool(const std::string&)),
    (lookup, modhook::first_result, std::optional<std::string>(int)),
    (notify, modhook::run_all, void(std::string&)),
    (create, modhook::first_exception, modhook::expected<void, error_code>(int)));
};
using hooks_t = modhook::registry<consumer_hooks>;

struct counter {
  int seen = 0;
  bool check(int x) { return ++seen, x > 0; }
};

bool positive(int x) { return x > 0; }
constexpr consumer_hooks static_module{.check = &positive};
using static_hooks = modhook::static_registry<static_module>;

struct module_class {
  counter state;
  explicit module_class(hooks_t::api& api) {
    // Refused only after seal(): never while the module is being loaded.
    (void)api.register_callbacks(consumer_hooks{
        .check = modhook::bind<&counter::check>(state),
        .lookup = [suffix = std::string("!")](int x) -> std::optional<std::string> {
          if (x == 7) return std::to_string(x) + suffix;
          return std::nullopt;
        },
        .notify = [](std::string& text) { text += "a"; },
        .create = [](int x) -> modhook::expected<void, error_code> {
          if (x < 0) return modhook::unexpected(error_code{x});
          return {};
        },
    });
  }
};

int main() {
  hooks_t hooks;
  std::size_t failures = 0;
  if (!hooks.on_failure([&failures](const modhook::failure<>&) { ++failures; })) return 1;
  if (!hooks.load<module_class>("module")) return 1;
  if (!hooks.load("thrower", [](hooks_t::api& api) {
        (void)api.register_callbacks(
            consumer_hooks{.check_open = [](const std::string&) -> bool { throw std::runtime_error("down"); }});
      }))
    return 1;
  const auto refused = hooks.load("module", [](hooks_t::api&) {});
  hooks.seal();
  const auto late = hooks.load("late", [](hooks_t::api&) {});

  std::string text;
  const auto verdict = hooks.dispatch<&consumer_hooks::check>(1);
  const auto denied = hooks.dispatch<&consumer_hooks::check>(0);
  const auto open = hooks.dispatch<&consumer_hooks::check_open>("x");
  const auto answer = hooks.dispatch<&consumer_hooks::lookup>(7);
  const auto notified = hooks.dispatch<&consumer_hooks::notify>(text);
  const auto created = hooks.dispatch<&consumer_hooks::create>(-2);

  const bool ok = verdict.passed() && denied.rejected() && denied.decided_by()->name == "module" && open.passed() &&
                  open.failure_count() == 1 && answer.has_value() && *answer == "7!" && notified.ok() &&
                  text == "a" && created.failed() && created.first_failure()->error->value == -2 && failures == 2 &&
                  !refused && refused.error().reason == modhook::registration_error::kind::duplicate_module_name &&
                  !late && late.error().message().find("sealed") != std::string::npos &&
                  hooks.implementation_count<&consumer_hooks::check>() == 1 &&
                  static_hooks::dispatch<&consumer_hooks::check>(0).rejected() &&
                  static_hooks::implementation_count<&consumer_hooks::check> == 1 &&
                  modhook::category_name<consumer_hooks> == "consumer_hooks" &&
                  modhook::callback_name<&consumer_hooks::lookup>.name == "lookup" &&
                  modhook::callback_names<consumer_hooks>.size() == 5 &&
                  decltype(boost::hana::length(boost::hana::keys(consumer_hooks{})))::value == 5;
#ifdef CONSUMER_PACKAGE_VERSION
  const std::string header_version = std::to_string(MODHOOK_VERSION_MAJOR) + "." +
                                     std::to_string(MODHOOK_VERSION_MINOR) + "." + std::to_string(MODHOOK_VERSION_PATCH);
  if (header_version != CONSUMER_PACKAGE_VERSION) {
    std::printf("the package says %s, the headers %s\n", CONSUMER_PACKAGE_VERSION, header_version.c_str());
    return 1;
  }
#endif
  std::printf("%s (modhook %d.%d.%d, %s)\n", ok ? "consumer works" : "consumer is wrong", MODHOOK_VERSION_MAJOR,
              MODHOOK_VERSION_MINOR, MODHOOK_VERSION_PATCH, MODHOOK_EXPECTED_IS_STD ? "std::expected" : "tl::expected");
  return ok ? 0 : 1;
}
