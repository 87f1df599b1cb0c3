// EXPECT: (the_policy_cannot_combine_the_callback_result\(\) \[with Slot = rules::modhook_slot_may_join; Policy = modhook::v0_[0-9]+_[a-z]+::run_all|policy_combines_the_callback_result<rules::modhook_slot_may_join, modhook::run_all, bool \(const std::string &\)>)
// DIAGNOSTICS: at most 15 lines, the first error naming may_join
#include <modhook/modhook.hpp>

#include <string>

// run_all combines notifications (void, or expected<void, E>): a verdict needs all_must_pass.
struct rules {
#ifdef MODHOOK_VALID_TWIN
  MODHOOK_CALLBACKS(rules, (may_join, modhook::all_must_pass, bool(const std::string&)));
#else
  MODHOOK_CALLBACKS(rules, (may_join, modhook::run_all, bool(const std::string&)));
#endif
};
rules instance{};
