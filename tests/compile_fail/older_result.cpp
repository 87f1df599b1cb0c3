// EXPECT: modhook_slot_check_event_for_spam.*is deprecated: modhook: this callable implements an older signature of the callback, whose result type has changed since: its result is converted as the category declares
// DIAGNOSTICS: at most 28 lines, the first error naming check_event_for_spam
// A module written when the callback answered a bool (Synapse's legacy spam checker): its
// result is converted, with a warning (an error under -Werror, as here). The twin answers a
// verdict.
#include <modhook/modhook.hpp>

#include <string>

// An error here whatever the flags (the diagnostics test compiles without -Werror).
#pragma GCC diagnostic error "-Wdeprecated-declarations"

struct event {
  std::string body;
};
enum class spam_verdict { not_spam, spam };
template <>
struct modhook::pass_traits<spam_verdict> {
  static constexpr bool passes(spam_verdict v) noexcept { return v == spam_verdict::not_spam; }
};
constexpr spam_verdict from_bool(bool is_spam) noexcept { return is_spam ? spam_verdict::spam : spam_verdict::not_spam; }

struct spam_checker {
  MODHOOK_CALLBACKS(spam_checker,
    (check_event_for_spam, modhook::all_must_pass,
     modhook::revised<spam_verdict(const event&), modhook::older<bool(const event&), &from_bool>>));
};

#ifdef MODHOOK_VALID_TWIN
spam_verdict is_spam(const event& e) { return e.body == "spam" ? spam_verdict::spam : spam_verdict::not_spam; }
#else
bool is_spam(const event& e) { return e.body == "spam"; }
#endif

spam_checker module() { return {.check_event_for_spam = &is_spam}; }
