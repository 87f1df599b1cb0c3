// EXPECT: (the_callback_decides_with_a_bool_return_one_not_a_pointer_or_a_number\(\) \[with Slot = third_party_rules::modhook_slot_is_user_expired|callable_returns_a_bool_not_a_pointer_or_a_number<third_party_rules::modhook_slot_is_user_expired)
// DIAGNOSTICS: at most 15 lines, the first error naming is_user_expired
#include "common.hpp"

#include <optional>
#include <string>

// A count is not a decision: an int converts to std::optional<bool>, and any count but 0
// would say "expired".
void module(hooks::api& api) {
  (void)api.register_callbacks(third_party_rules{
#ifdef MODHOOK_VALID_TWIN
      .is_user_expired = [](const std::string& user) -> std::optional<bool> { return user.size() > 3; },
#else
      .is_user_expired = [](const std::string& user) { return static_cast<int>(user.size()); },
#endif
  });
}
