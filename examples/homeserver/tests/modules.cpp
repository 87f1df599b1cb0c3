// Unit tests of the reference host's modules and web resources: each module loaded from its
// shared library alone into a registry, dispatched to directly (each dispatch run to its end
// on an io_context).

#include "censor_stub.hpp"
#include "run.hpp"

#include "module_support.hpp"

#include <modhook/shared_module.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace homeserver;
using homeserver::test::censor_stub;
using homeserver::test::run;

namespace {

// Where the build puts the modules' libraries (HOMESERVER_MODULES_DIR, from CMake).
std::string library_of(std::string_view module) { return HOMESERVER_MODULES_DIR "/" + std::string(module) + ".so"; }

modhook::expected<modhook::module_ref, modhook::registration_error>
load(hooks& registry, std::string_view module, const json& config, module_services& services) {
  return modhook::load_shared<const json&, module_services&>(registry, "under_test", library_of(module), config,
                                                             services);
}

// One module in a registry of its own, with a web server and a captured log. Declared so that
// what holds the module's code (its web handlers, the failures its exceptions are in) goes
// before the registry, which closes the library after the module.
struct harness {
  hooks registry;
  std::vector<std::string> logged;
  module_services services;
  web_resources web;
  std::vector<modhook::failure<>> failures;

  harness(std::string_view module, const json& config, http_fetcher fetch = {})
      : services(
            "under_test", web, [this](const std::string& line) { logged.push_back(line); }, std::move(fetch)) {
    REQUIRE(registry.on_failure([this](const modhook::failure<>& f) { failures.push_back(f); }));
    auto loaded = load(registry, module, config, services);
    if (!loaded) FAIL(loaded.error().message());
    web.seal();
  }
};

json object(std::initializer_list<std::pair<const std::string, json>> members) {
  json out = json::object();
  for (const auto& [key, value] : members) out[key] = value;
  return out;
}
json strings(std::initializer_list<const char*> items) {
  json out = json::array();
  for (const char* item : items) out.push_back(item);
  return out;
}
event message(std::string body) {
  return event{"$1", "!r:example.com", "@u:example.com", "m.room.message", std::nullopt, object({{"body", body}})};
}
std::string body_of(const json& content) { return content.at("body").get<std::string>(); }

// The body a web resource answers with, or the status when it is not 200.
std::string served(const web_resources& web, std::string_view path) {
  const auto* resource = web.find(path);
  REQUIRE(resource != nullptr);
  const web_response r = run(resource->handler(web_request{"GET", ""}));
  return r.status == 200 ? r.body : std::to_string(r.status);
}

std::string load_error(std::string_view module, const json& config) {
  hooks registry;
  web_resources web;
  module_services services{"under_test", web, [](const std::string&) {}};
  auto loaded = load(registry, module, config, services);
  REQUIRE_FALSE(loaded);
  CHECK(registry.modules().empty());
  return loaded.error().message();
}

} // namespace

json censor_config() { return object({{"endpoint", "http://127.0.0.1:7777/censor"}, {"timeout_ms", 250}}); }

TEST_CASE("event_censorer posts each message to its service and replaces the content with the answer") {
  censor_stub service;
  harness h("event_censorer", censor_config(), service.fetcher());
  const auto clean = run(h.registry.dispatch<&third_party_rules::check_event_allowed>(message("hello"), state_map{}));
  CHECK(clean.passed());
  const auto censored =
      run(h.registry.dispatch<&third_party_rules::check_event_allowed>(message("a darn day"), state_map{}));
  REQUIRE(censored.rejected());
  CHECK(censored.rejection().allowed);
  CHECK(body_of(*censored.rejection().replacement_content) == "a **** day");
  REQUIRE(service.received.size() == 2);
  CHECK(service.received[1] == R"(http://127.0.0.1:7777/censor {"content":{"body":"a darn day"},"event_id":"$1",)"
                               R"("room_id":"!r:example.com","sender":"@u:example.com","type":"m.room.message"})");
  CHECK(served(h.web, "/_synapse/client/censor/stats") == R"({"censored":1})");
  // Not a message: the service is not asked.
  event topic = message("darn");
  topic.type = "m.room.topic";
  CHECK(run(h.registry.dispatch<&third_party_rules::check_event_allowed>(topic, state_map{})).passed());
  CHECK(service.received.size() == 2);
}

