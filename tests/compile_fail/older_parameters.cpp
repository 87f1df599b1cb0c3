// EXPECT: modhook_slot_check_event_for_spam.*is deprecated: modhook: this callable implements an older signature of the callback, which has gained parameters since: it is adapted and called without them
// DIAGNOSTICS: at most 28 lines, the first error naming check_event_for_spam
// A module written before the callback gained its second parameter: adapted, with a warning
// (an error under -Werror, as here) at the line that gives it. The twin takes both.
#include <modhook/modhook.hpp>

#include <string>

// An error here whatever the flags (the diagnostics test compiles without -Werror).
#pragma GCC diagnostic error "-Wdeprecated-declarations"

struct event {
  std::string body;
};
struct context {
  int depth = 0;
};

struct spam_checker {
  MODHOOK_CALLBACKS(spam_checker,
    (check_event_for_spam, modhook::all_must_pass,
     modhook::revised<bool(const event&, const context&), modhook::older<bool(const event&)>>));
};

#ifdef MODHOOK_VALID_TWIN
bool not_spam(const event& e, const context&) { return e.body != "spam"; }
#else
bool not_spam(const event& e) { return e.body != "spam"; }
#endif

spam_checker module() { return {.check_event_for_spam = &not_spam}; }
