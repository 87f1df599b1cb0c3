// Exclusive callbacks (modhook::exclusive<Policy>): at most one module implements one; a
// second is refused naming both modules, and nothing of the refused registration is kept.
// The run-time registry refuses at registration, the live registry when a change would put
// two in one set, the static registry at compile time (compile_fail/exclusive_twice.cpp).

#include <modhook/live_registry.hpp>
#include <modhook/registry.hpp>
#include <modhook/static_registry.hpp>

#include <catch2/catch.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct auth {
  MODHOOK_CALLBACKS(auth,
    (check_password, modhook::exclusive<modhook::first_result>, std::optional<bool>(const std::string&)),
    (may_login, modhook::exclusive<modhook::all_must_pass>, bool(const std::string&)),
    (on_login, modhook::run_all, void(std::vector<std::string>&)));
};

std::optional<bool> knows_alice(const std::string& user) {
  return user == "alice" ? std::optional<bool>(true) : std::nullopt;
}
std::optional<bool> knows_everyone(const std::string&) { return false; }

template <class Hooks>
struct provider {
  provider(std::string name, bool checks, typename Hooks::api& api) {
    auth callbacks;
    if (checks) callbacks.check_password = name == "ldap" ? &knows_alice : &knows_everyone;
    callbacks.on_login = [name](std::vector<std::string>& seen) { seen.push_back(name); };
    const auto registered = api.register_callbacks(std::move(callbacks));
    if (!registered) throw std::runtime_error(registered.error().message());
  }
};

// A module that lets a refused registration go, as a careless one would.
template <class Hooks>
struct careless {
  explicit careless(typename Hooks::api& api) {
    (void)api.register_callbacks(auth{.check_password = &knows_everyone});
  }
};

// A module that implements the exclusive callback twice itself.
template <class Hooks>
struct twice {
  explicit twice(typename Hooks::api& api) {
    REQUIRE(api.register_callbacks(auth{.check_password = &knows_alice}));
    const auto second = api.register_callbacks(auth{.check_password = &knows_everyone});
    REQUIRE_FALSE(second);
    CHECK(second.error().message() ==
          "modhook: module \"twice\": the callback auth.check_password takes one implementation, and module "
          "\"twice\" has it");
  }
};

template <class Hooks>
std::vector<std::string> logins(const Hooks& hooks) {
  std::vector<std::string> seen;
  hooks.template dispatch<&auth::on_login>(seen);
  return seen;
}

} // namespace

TEST_CASE("exclusive: a second implementation is refused naming both modules, and the first keeps it") {
  using hooks = modhook::registry<auth>;
  hooks h;
  REQUIRE(h.load<provider<hooks>>("ldap", "ldap", true));
  const auto refused = h.load<provider<hooks>>("saml", "saml", true);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().reason == modhook::registration_error::kind::exclusive_callback);
  CHECK(refused.error().module == "saml");
  CHECK(refused.error().message() ==
        "modhook: module \"saml\": the callback auth.check_password takes one implementation, and module \"ldap\" "
        "has it");
  h.seal();
  CHECK(h.module_count() == 1);
  CHECK(h.implementation_count<&auth::check_password>() == 1);
  // Nothing of the refused registration is kept: its run_all callback came in the same struct.
  CHECK(logins(h) == std::vector<std::string>{"ldap"});
  CHECK(h.dispatch<&auth::check_password>(std::string("alice")).value() == true);
  CHECK_FALSE(h.dispatch<&auth::check_password>(std::string("bob")).has_value());
}

TEST_CASE("exclusive: modules that leave the exclusive callback unset load side by side") {
  using hooks = modhook::registry<auth>;
  hooks h;
  REQUIRE(h.load<provider<hooks>>("audit", "audit", false));
  REQUIRE(h.load<provider<hooks>>("ldap", "ldap", true));
  REQUIRE(h.load<provider<hooks>>("more", "more", false));
  h.seal();
  CHECK(logins(h) == std::vector<std::string>{"audit", "ldap", "more"});
  CHECK(h.implementation_count<&auth::check_password>() == 1);
  CHECK(h.implementation_count<&auth::may_login>() == 0);
  CHECK(h.dispatch<&auth::may_login>(std::string("alice")).passed()); // combines as all_must_pass
}

TEST_CASE("exclusive: a module that lets the refusal go fails to load all the same") {
  using hooks = modhook::registry<auth>;
  hooks h;
  REQUIRE(h.load<provider<hooks>>("ldap", "ldap", true));
  const auto refused = h.load<careless<hooks>>("careless");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().reason == modhook::registration_error::kind::exclusive_callback);
  CHECK(refused.error().module == "careless");
  // The next load is not refused by what the careless one left.
  REQUIRE(h.load<provider<hooks>>("audit", "audit", false));
  h.seal();
  CHECK(h.module_count() == 2);
  CHECK(logins(h) == std::vector<std::string>{"ldap", "audit"});
}

TEST_CASE("exclusive: a module that throws on the refusal is refused for the callback, not for its throw") {
  using hooks = modhook::registry<auth>;
  hooks h;
  REQUIRE(h.load<provider<hooks>>("ldap", "ldap", true));
  const auto refused = h.load<provider<hooks>>("saml", "saml", true); // provider throws when refused
  REQUIRE_FALSE(refused);
  CHECK(refused.error().reason == modhook::registration_error::kind::exclusive_callback);
  CHECK_FALSE(refused.error().exception);
}

