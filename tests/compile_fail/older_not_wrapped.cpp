// EXPECT: modhook: revised<Sig, Older...>: write each older form as modhook::older<S> or modhook::older<S, Convert>
// DIAGNOSTICS: at most 16 lines, the first error naming older
// An older signature given bare, without modhook::older<>: said so. The twin wraps it.
#include <modhook/modhook.hpp>

#include <string>

#ifdef MODHOOK_VALID_TWIN
#define OLDER modhook::older<bool(const std::string&)>
#else
#define OLDER bool(const std::string&)
#endif
struct spam_checker {
  MODHOOK_CALLBACKS(spam_checker,
    (check_event_for_spam, modhook::all_must_pass, modhook::revised<bool(const std::string&, int), OLDER>));
};

bool host(const spam_checker& m) { return static_cast<bool>(m.check_event_for_spam); }
