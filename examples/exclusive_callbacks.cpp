// A callback only one module may implement (modhook::exclusive): here the password check of
// a login type, as Synapse lets one password provider own each login type. A second module
// that implements it is refused, naming both, and the first keeps it; modules that leave it
// unset load beside it.

#include <modhook/modhook.hpp>

#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>

struct login {
  std::string user, password;
};

struct password_auth {
  MODHOOK_CALLBACKS(password_auth,
    // Whether the password is right (nullopt: not a user this provider knows).
    (check_password, modhook::exclusive<modhook::first_result>, std::optional<bool>(const login&)),
    (on_logged_in, modhook::run_all, void(const login&)));
};
using hooks = modhook::registry<password_auth>;

struct ldap_provider {
  explicit ldap_provider(hooks::api& api) {
    auto check = [](const login& l) -> std::optional<bool> {
      if (l.user != "alice") return std::nullopt;
      return l.password == "wonderland";
    };
    if (auto registered = api.register_callbacks(password_auth{.check_password = check}); !registered)
      throw std::runtime_error(registered.error().message());
  }
};

struct saml_provider {
  explicit saml_provider(hooks::api& api) {
    // Refused: ldap has the callback. (The load fails even if a module ignores this result.)
    if (auto registered =
            api.register_callbacks(password_auth{.check_password = [](const login&) { return std::optional<bool>(); }});
        !registered)
      throw std::runtime_error(registered.error().message());
  }
};

struct audit {
  explicit audit(hooks::api& api) {
    if (!api.register_callbacks(password_auth{
            .on_logged_in = [](const login& l) { std::printf("audit: %s logged in\n", l.user.c_str()); }}))
      throw std::runtime_error("cannot register");
  }
};

int main() {
  hooks h;
  if (!h.load<ldap_provider>("ldap")) return 1;
  const auto refused = h.load<saml_provider>("saml");
  if (refused) return 1;
  std::printf("refused: %s\n", refused.error().message().c_str());
  if (!h.load<audit>("audit")) return 1;
  h.seal();

  const login attempt{"alice", "wonderland"};
  const auto checked = h.dispatch<&password_auth::check_password>(attempt);
  if (!checked.has_value() || !checked.value()) return 1;
  std::printf("checked by %s\n", std::string(checked.decided_by()->name).c_str());
  h.dispatch<&password_auth::on_logged_in>(attempt);
  return 0;
}
