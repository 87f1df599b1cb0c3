// EXPECT: (all_must_pass_needs_a_pass_traits_specialization_for_the_result\(\) \[with Slot = spam_rules::modhook_slot_check_event_for_spam; Result = spam_verdict\]|all_must_pass_finds_pass_traits_for_the_result<spam_rules::modhook_slot_check_event_for_spam, .*spam_verdict>.*modhook::pass_traits)
// DIAGNOSTICS: at most 15 lines, the first error naming check_event_for_spam
#include <modhook/modhook.hpp>

struct event {
  int id;
};
enum class spam_verdict { not_spam, spam };

#ifdef MODHOOK_VALID_TWIN
template <>
struct modhook::pass_traits<spam_verdict> {
  static constexpr bool passes(spam_verdict v) noexcept { return v == spam_verdict::not_spam; }
};
#endif

// all_must_pass must know which spam_verdict passes.
struct spam_rules {
  MODHOOK_CALLBACKS(spam_rules, (check_event_for_spam, modhook::all_must_pass, spam_verdict(const event&)));
};
