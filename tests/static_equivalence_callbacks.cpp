// Module callbacks for the static-equivalence test, in their own translation unit.
#include "static_equivalence.hpp"

namespace {
int counters[16];
}

template <int I>
bool eq_check(int x) {
  counters[I] += x;
  return true;
}

// Explicit instantiations: the other translation unit calls these.
template bool eq_check<0>(int);
template bool eq_check<1>(int);
template bool eq_check<2>(int);
template bool eq_check<3>(int);
template bool eq_check<4>(int);
template bool eq_check<5>(int);
template bool eq_check<6>(int);
template bool eq_check<7>(int);
template bool eq_check<8>(int);
template bool eq_check<9>(int);
template bool eq_check<10>(int);
template bool eq_check<11>(int);
template bool eq_check<12>(int);
template bool eq_check<13>(int);
template bool eq_check<14>(int);
template bool eq_check<15>(int);
