// EXPECT: modhook: MODHOOK_EXPECTED must be std or tl
// DIAGNOSTICS: at most 15 lines, the first error naming MODHOOK_EXPECTED
// A wrong choice of expected type is one error, and compilation stops there (the same
// mechanism stops it when no expected type is found at all). The twin leaves the choice to
// modhook.
#undef MODHOOK_EXPECTED
#ifndef MODHOOK_VALID_TWIN
#define MODHOOK_EXPECTED optional
#endif
#include "common.hpp"
