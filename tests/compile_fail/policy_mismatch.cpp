// EXPECT: modhook: account_validity::is_user_expired: the policy modhook::first_result cannot combine the result of bool\(const std::string&\)
#include "common.hpp"

struct account_validity {
#ifdef MODHOOK_VALID_TWIN
  MODHOOK_CALLBACKS(account_validity, (is_user_expired, modhook::first_result, std::optional<bool>(const std::string&)));
#else
  MODHOOK_CALLBACKS(account_validity, (is_user_expired, modhook::first_result, bool(const std::string&)));
#endif
};
account_validity instance{};
