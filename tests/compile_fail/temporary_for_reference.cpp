// EXPECT: modhook: room_rules::on_create_room: the dispatch arguments do not convert to the parameters of void\(std::string& request\)
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