TEST_CASE("event_censorer fails, and so the event is refused, when its service fails") {
  for (const auto how :
       {censor_stub::mode::refuses, censor_stub::mode::answers_garbage, censor_stub::mode::answers_500,
        censor_stub::mode::answers_deep, censor_stub::mode::answers_too_deep}) {
    censor_stub service;
    service.how = how;
    harness h("event_censorer", censor_config(), service.fetcher());
    const auto v =
        run(h.registry.dispatch<&third_party_rules::check_event_allowed>(message("a darn day"), state_map{}));
    CHECK(v.failed());
    CHECK_FALSE(v.rejected());
    REQUIRE(h.failures.size() == 1);
    CHECK(h.failures[0].module.name == "under_test");
    CHECK(served(h.web, "/_synapse/client/censor/stats") == R"({"censored":0})");
  }
}

TEST_CASE("event_censorer refuses a config without a valid endpoint or timeout, and leaves nothing registered") {
  CHECK_THAT(load_error("event_censorer", object({})),
             Catch::Contains("under_test") && Catch::Contains("needs 'endpoint'"));
  CHECK_THAT(load_error("event_censorer", object({{"endpoint", 7}})), Catch::Contains("'endpoint' must be a string"));
  CHECK_THAT(load_error("event_censorer", object({{"endpoint", "https://127.0.0.1/x"}})),
             Catch::Contains("'endpoint'") && Catch::Contains("not an http:// URL"));
  CHECK_THAT(load_error("event_censorer", object({{"endpoint", "http://censor.example/x"}})),
             Catch::Contains("not an IP address"));
  CHECK_THAT(load_error("event_censorer", object({{"endpoint", "http://127.0.0.1:1/x"}, {"timeout_ms", 0}})),
             Catch::Contains("'timeout_ms' must be from 1 to 60000"));
}

TEST_CASE("invite_blocker refuses blocked servers and email domains only") {
  harness h("invite_blocker", object({{"blocked_servers", strings({"spam.example"})},
                                      {"blocked_email_domains", strings({"spam.example"})}}));
  CHECK(run(h.registry.dispatch<&spam_checker::user_may_invite>(std::string("@a:x"), std::string("@b:example.com"),
                                                                std::string("!r:x")))
            .passed());
  CHECK(run(h.registry.dispatch<&spam_checker::user_may_invite>(std::string("@a:x"), std::string("@d:spam.example"),
                                                                std::string("!r:x")))
            .rejected());
  CHECK(run(h.registry.dispatch<&third_party_rules::check_threepid_can_be_invited>(
                std::string("email"), std::string("d@spam.example"), state_map{}))
            .rejected());
  CHECK(run(h.registry.dispatch<&third_party_rules::check_threepid_can_be_invited>(
                std::string("msisdn"), std::string("spam.example"), state_map{}))
            .passed());
  // Server names and domains are case-insensitive; an address's domain follows its last '@'.
  CHECK(run(h.registry.dispatch<&spam_checker::user_may_invite>(std::string("@a:x"), std::string("@d:SPAM.example"),
                                                                std::string("!r:x")))
            .rejected());
  CHECK(run(h.registry.dispatch<&third_party_rules::check_threepid_can_be_invited>(
                std::string("email"), std::string("\"a@b\"@Spam.Example"), state_map{}))
            .rejected());
}

TEST_CASE("room_guard forbids a room by throwing, tags the others, and protects listed rooms") {
  harness h("room_guard", object({{"forbidden_names", strings({"Scam"})},
                                  {"protected_rooms", strings({"!lobby:x"})},
                                  {"room_creators", strings({"@alice:x"})}}));
  json request = object({{"name", json("Scam")}});
  const auto forbidden =
      run(h.registry.dispatch<&third_party_rules::on_create_room>(requester{"@m:x"}, request, false));
  REQUIRE(forbidden.failed());
  CHECK(forbidden.first_failure()->threw());
  CHECK(h.failures.size() == 1);
  const auto by_admin =
      run(h.registry.dispatch<&third_party_rules::on_create_room>(requester{"@admin:x"}, request, true));
  CHECK(by_admin.ok());
  CHECK(request.at("creation_content").at("m.guard") == "guarded");
  json odd = object({{"creation_content", json("not an object")}});
  CHECK(run(h.registry.dispatch<&third_party_rules::on_create_room>(requester{"@a:x"}, odd, false)).ok());
  CHECK(odd.at("creation_content") == "not an object");
  CHECK(run(h.registry.dispatch<&third_party_rules::check_can_shutdown_room>(std::string("@a:x"),
                                                                             std::string("!lobby:x")))
            .rejected());
  CHECK(run(h.registry.dispatch<&third_party_rules::check_visibility_can_be_modified>(
                std::string("!lobby:x"), state_map{}, std::string("public")))
            .rejected());
  CHECK(run(h.registry.dispatch<&spam_checker::user_may_create_room>(std::string("@alice:x"))).passed());
  CHECK(run(h.registry.dispatch<&spam_checker::user_may_create_room>(std::string("@bob:x"))).rejected());
}

