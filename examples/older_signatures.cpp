// A callback that changed: check_event_for_spam gained a `context` parameter, and its result
// went from Synapse's legacy bool (true: spam) to a verdict. The category keeps both older
// forms (modhook::revised), so a module written against either still compiles and works; the
// compiler warns, at the line that gives it, that it is out of date.

#include <modhook/modhook.hpp>

#include <cstdio>
#include <stdexcept>
#include <string>

struct event {
  std::string sender, body;
};
struct context {
  bool sender_is_new = false;
};
enum class spam_verdict { not_spam, spam };

template <>
struct modhook::pass_traits<spam_verdict> {
  static constexpr bool passes(spam_verdict v) noexcept { return v == spam_verdict::not_spam; }
};

// How a legacy answer reads now.
constexpr spam_verdict verdict_from_bool(bool is_spam) noexcept {
  return is_spam ? spam_verdict::spam : spam_verdict::not_spam;
}

struct spam_checker {
  MODHOOK_CALLBACKS(spam_checker,
    (check_event_for_spam, modhook::all_must_pass,
     modhook::revised<spam_verdict(const event&, const context&),
                      modhook::older<spam_verdict(const event&)>,
                      modhook::older<bool(const event&), &verdict_from_bool>>));
};
using hooks = modhook::registry<spam_checker>;

// Up to date: takes the context.
struct new_accounts {
  explicit new_accounts(hooks::api& api) {
    auto check = [](const event& e, const context& c) {
      return c.sender_is_new && e.body.find("http") != std::string::npos ? spam_verdict::spam
                                                                         : spam_verdict::not_spam;
    };
    if (!api.register_callbacks(spam_checker{.check_event_for_spam = check}))
      throw std::runtime_error("cannot register");
  }
};

// Written years ago: answers a bool. This host accepts it, and says so by silencing the
// deprecation warning for this module alone (or builds it with -Werror=deprecated-declarations
// to refuse it).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
struct legacy_word_filter {
  explicit legacy_word_filter(hooks::api& api) {
    auto check = [](const event& e) { return e.body.find("casino") != std::string::npos; };
    if (!api.register_callbacks(spam_checker{.check_event_for_spam = check}))
      throw std::runtime_error("cannot register");
  }
};
#pragma GCC diagnostic pop

int main() {
  hooks h;
  if (!h.load<legacy_word_filter>("word_filter") || !h.load<new_accounts>("new_accounts")) return 1;
  h.seal();
  const struct {
    event e;
    context c;
  } cases[] = {{{"@alice:hs", "hello"}, {false}},
               {{"@bob:hs", "cheap casino"}, {false}},
               {{"@carol:hs", "see http://x"}, {true}}};
  for (const auto& [e, c] : cases) {
    const auto verdict = h.dispatch<&spam_checker::check_event_for_spam>(e, c);
    if (verdict.passed())
      std::printf("%s: not spam\n", e.body.c_str());
    else
      std::printf("%s: spam (%s)\n", e.body.c_str(), std::string(verdict.decided_by()->name).c_str());
  }
  return 0;
}
