// Unit tests of the reference host's modules, web resources and action script: each module
// loaded alone into a registry, dispatched to directly.

#include "modules/modules.hpp"
#include "script.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace homeserver;

namespace {

// One module in a registry of its own, with a web server and a captured log.
template <class Module>
struct harness {
  hooks registry;
  web_resources web;
  std::vector<std::string> logged;
  module_services services{"under_test", web, [this](const std::string& line) { logged.push_back(line); }};
  std::vector<modhook::failure<>> failures;

  explicit harness(const json& config) {
    REQUIRE(registry.on_failure([this](const modhook::failure<>& f) { failures.push_back(f); }));
    auto loaded = registry.template load<Module>("under_test", config, services);
    if (!loaded) FAIL(loaded.error().message());
    registry.seal();
    web.seal();
  }
};

json object(std::initializer_list<std::pair<const std::string, json>> members) {
  return json(json::object(members.begin(), members.end()));
}
json strings(std::initializer_list<const char*> items) {
  json::array out;
  for (const char* item : items) out.emplace_back(item);
  return json(std::move(out));
}
event message(std::string body) {
  return event{"$1", "!r:example.com", "@u:example.com", "m.room.message", std::nullopt, object({{"body", body}})};
}

std::string load_error(const json& config, auto load) {
  hooks registry;
  web_resources web;
  module_services services{"under_test", web, [](const std::string&) {}};
  auto loaded = load(registry, config, services);
  REQUIRE_FALSE(loaded);
  CHECK(registry.module_count() == 0);
  return loaded.error().message();
}

} // namespace

TEST_CASE("event_censorer replaces a message that contains a listed word and counts it") {
  harness<event_censorer> h(object({{"words", strings({"darn"})}}));
  const auto clean = h.registry.dispatch<&third_party_rules::check_event_allowed>(message("hello"), state_map{});
  CHECK(clean.passed());
  const auto censored = h.registry.dispatch<&third_party_rules::check_event_allowed>(message("a darn day"), state_map{});
  REQUIRE(censored.rejected());
  CHECK(censored.rejection().allowed);
  CHECK(censored.rejection().replacement_content->find("body")->as_string() == "a **** day");
  CHECK(h.web.handle("/_synapse/client/censor/stats", "")->body == "{\"censored\":1}");
}

TEST_CASE("event_censorer rejects a config without words, and leaves nothing registered") {
  const auto message = load_error(object({}), catalogue_entry_for<event_censorer>("under_test").load);
  CHECK_THAT(message, Catch::Contains("under_test") && Catch::Contains("non-empty 'words'"));
  const auto wrong_kind = load_error(object({{"words", json("darn")}}), catalogue_entry_for<event_censorer>("x").load);
  CHECK_THAT(wrong_kind, Catch::Contains("'words' must be a list of strings"));
  const auto empty_word = load_error(object({{"words", strings({"", "darn"})}}), catalogue_entry_for<event_censorer>("x").load);
  CHECK_THAT(empty_word, Catch::Contains("must not contain an empty word"));
}

TEST_CASE("invite_blocker refuses blocked servers and email domains only") {
  harness<invite_blocker> h(
      object({{"blocked_servers", strings({"spam.example"})}, {"blocked_email_domains", strings({"spam.example"})}}));
  CHECK(h.registry.dispatch<&spam_checker::user_may_invite>(std::string("@a:x"), std::string("@b:example.com"),
                                                            std::string("!r:x"))
            .passed());
  CHECK(h.registry.dispatch<&spam_checker::user_may_invite>(std::string("@a:x"), std::string("@d:spam.example"),
                                                            std::string("!r:x"))
            .rejected());
  CHECK(h.registry.dispatch<&third_party_rules::check_threepid_can_be_invited>(std::string("email"),
                                                                               std::string("d@spam.example"), state_map{})
            .rejected());
  CHECK(h.registry.dispatch<&third_party_rules::check_threepid_can_be_invited>(std::string("msisdn"),
                                                                               std::string("spam.example"), state_map{})
            .passed());
  // Server names and domains are case-insensitive; an address's domain follows its last '@'.
  CHECK(h.registry.dispatch<&spam_checker::user_may_invite>(std::string("@a:x"), std::string("@d:SPAM.example"),
                                                            std::string("!r:x"))
            .rejected());
  CHECK(h.registry.dispatch<&third_party_rules::check_threepid_can_be_invited>(
                       std::string("email"), std::string("\"a@b\"@Spam.Example"), state_map{})
            .rejected());
}

