// EXPECT: modhook: revised<Sig, older<S>...>: each older signature S must be a function type whose parameters are the first parameters of Sig
// DIAGNOSTICS: at most 16 lines, the first error naming revised
// An older signature whose parameters are not the first of the current one's (here the
// parameter added later was put first): refused where the category is declared.
#include <modhook/modhook.hpp>

#include <string>

struct event {
  std::string body;
};
struct context {
  int depth = 0;
};

#ifdef MODHOOK_VALID_TWIN
#define SIGNATURE modhook::revised<bool(const event&, const context&), modhook::older<bool(const event&)>>
#else
#define SIGNATURE modhook::revised<bool(const context&, const event&), modhook::older<bool(const event&)>>
#endif
struct spam_checker {
  MODHOOK_CALLBACKS(spam_checker, (check_event_for_spam, modhook::all_must_pass, SIGNATURE));
};

bool host(const spam_checker& m) { return static_cast<bool>(m.check_event_for_spam); }