TEST_CASE("account_expiry knows listed and local users, and leaves the others to other modules") {
  harness h("account_expiry", object({{"server_name", json("example.com")},
                                      {"expired_users", strings({"@old:example.com"})},
                                      {"undeletable_users", strings({"@admin:example.com"})}}));
  auto expired = [&](const char* user) {
    return run(h.registry.dispatch<&account_validity::is_user_expired>(std::string(user)));
  };
  CHECK(*expired("@old:example.com") == true);
  CHECK(*expired("@new:example.com") == false);
  CHECK_FALSE(expired("@eve:remote.example").has_value());
  (void)run(h.registry.dispatch<&account_validity::on_user_registration>(std::string("@new:example.com")));
  CHECK(h.logged == std::vector<std::string>{"account_expiry: tracking @new:example.com (1 tracked)"});
  CHECK(run(h.registry.dispatch<&third_party_rules::check_can_deactivate_user>(std::string("@admin:example.com"), true))
            .rejected());
  const auto missing = load_error("account_expiry", object({}));
  CHECK_THAT(missing, Catch::Contains("needs 'server_name'"));
}

TEST_CASE("audit_logger writes a line per notification and serves its count") {
  harness h("audit_logger", object({{"prefix", json("log")}}));
  (void)run(h.registry.dispatch<&third_party_rules::on_new_event>(message("hi"), state_map{}));
  (void)run(h.registry.dispatch<&third_party_rules::on_threepid_bind>(std::string("@u:x"), std::string("email"),
                                                                      std::string("u@x")));
  (void)run(
      h.registry.dispatch<&third_party_rules::on_user_deactivation_status_changed>(std::string("@u:x"), true, false));
  (void)run(h.registry.dispatch<&third_party_rules::on_profile_update>(std::string("@u:x"), profile_info{"U", {}}, true,
                                                                       false));
  REQUIRE(h.logged.size() == 4);
  CHECK(h.logged[0] == "log: $1 m.room.message from @u:example.com in !r:example.com (0 state events)");
  CHECK(h.logged[1] == "log: @u:x bound email u@x");
  CHECK(served(h.web, "/_synapse/client/audit/count") == R"({"lines":4})");
}

TEST_CASE("flaky_module's failures: fail closed, fail open, and logged notifications") {
  harness h("flaky_module", object({}));
  const auto closed = run(h.registry.dispatch<&third_party_rules::check_event_allowed>(message("crash"), state_map{}));
  CHECK(closed.failed());
  CHECK_FALSE(closed.rejected());
  const auto open = run(h.registry.dispatch<&third_party_rules::check_can_deactivate_user>(std::string("@u:x"), false));
  CHECK(open.passed());
  CHECK(open.failure_count() == 1);
  const auto notified = run(h.registry.dispatch<&third_party_rules::on_new_event>(message("flood"), state_map{}));
  CHECK(notified.failure_count() == 1);
  CHECK(h.failures.size() == 3);
  CHECK(run(h.registry.dispatch<&spam_checker::check_event_for_spam>(message("buy now!"))).rejected());
  // Its claim on a path under /_matrix/client was refused and logged.
  CHECK(h.web.find("/_matrix/client/v3/flaky") == nullptr);
  REQUIRE(h.logged.size() == 1);
  CHECK_THAT(h.logged[0], Catch::Contains("paths under /_matrix/client belong to the homeserver"));
}

TEST_CASE("web resources: absolute paths only, /_matrix/client reserved, first claim kept, start-up only") {
  web_resources web;
  auto ok = [](web_request) -> boost::asio::awaitable<web_response> { co_return web_response{200, "ok"}; };
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
  CHECK(web.find("/_synapse/client/a")->module == "a");
  web.seal();
  CHECK(web.add("c", "/_synapse/client/c", ok).error().what == kind::after_startup);
  CHECK(served(web, "/_synapse/client/a") == "ok");
  CHECK(web.find("/_synapse/client/c") == nullptr);
}

TEST_CASE("json: the host writes valid UTF-8 whatever it is given") {
  const json j = object({{"b", 1}, {"a", "x\"y\xff"}});
  CHECK(dump(j) == "{\"a\":\"x\\\"y\xef\xbf\xbd\",\"b\":1}");
  CHECK(string_member(j, "a") != nullptr);
  CHECK(string_member(j, "b") == nullptr);
  CHECK(string_member(json(3), "a") == nullptr);
}
