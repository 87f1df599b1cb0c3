// Guards rooms: forbids the creation of rooms with a forbidden name by throwing (Synapse's
// way to deny on_create_room), tags every other new room, keeps listed rooms private and
// protects them from shutdown, and lets only listed users create rooms when a list is set.

#include "../module_support.hpp"

#include <modhook/shared_module.hpp>

#include <string>
#include <vector>
#include <stdexcept>

namespace homeserver {

class room_guard {
public:
  room_guard(const json& config, module_services& services, hooks::api& api);
  void on_create_room(const requester& who, json& request, bool is_admin) const;
  bool check_visibility_can_be_modified(const std::string& room_id, const state_map&,
                                        const std::string& new_visibility) const;
  bool check_can_shutdown_room(const std::string& user_id, const std::string& room_id) const;
  bool user_may_create_room(const std::string& user) const;

private:
  std::vector<std::string> forbidden_names_;
  std::vector<std::string> protected_rooms_;
  std::vector<std::string> room_creators_;
  std::string tag_;
};

namespace {
bool contains(const std::vector<std::string>& list, std::string_view value) {
  for (const auto& item : list)
    if (item == value) return true;
  return false;
}
} // namespace

room_guard::room_guard(const json& config, module_services&, hooks::api& api)
    : forbidden_names_(config_strings(config, "forbidden_names")),
      protected_rooms_(config_strings(config, "protected_rooms")),
      room_creators_(config_strings(config, "room_creators")), tag_(config_string(config, "tag", "guarded")) {
  (void)api.register_callbacks(third_party_rules{
      .on_create_room = modhook::bind<&room_guard::on_create_room>(this),
      .check_visibility_can_be_modified = modhook::bind<&room_guard::check_visibility_can_be_modified>(this),
      .check_can_shutdown_room = modhook::bind<&room_guard::check_can_shutdown_room>(this),
  });
  (void)api.register_callbacks(spam_checker{
      .user_may_create_room = modhook::bind<&room_guard::user_may_create_room>(this),
  });
}

void room_guard::on_create_room(const requester& who, json& request, bool is_admin) const {
  const std::string* name = string_member(request, "name");
  if (!is_admin && name != nullptr && contains(forbidden_names_, *name))
    throw std::runtime_error("room name '" + *name + "' is not allowed for " + who.user_id);
  // Tags the room's creation content; a request whose creation_content is not an object is
  // left as it is (the homeserver refuses it itself).
  json& content = request["creation_content"];
  if (content.is_null() || content.is_object()) content["m.guard"] = tag_;
}

bool room_guard::check_visibility_can_be_modified(const std::string& room_id, const state_map&,
                                                  const std::string& new_visibility) const {
  return new_visibility != "public" || !contains(protected_rooms_, room_id);
}

bool room_guard::check_can_shutdown_room(const std::string&, const std::string& room_id) const {
  return !contains(protected_rooms_, room_id);
}

bool room_guard::user_may_create_room(const std::string& user) const {
  return room_creators_.empty() || contains(room_creators_, user);
}

} // namespace homeserver

// The one line that makes this library a module the host can load by name.
MODHOOK_SHARED_MODULE(homeserver::hooks, homeserver::room_guard, const homeserver::json&, homeserver::module_services&);
