// EXPECT: (the_dispatch_arguments_do_not_convert_to_the_callback_parameters\(\) \[with Slot = room_rules::modhook_slot_on_create_room|dispatch_arguments_convert_to_the_callback_parameters<room_rules::modhook_slot_on_create_room, void \(std::string &\), std::string>)
// DIAGNOSTICS: at most 15 lines, the first error naming on_create_room
#include "common.hpp"

// Modules may modify the request: a temporary would silently lose their changes.
struct room_rules {
  MODHOOK_CALLBACKS(room_rules, (on_create_room, modhook::first_exception, void(std::string& request)));
};

bool host(const modhook::registry<room_rules>& h) {
#ifdef MODHOOK_VALID_TWIN
  std::string request = "{}";
  return h.dispatch<&room_rules::on_create_room>(request).ok();
#else
  return h.dispatch<&room_rules::on_create_room>(std::string("{}")).ok();
#endif
}
