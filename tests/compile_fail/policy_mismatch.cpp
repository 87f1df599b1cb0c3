// EXPECT: (the_policy_cannot_combine_the_callback_result\(\) \[with Slot = account_validity::modhook_slot_is_user_expired; Policy = modhook::v0_[0-9]+_[a-z]+::first_result; Signature = bool\(const std::|policy_combines_the_callback_result<account_validity::modhook_slot_is_user_expired, modhook::first_result, bool \(const std::string &\)>)
// DIAGNOSTICS: at most 15 lines, the first error naming is_user_expired
#include "common.hpp"

struct account_validity {
#ifdef MODHOOK_VALID_TWIN
  MODHOOK_CALLBACKS(account_validity, (is_user_expired, modhook::first_result, std::optional<bool>(const std::string&)));
#else
  MODHOOK_CALLBACKS(account_validity, (is_user_expired, modhook::first_result, bool(const std::string&)));
#endif
};
account_validity instance{};