TEST_CASE("room_guard forbids a room by throwing, tags the others, and protects listed rooms") {
  harness<room_guard> h(object({{"forbidden_names", strings({"Scam"})},
                                {"protected_rooms", strings({"!lobby:x"})},
                                {"room_creators", strings({"@alice:x"})}}));
  json request = object({{"name", json("Scam")}});
  const auto forbidden = h.registry.dispatch<&third_party_rules::on_create_room>(requester{"@m:x"}, request, false);
  REQUIRE(forbidden.failed());
  CHECK(forbidden.first_failure()->threw());
  CHECK(h.failures.size() == 1);
  const auto by_admin = h.registry.dispatch<&third_party_rules::on_create_room>(requester{"@admin:x"}, request, true);
  CHECK(by_admin.ok());
  CHECK(request.find("creation_content")->find("m.guard")->as_string() == "guarded");
  json odd = object({{"creation_content", json("not an object")}});
  CHECK(h.registry.dispatch<&third_party_rules::on_create_room>(requester{"@a:x"}, odd, false).ok());
  CHECK(odd.find("creation_content")->as_string() == "not an object");
  CHECK(h.registry.dispatch<&third_party_rules::check_can_shutdown_room>(std::string("@a:x"), std::string("!lobby:x"))
            .rejected());
  CHECK(h.registry
            .dispatch<&third_party_rules::check_visibility_can_be_modified>(std::string("!lobby:x"), state_map{},
                                                                            std::string("public"))
            .rejected());
  CHECK(h.registry.dispatch<&spam_checker::user_may_create_room>(std::string("@alice:x")).passed());
  CHECK(h.registry.dispatch<&spam_checker::user_may_create_room>(std::string("@bob:x")).rejected());
}

TEST_CASE("account_expiry knows listed and local users, and leaves the others to other modules") {
  harness<account_expiry> h(object({{"server_name", json("example.com")},
                                    {"expired_users", strings({"@old:example.com"})},
                                    {"undeletable_users", strings({"@admin:example.com"})}}));
  auto expired = [&](const char* user) { return h.registry.dispatch<&account_validity::is_user_expired>(std::string(user)); };
  CHECK(*expired("@old:example.com") == true);
  CHECK(*expired("@new:example.com") == false);
  CHECK_FALSE(expired("@eve:remote.example").has_value());
  (void)h.registry.dispatch<&account_validity::on_user_registration>(std::string("@new:example.com"));
  CHECK(h.logged == std::vector<std::string>{"account_expiry: tracking @new:example.com (1 tracked)"});
  CHECK(h.registry.dispatch<&third_party_rules::check_can_deactivate_user>(std::string("@admin:example.com"), true)
            .rejected());
  const auto missing = load_error(object({}), catalogue_entry_for<account_expiry>("x").load);
  CHECK_THAT(missing, Catch::Contains("needs 'server_name'"));
}

TEST_CASE("audit_logger writes a line per notification and serves its count") {
  harness<audit_logger> h(object({{"prefix", json("log")}}));
  (void)h.registry.dispatch<&third_party_rules::on_new_event>(message("hi"), state_map{});
  (void)h.registry.dispatch<&third_party_rules::on_threepid_bind>(std::string("@u:x"), std::string("email"),
                                                                  std::string("u@x"));
  (void)h.registry.dispatch<&third_party_rules::on_user_deactivation_status_changed>(std::string("@u:x"), true, false);
  (void)h.registry.dispatch<&third_party_rules::on_profile_update>(std::string("@u:x"), profile_info{"U", {}}, true,
                                                                   false);
  REQUIRE(h.logged.size() == 4);
  CHECK(h.logged[0] == "log: $1 m.room.message from @u:example.com in !r:example.com (0 state events)");
  CHECK(h.logged[1] == "log: @u:x bound email u@x");
  CHECK(h.web.handle("/_synapse/client/audit/count", "")->body == "{\"lines\":4}");
}

