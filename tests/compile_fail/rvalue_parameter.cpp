// EXPECT: (the_signature_has_an_rvalue_reference_parameter\(\) \[with Slot = media::modhook_slot_on_upload; Signature = void\(std::|signature_has_no_rvalue_reference_parameter<media::modhook_slot_on_upload, void \(std::string &&\)>)
// DIAGNOSTICS: at most 15 lines, the first error naming on_upload
#include "common.hpp"

struct media {
#ifdef MODHOOK_VALID_TWIN
  MODHOOK_CALLBACKS(media, (on_upload, modhook::run_all, void(const std::string&)));
#else
  MODHOOK_CALLBACKS(media, (on_upload, modhook::run_all, void(std::string&&)));
#endif
};
media instance{};
