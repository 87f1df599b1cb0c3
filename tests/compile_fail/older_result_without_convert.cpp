// EXPECT: modhook: revised<Sig, older<S, Convert>...>: an older signature S with another result than Sig's needs a Convert
// DIAGNOSTICS: at most 16 lines, the first error naming Convert
// An older form whose result differs from the current one, without the conversion: a cast
// would give the meaning of the enumeration's order, so it is refused where the category is
// declared. The twin gives the conversion.
#include <modhook/modhook.hpp>

#include <string>

enum class spam_verdict { spam, not_spam };
template <>
struct modhook::pass_traits<spam_verdict> {
  static constexpr bool passes(spam_verdict v) noexcept { return v == spam_verdict::not_spam; }
};
constexpr spam_verdict from_bool(bool is_spam) noexcept { return is_spam ? spam_verdict::spam : spam_verdict::not_spam; }

#ifdef MODHOOK_VALID_TWIN
#define OLDER modhook::older<bool(const std::string&), &from_bool>
#else
#define OLDER modhook::older<bool(const std::string&)>
#endif
struct spam_checker {
  MODHOOK_CALLBACKS(spam_checker,
    (check_event_for_spam, modhook::all_must_pass, modhook::revised<spam_verdict(const std::string&), OLDER>));
};

bool host(const spam_checker& m) { return static_cast<bool>(m.check_event_for_spam); }