TEST_CASE("flaky_module's failures: fail closed, fail open, and logged notifications") {
  harness<flaky_module> h(object({}));
  const auto closed = h.registry.dispatch<&third_party_rules::check_event_allowed>(message("crash"), state_map{});
  CHECK(closed.failed());
  CHECK_FALSE(closed.rejected());
  const auto open = h.registry.dispatch<&third_party_rules::check_can_deactivate_user>(std::string("@u:x"), false);
  CHECK(open.passed());
  CHECK(open.failure_count() == 1);
  const auto notified = h.registry.dispatch<&third_party_rules::on_new_event>(message("flood"), state_map{});
  CHECK(notified.failure_count() == 1);
  CHECK(h.failures.size() == 3);
  CHECK(h.registry.dispatch<&spam_checker::check_event_for_spam>(message("buy now!")).rejected());
  // Its claim on a path under /_matrix/client was refused and logged.
  CHECK_FALSE(h.web.owner("/_matrix/client/v3/flaky"));
  REQUIRE(h.logged.size() == 1);
  CHECK_THAT(h.logged[0], Catch::Contains("paths under /_matrix/client belong to the homeserver"));
}

TEST_CASE("web resources: absolute paths only, /_matrix/client reserved, first claim kept, start-up only") {
  web_resources web;
  auto ok = [](std::string_view) { return web_response{200, "ok"}; };
  using kind = web_resource_error::kind;
  CHECK(web.add("a", "/_synapse/client/a", ok));
  CHECK(web.add("a", "relative/path", ok).error().what == kind::relative_path);
  CHECK(web.add("a", "/_matrix/client", ok).error().what == kind::reserved_path);
  CHECK(web.add("a", "/_matrix/client/v3/x", ok).error().what == kind::reserved_path);
  CHECK(web.add("a", "/_matrix/clientele", ok)); // only the /_matrix/client tree is reserved
  const auto duplicate = web.add("b", "/_synapse/client/a", ok);
  REQUIRE_FALSE(duplicate);
  CHECK(duplicate.error().message() ==
        "module 'b' cannot register '/_synapse/client/a': already registered by module 'a'");
  CHECK(*web.owner("/_synapse/client/a") == "a");
  web.seal();
  CHECK(web.add("c", "/_synapse/client/c", ok).error().what == kind::after_startup);
  CHECK(web.handle("/_synapse/client/a", "")->body == "ok");
  CHECK_FALSE(web.handle("/_synapse/client/c", ""));
}

TEST_CASE("the action script: positionals, quoted options, flags, comments and errors") {
  const auto a = parse_action(R"(send @u:x !r:x m.room.message body="say \"hi\" now" +admin)", 3);
  REQUIRE(a);
  CHECK(a->line == 3);
  CHECK(a->verb == "send");
  CHECK(a->args == std::vector<std::string>{"@u:x", "!r:x", "m.room.message"});
  CHECK(a->option("body") == "say \"hi\" now");
  CHECK(a->flag("admin"));
  CHECK(parse_action("  # a comment", 1)->verb.empty());
  CHECK(parse_action("", 1)->verb.empty());
  CHECK_FALSE(parse_action(R"(send body="unterminated)", 1));
  CHECK_FALSE(parse_action(R"(send "a"b)", 1));            // a quoted value runs into a word
  CHECK_FALSE(parse_action("body=x send", 1));             // no verb
  CHECK_FALSE(parse_action("+admin send", 1));
  CHECK_FALSE(parse_action(R"("" send)", 1));
  const auto crlf = parse_action("request @u:x +admin\r", 1); // CRLF line ends read the same
  REQUIRE(crlf);
  CHECK(crlf->args == std::vector<std::string>{"@u:x"});
  CHECK(crlf->flag("admin"));
  CHECK(synthetic_actions(50, 7).size() == 52);
  CHECK(synthetic_actions(50, 7)[10].args == synthetic_actions(50, 7)[10].args);
}

TEST_CASE("json: sorted keys, escapes, equality") {
  json j = object({{"b", json(1)}, {"a", json("x\"y")}});
  j["c"]["d"] = json(true);
  CHECK(j.dump() == R"({"a":"x\"y","b":1,"c":{"d":true}})");
  const json copy = j;
  CHECK(j == copy);
  CHECK(j.find("missing") == nullptr);
  json text("x");
  CHECK_THROWS_AS(text["key"], std::logic_error);
}
