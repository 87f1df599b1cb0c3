// EXPECT: modhook: on_failure\(handler\): the handler must be callable as handler\(const modhook::failure<>&\)
// DIAGNOSTICS: at most 15 lines, the first error naming on_failure
#include "common.hpp"

#include <string>

bool host(hooks& h) {
#ifdef MODHOOK_VALID_TWIN
  return h.on_failure([](const modhook::failure<>& f) { (void)f.module.name; }).has_value();
#else
  return h.on_failure([](const std::string& message) { (void)message; }).has_value();
#endif
}
