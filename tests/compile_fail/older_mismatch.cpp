// EXPECT: (the_callable_cannot_be_called_with_the_callback_arguments\(\) \[with Slot = spam_checker::modhook_slot_check_event_for_spam; Signature = bool\(const event&, const context&\)|callable_takes_the_callback_arguments<spam_checker::modhook_slot_check_event_for_spam, bool \(const event &, const context &\))
// DIAGNOSTICS: at most 16 lines, the first error naming check_event_for_spam
// A callable that implements neither the current signature nor an older one keeps the
// error of the current signature. The twin implements the older one (silenced warning).
#include <modhook/modhook.hpp>

#include <string>

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
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
bool not_spam(const event& e) { return e.body != "spam"; }
#else
bool not_spam(const context& c) { return c.depth < 3; } // the second parameter alone: no form of the callback
#endif

spam_checker module() { return {.check_event_for_spam = &not_spam}; }
