// EXPECT: error: (ignoring return value of .*registry<Categories>::load\(|ignoring return value of function declared with .nodiscard. attribute)
#include "common.hpp"

// A load can be refused (a duplicate name, a sealed registry, a module that threw): a host
// that drops the answer runs without the module and never knows.
void host(hooks& h) {
#ifdef MODHOOK_VALID_TWIN
  if (!h.load("censor", [](hooks::api&) {})) return;
#else
  h.load("censor", [](hooks::api&) {});
#endif
}
