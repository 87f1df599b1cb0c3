// EXPECT: error: (ignoring returned value of type .*modhook::v0_[0-9]+_[a-z]+::answer<bool, void>.*nodiscard|ignoring return value of (type 'answer<bool, void>'|function) declared with 'nodiscard' attribute)
#include "common.hpp"

#include <string>

// A first_result answer is asked for to be used.
bool host(const hooks& h, const std::string& user) {
#ifdef MODHOOK_VALID_TWIN
  return h.dispatch<&third_party_rules::is_user_expired>(user).value_or(false);
#else
  h.dispatch<&third_party_rules::is_user_expired>(user);
  return false;
#endif
}
