// EXPECT: (the_callable_takes_by_value_what_the_callback_passes_to_edit\(\) \[with Slot = room_rules::modhook_slot_on_create_room|callable_takes_by_reference_what_the_callback_passes_to_edit<room_rules::modhook_slot_on_create_room)
// DIAGNOSTICS: at most 15 lines, the first error naming on_create_room
#include <modhook/modhook.hpp>

#include <string>

// The callback passes the request by non-const reference for modules to edit it: a module
// taking it by value would edit a copy, and its edits would be lost without a word.
struct room_rules {
  MODHOOK_CALLBACKS(room_rules, (on_create_room, modhook::first_exception, void(std::string& request, bool is_admin)));
};

void module(modhook::registry<room_rules>::api& api) {
  (void)api.register_callbacks(room_rules{
#ifdef MODHOOK_VALID_TWIN
      .on_create_room = [](std::string& request, bool) { request += " (checked)"; },
#else
      .on_create_room = [](std::string request, bool) { request += " (checked)"; },
#endif
  });
}