TEST_CASE("exclusive: a module's own second implementation is refused, naming it twice") {
  using hooks = modhook::registry<auth>;
  hooks h;
  const auto refused = h.load<twice<hooks>>("twice");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().reason == modhook::registration_error::kind::exclusive_callback);
  h.seal();
  CHECK(h.implementation_count<&auth::check_password>() == 0);
}

TEST_CASE("exclusive: the live registry refuses a change that would put two in one set, and keeps the set") {
  using hooks = modhook::live_registry<auth>;
  hooks h;
  REQUIRE(h.load<provider<hooks>>("ldap", "ldap", true));
  const auto refused = h.load<provider<hooks>>("saml", "saml", true);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message() ==
        "modhook: module \"saml\": the callback auth.check_password takes one implementation, and module \"ldap\" "
        "has it");
  CHECK(h.modules().size() == 1);
  CHECK(logins(h) == std::vector<std::string>{"ldap"});

  // A disabled module's implementation is not in the set: another may take its place, and
  // enabling it again is then refused, naming it.
  REQUIRE(h.disable("ldap"));
  REQUIRE(h.load<provider<hooks>>("saml", "saml", true));
  CHECK(h.dispatch<&auth::check_password>(std::string("alice")).value() == false);
  const auto enabled = h.enable("ldap");
  REQUIRE_FALSE(enabled);
  CHECK(enabled.error().module == "ldap");
  CHECK(enabled.error().detail ==
        "the callback auth.check_password takes one implementation, and module \"saml\" has it");
  CHECK(logins(h) == std::vector<std::string>{"saml"});
}

TEST_CASE("exclusive: the live registry checks a change as a whole: a replacement, or a swap in one change") {
  using hooks = modhook::live_registry<auth>;
  hooks h;
  REQUIRE(h.load<provider<hooks>>("ldap", "ldap", true));
  REQUIRE(h.replace<provider<hooks>>("ldap", "ldap", true)); // the new module takes the old one's place
  // Loading the new provider, then unloading the old one, in one change: the set it publishes has one.
  REQUIRE(h.change([](hooks::editor& e) -> modhook::expected<void, modhook::registration_error> {
    if (auto loaded = e.load<provider<hooks>>("saml", "saml", true); !loaded) return modhook::unexpected(loaded.error());
    return e.unload("ldap");
  }));
  CHECK(logins(h) == std::vector<std::string>{"saml"});
  CHECK(h.dispatch<&auth::check_password>(std::string("alice")).value() == false);
}

TEST_CASE("exclusive: the live registry refuses a module that lets its own refusal go") {
  using hooks = modhook::live_registry<auth>;
  hooks h;
  const auto refused = h.load<twice<hooks>>("twice");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().reason == modhook::registration_error::kind::exclusive_callback);
  CHECK(h.modules().empty());
}

namespace {
constexpr auth ldap_module{.check_password = &knows_alice};
constexpr auth audit_module{.may_login = [](const std::string& user) { return !user.empty(); }};
using static_hooks = modhook::static_registry<ldap_module, audit_module>;
} // namespace

TEST_CASE("exclusive: a static registry with one implementation of each exclusive callback dispatches") {
  STATIC_REQUIRE(static_hooks::implementation_count<&auth::check_password> == 1);
  CHECK(static_hooks::dispatch<&auth::check_password>(std::string("alice")).value() == true);
  CHECK_FALSE(static_hooks::dispatch<&auth::may_login>(std::string()).passed());
}

TEST_CASE("exclusive: a live registry's change is refused naming the module it brought in, whatever its last step") {
  using hooks = modhook::live_registry<auth>;
  hooks h;
  REQUIRE(h.load<provider<hooks>>("audit", "audit", false));
  REQUIRE(h.load<provider<hooks>>("ldap", "ldap", true));
  // Placed first, so that it comes before ldap in call order, and followed by another step.
  const auto refused = h.change([](hooks::editor& e) -> modhook::expected<void, modhook::registration_error> {
    if (auto placed = e.place("saml", {.where = modhook::position::first}); !placed) return placed;
    if (auto loaded = e.load<provider<hooks>>("saml", "saml", true); !loaded) return modhook::unexpected(loaded.error());
    return e.unload("audit");
  });
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message() ==
        "modhook: module \"saml\": the callback auth.check_password takes one implementation, and module \"ldap\" "
        "has it");
  CHECK(logins(h) == std::vector<std::string>{"audit", "ldap"}); // the change left nothing
}

TEST_CASE("exclusive: a qsbr registry refuses a second implementation as the live registry does") {
  using hooks = modhook::qsbr_registry<auth>;
  hooks h;
  REQUIRE(h.load<provider<hooks>>("ldap", "ldap", true));
  const auto refused = h.load<provider<hooks>>("saml", "saml", true);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().reason == modhook::registration_error::kind::exclusive_callback);
  CHECK(refused.error().module == "saml");
  CHECK(h.modules().size() == 1);
}
