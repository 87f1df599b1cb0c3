// EXPECT: modhook: third_party_rules::on_new_event: a callable stored on the heap must be copy-constructible
#include "common.hpp"

#include <memory>

#ifdef MODHOOK_VALID_TWIN
third_party_rules registered{.on_new_event = [p = std::make_shared<int>(1)](const event&) { (void)p; }};
#else
third_party_rules registered{.on_new_event = [p = std::make_unique<int>(1)](const event&) { (void)p; }};
#endif
