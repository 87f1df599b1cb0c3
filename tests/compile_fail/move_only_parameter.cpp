// EXPECT: (a_by_value_parameter_must_be_copyable_every_module_gets_a_copy\(\) \[with Slot = media::modhook_slot_on_upload|signature_by_value_parameters_are_copyable<media::modhook_slot_on_upload)
// DIAGNOSTICS: at most 15 lines, the first error naming on_upload
#include <modhook/modhook.hpp>

#include <memory>
#include <string>

// Every module receives its own copy of a by-value parameter: a move-only one cannot be.
struct media {
#ifdef MODHOOK_VALID_TWIN
  MODHOOK_CALLBACKS(media, (on_upload, modhook::run_all, void(const std::unique_ptr<std::string>&)));
#else
  MODHOOK_CALLBACKS(media, (on_upload, modhook::run_all, void(std::unique_ptr<std::string>)));
#endif
};
