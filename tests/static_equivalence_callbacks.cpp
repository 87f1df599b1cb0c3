// Module callbacks for the static-equivalence test, in their own translation unit (the
// inlined build keeps only the counters they write here).
#include "static_equivalence.hpp"

#if MODHOOK_EQ_CALLBACKS == MODHOOK_EQ_INLINED_CALLBACKS
int eq_counters[64];
#else
namespace {
int counters[64];
}

template <int I>
bool eq_check(int x) noexcept(MODHOOK_EQ_CALLBACKS == MODHOOK_EQ_NOEXCEPT_CALLBACKS) {
  counters[I] += x;
  return true;
}

// Explicit instantiations: the other translation unit calls these.
#define MODHOOK_EQ_1(n) template bool eq_check<n>(int) noexcept(MODHOOK_EQ_CALLBACKS == MODHOOK_EQ_NOEXCEPT_CALLBACKS);
#define MODHOOK_EQ_4(n) MODHOOK_EQ_1(n) MODHOOK_EQ_1(n + 1) MODHOOK_EQ_1(n + 2) MODHOOK_EQ_1(n + 3)
#define MODHOOK_EQ_16(n) MODHOOK_EQ_4(n) MODHOOK_EQ_4(n + 4) MODHOOK_EQ_4(n + 8) MODHOOK_EQ_4(n + 12)
MODHOOK_EQ_16(0)
MODHOOK_EQ_16(16)
MODHOOK_EQ_16(32)
MODHOOK_EQ_16(48)
#endif
