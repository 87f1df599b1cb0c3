// The catalogue: the names a config file's `module:` entries may use.

#include "modules.hpp"

namespace homeserver {

std::span<const catalogue_entry> module_catalogue() {
  static constexpr catalogue_entry entries[] = {
      catalogue_entry_for<event_censorer>("event_censorer"), catalogue_entry_for<invite_blocker>("invite_blocker"),
      catalogue_entry_for<room_guard>("room_guard"),         catalogue_entry_for<account_expiry>("account_expiry"),
      catalogue_entry_for<audit_logger>("audit_logger"),     catalogue_entry_for<flaky_module>("flaky_module"),
  };
  return entries;
}

} // namespace homeserver
