// EXPECT: error: (ignoring return value of .*registry<Categories>::on_failure\(|ignoring return value of function declared with .nodiscard. attribute)
#include "common.hpp"

// A failure handler set after seal() is refused: failures would go unreported.
void host(hooks& h) {
#ifdef MODHOOK_VALID_TWIN
  if (!h.on_failure([](const modhook::failure<>&) {})) return;
#else
  h.on_failure([](const modhook::failure<>&) {});
#endif
}
