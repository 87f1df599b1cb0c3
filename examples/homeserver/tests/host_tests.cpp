// Unit tests of the reference host's Matrix API (host.cpp), without HTTP: requests go to
// host::handle directly, each run to its end on an io_context of its own.

#include "test_host.hpp"

#include <modhook/detail/fingerprint.hpp>

#include <algorithm>
#include <cstddef>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>


// ---- Registration -----------------------------------------------------------------------------

TEST_CASE("host: start-up lines are printed once every module loaded, register runs on_user_registration") {
  test_host h;
  // What the modules said while loading, printed once start-up ended.
  CHECK(h.log_lines() == std::vector<std::string>{
                             "web resource refused: module 'flaky_module' cannot register '/_matrix/client/v3/flaky': "
                             "paths under /_matrix/client belong to the homeserver",
                             "web resource refused: module 'audit_logger' cannot register "
                             "'/_synapse/client/audit/count': already registered by module 'flaky_module'"});

  const auto r = h.anonymous("POST", api("/register"), R"({"auth": {"type": "m.login.dummy"}, "username": "alice"})");
  CHECK(summary(r) == "200");
  const json answer = json::parse(r.body);
  CHECK(answer.at("user_id") == alice);
  CHECK(answer.at("home_server") == "example.com");
  const std::string token = answer.at("access_token").get<std::string>();
  CHECK_FALSE(token.empty());
  CHECK(h.lines_starting("account_expiry:") ==
        std::vector<std::string>{"account_expiry: tracking @alice:example.com (1 tracked)"});
  // The token it answered authenticates alice.
  const auto me = h.ask(token, "GET", whoami);
  CHECK(summary(me) == "200");
  CHECK(json::parse(me.body).at("user_id") == alice);
  const std::string device = json::parse(me.body).at("device_id").get<std::string>();
  CHECK(device == answer.at("device_id"));
  CHECK(device.size() == 10);
  CHECK(std::all_of(device.begin(), device.end(), [](char c) { return c >= 'A' && c <= 'Z'; }));
  // 256 random bits, base64url: nothing of the name or of a count.
  CHECK(token.starts_with("syt_"));
  CHECK(token.size() == 4 + 43);
  CHECK(token.find("alice") == std::string::npos);

  CHECK(h.register_user("bob") == bob);
  CHECK(h.tokens.at(bob) != token);
  CHECK(h.lines_starting("account_expiry:") ==
        std::vector<std::string>{"account_expiry: tracking @alice:example.com (1 tracked)",
                                 "account_expiry: tracking @bob:example.com (2 tracked)"});
  CHECK(json::parse(h.ask(h.tokens.at(bob), "GET", whoami).body).at("user_id") == bob);
  CHECK(h.metric("modhook_callback_passes_total", "account_validity::on_user_registration") == "2");
}

TEST_CASE("host: login opens a session of its own, logout ends only it, a bad password is refused as an unknown user") {
  test_host h;
  const std::string registered = h.tokens[h.register_user("alice")];
  const auto flows = h.anonymous("GET", api("/login"));
  CHECK(summary(flows) == "200");
  CHECK(flows.body == R"({"flows":[{"type":"m.login.password"}]})");

  // By name, by user id, and by the older top-level "user".
  std::vector<std::string> tokens{registered};
  for (const auto& body :
       {dump(json{{"type", "m.login.password"}, {"identifier", {{"type", "m.id.user"}, {"user", "alice"}}},
                  {"password", h.password_of("alice")}}),
        dump(json{{"type", "m.login.password"}, {"identifier", {{"type", "m.id.user"}, {"user", alice}}},
                  {"password", h.password_of("alice")}}),
        dump(json{{"type", "m.login.password"}, {"user", "alice"}, {"password", h.password_of("alice")}})}) {
    INFO(body);
    const auto r = h.anonymous("POST", api("/login"), body);
    REQUIRE(summary(r) == "200");
    const json answer = json::parse(r.body);
    CHECK(answer.at("user_id") == alice);
    CHECK(answer.at("home_server") == "example.com");
    const std::string token = answer.at("access_token").get<std::string>();
    CHECK(std::find(tokens.begin(), tokens.end(), token) == tokens.end());
    const auto me = h.ask(token, "GET", whoami);
    CHECK(json::parse(me.body).at("device_id") == answer.at("device_id"));
    tokens.push_back(token);
  }
  // One answer for a wrong password, an unknown user, and a user without a password.
  CHECK(summary(h.anonymous("POST", api("/register"), R"({"auth": {"type": "m.login.dummy"}, "username": "nopass"})")) == "200");
  for (const auto& [user, password] :
       {std::pair<std::string, std::string>{"alice", "wrong"}, {"alice", ""}, {"nobody", "x"}, {"nopass", ""}}) {
    INFO(user << " / '" << password << "'");
    const auto r = h.login(user, password);
    CHECK(summary(r) == "403 M_FORBIDDEN");
    CHECK(message_of(r) == "invalid user name or password");
  }
  CHECK(summary(h.anonymous("POST", api("/login"), R"({"type": "m.login.token", "token": "x"})")) == "400 M_UNKNOWN");
  CHECK(summary(h.anonymous("POST", api("/login"), R"({"type": "m.login.password", "password": "x"})")) ==
        "400 M_MISSING_PARAM");
  CHECK(summary(h.anonymous("POST", api("/register"),
                            dump(json{{"auth", dummy_auth()}, {"username", "long"}, {"password", std::string(513, 'p')}}))) ==
        "400 M_INVALID_PARAM");

  // Logout ends the session it is sent with, and no other.
  CHECK(summary(h.ask(tokens[1], "POST", api("/logout"))) == "200");
  CHECK(summary(h.ask(tokens[1], "GET", whoami)) == "401 M_UNKNOWN_TOKEN");
  CHECK(summary(h.ask(tokens[1], "POST", api("/logout"))) == "401 M_UNKNOWN_TOKEN");
  for (const auto& kept : {tokens[0], tokens[2], tokens[3]}) CHECK(summary(h.ask(kept, "GET", whoami)) == "200");
}

TEST_CASE("host: an admin is made from the config: registering the name is refused, the password logs in") {
  test_host h;
  const auto claimed = h.anonymous("POST", api("/register"), R"({"auth": {"type": "m.login.dummy"}, "username": "admin", "password": "mine now"})");
  CHECK(summary(claimed) == "400 M_USER_IN_USE");
  CHECK(message_of(claimed) == "@admin:example.com is taken");
  CHECK(summary(h.login("admin", "mine now")) == "403 M_FORBIDDEN");
  const auto login = h.login("admin", "the admin's password");
  REQUIRE(summary(login) == "200");
  const std::string token = json::parse(login.body).at("access_token").get<std::string>();
  // The admin API answers the admin (404: no such room), and no one else.
  CHECK(summary(h.ask(token, "DELETE", "/_synapse/admin/v1/rooms/!none:example.com")) == "404 M_NOT_FOUND");
  const std::string alice_token = h.tokens[h.register_user("alice")];
  CHECK(summary(h.ask(alice_token, "DELETE", "/_synapse/admin/v1/rooms/!none:example.com")) == "403 M_FORBIDDEN");
  CHECK(h.calls("account_validity::on_user_registration") == "1"); // alice's
}

TEST_CASE("host: register refuses a taken, invalid, missing or ill-typed user name, asking no module") {
  test_host h;
  const std::string alice_token = h.tokens[h.register_user("alice")];

  const auto taken = h.anonymous("POST", api("/register"), R"({"auth": {"type": "m.login.dummy"}, "username": "alice"})");
  CHECK(summary(taken) == "400 M_USER_IN_USE");
  CHECK(message_of(taken) == "@alice:example.com is taken");
  // alice keeps her account and token.
  CHECK(json::parse(h.ask(alice_token, "GET", whoami).body).at("user_id") == alice);

  for (const auto& name : {std::string("Alice"), std::string("al ice"), std::string(""), std::string("al@ce"),
                           std::string("alice:example.com"), std::string(65, 'a')}) {
    INFO("username '" << name << "'");
    CHECK(summary(h.anonymous("POST", api("/register"), dump(json{{"auth", dummy_auth()}, {"username", name}}))) == "400 M_INVALID_USERNAME");
  }
  // The longest name and every allowed character.
  CHECK(h.register_user(std::string(64, 'a')) == "@" + std::string(64, 'a') + ":example.com");
  CHECK(h.register_user("a.b_c=d-e/f9") == "@a.b_c=d-e/f9:example.com");

  CHECK(summary(h.anonymous("POST", api("/register"), R"({"auth": {"type": "m.login.dummy"}})")) == "400 M_MISSING_PARAM");
  CHECK(message_of(h.anonymous("POST", api("/register"), R"({"auth": {"type": "m.login.dummy"}, "user": "carol"})")) == "missing 'username'");
  for (const char* body : {R"({"auth": {"type": "m.login.dummy"}, "username": 7})", R"({"auth": {"type": "m.login.dummy"}, "username": null})", R"({"auth": {"type": "m.login.dummy"}, "username": ["carol"]})"}) {
    INFO(body);
    const auto r = h.anonymous("POST", api("/register"), body);
    CHECK(summary(r) == "400 M_BAD_JSON");
    CHECK(message_of(r) == "'username' has the wrong type");
  }
  // Only the three registrations were announced to the modules.
  CHECK(h.calls("account_validity::on_user_registration") == "3");
  CHECK(h.lines_starting("account_expiry:").size() == 3);
}

// ---- Authentication ---------------------------------------------------------------------------

TEST_CASE("host: a request without a token or with an unknown one is 401, and no module is asked") {
  test_host h;
  const std::string token = h.tokens[h.register_user("alice")];

  CHECK(summary(h.anonymous("GET", whoami)) == "401 M_MISSING_TOKEN");
  CHECK(message_of(h.anonymous("GET", whoami)) == "missing access token");
  CHECK(summary(h.send({"GET", whoami, "", "Basic " + token, ""})) == "401 M_MISSING_TOKEN");
  CHECK(summary(h.send({"GET", whoami, "", token, ""})) == "401 M_MISSING_TOKEN"); // no scheme
  const auto unknown = h.ask("syt_nobody_9", "GET", whoami);
  CHECK(summary(unknown) == "401 M_UNKNOWN_TOKEN");
  CHECK(message_of(unknown) == "unrecognised access token");
  CHECK(summary(h.ask(token + "x", "GET", whoami)) == "401 M_UNKNOWN_TOKEN");
  CHECK(summary(h.send({"GET", whoami, "", "Bearer ", ""})) == "401 M_UNKNOWN_TOKEN");
  const auto create = h.anonymous("POST", api("/createRoom"), R"({"room_alias_name": "lobby"})");
  CHECK(summary(create) == "401 M_MISSING_TOKEN");
  CHECK(h.calls("account_validity::is_user_expired") == "0");
  CHECK(h.calls("spam_checker::user_may_create_room") == "0");
  // The room was not made: alice may take the alias.
  CHECK(summary(h.create_room(alice, "lobby", "Lobby")) == "200");
}

TEST_CASE("host: an expired account gets 403 ORG_MATRIX_EXPIRED_ACCOUNT on every authenticated route") {
  test_host h;
  h.populate();
  const std::string expired = "403 ORG_MATRIX_EXPIRED_ACCOUNT decided:account_expiry";

  const auto me = h.as(mallory, "GET", whoami);
  CHECK(summary(me) == expired);
  CHECK(message_of(me) == "the account has expired");
  CHECK(summary(h.create_room(mallory, "mall", "Mall")) == expired);
  CHECK(summary(h.say(mallory, lobby, "hello")) == expired);
  CHECK(summary(h.as(mallory, "PUT", api("/profile/@mallory:example.com/displayname"), R"({"displayname": "M"})")) ==
        expired);
  CHECK(summary(h.ask(h.tokens.at(mallory), "POST", "/_matrix/media/v3/upload?filename=a.png", "png", "image/png")) ==
        expired);
  // Nothing she asked for happened.
  CHECK(summary(h.as(alice, "GET", room_api("!mall:example.com", "/state/m.room.create"))) == "404 M_NOT_FOUND");
  CHECK(h.event_audit_lines().empty());
  CHECK(h.lines_starting("audit: profile").empty());
  CHECK(h.censor.received.empty());
  // A valid local account is not refused.
  CHECK(summary(h.as(alice, "GET", whoami)) == "200");
  CHECK(h.metric("modhook_callback_rejections_total", "account_validity::is_user_expired") == "5");
}

// ---- Rooms ------------------------------------------------------------------------------------

TEST_CASE("host: createRoom keeps on_create_room's edit of the request in the m.room.create state") {
  test_host h;
  h.register_user("alice");
  const auto created =
      h.as(alice, "POST", api("/createRoom"),
           R"({"room_alias_name": "lobby", "name": "Lobby", "creation_content": {"m.federate": false}})");
  CHECK(summary(created) == "200");
  CHECK(created.body == R"({"room_id":"!lobby:example.com"})");
  const auto state = h.as(alice, "GET", room_api(lobby, "/state/m.room.create"));
  CHECK(summary(state) == "200");
  CHECK(state.body == R"({"creator":"@alice:example.com","m.federate":false,"m.guard":"guarded-by-room_guard"})");
  // The same state event, with the empty state key given by a trailing slash.
  CHECK(h.as(alice, "GET", room_api(lobby, "/state/m.room.create/")).body == state.body);

  CHECK(summary(h.create_room(alice, "plain", "Plain")) == "200");
  CHECK(h.as(alice, "GET", room_api("!plain:example.com", "/state/m.room.create")).body ==
        R"({"creator":"@alice:example.com","m.guard":"guarded-by-room_guard"})");
}

TEST_CASE("host: createRoom with a forbidden name is refused by room_guard and leaves no room, an admin may") {
  test_host h;
  h.populate();
  const auto refused = h.create_room(trent, "scam", "Crypto Giveaway");
  CHECK(summary(refused) == "403 M_FORBIDDEN decided:room_guard");
  CHECK(message_of(refused) == "room name 'Crypto Giveaway' is not allowed for @trent:example.com");
  const auto state = h.as(alice, "GET", room_api("!scam:example.com", "/state/m.room.create"));
  CHECK(summary(state) == "404 M_NOT_FOUND");
  CHECK(message_of(state) == "unknown room !scam:example.com");
  CHECK(summary(h.say(trent, "!scam:example.com", "hello")) == "404 M_NOT_FOUND");

  // An admin may (populate() made !giveaway so); and the refused alias is free.
  CHECK(h.as(admin, "GET", room_api(giveaway, "/state/m.room.create")).body ==
        R"({"creator":"@admin:example.com","m.guard":"guarded-by-room_guard"})");
  const auto by_admin = h.create_room(admin, "scam", "Crypto Giveaway");
  CHECK(summary(by_admin) == "200");
  CHECK(by_admin.body == R"({"room_id":"!scam:example.com"})");
}

TEST_CASE("host: createRoom names the room after room_alias_name, a taken or malformed alias is refused") {
  test_host h;
  h.populate();
  const auto taken = h.create_room(bob, "lobby", "Mine");
  CHECK(summary(taken) == "400 M_ROOM_IN_USE");
  CHECK(message_of(taken) == "!lobby:example.com exists");
  CHECK(h.calls("spam_checker::user_may_create_room") == "2"); // populate()'s two rooms only

  const auto unnamed = h.as(alice, "POST", api("/createRoom"), "{}");
  REQUIRE(summary(unnamed) == "200");
  const std::string id = json::parse(unnamed.body).at("room_id").get<std::string>();
  CHECK(id.starts_with("!r"));
  CHECK(id.ends_with(":example.com"));
  CHECK(id.size() > std::string_view("!r:example.com").size());
  CHECK(id.substr(2, id.size() - 2 - std::string_view(":example.com").size()).find_first_not_of("0123456789") ==
        std::string::npos);
  CHECK(summary(h.as(alice, "GET", room_api(id, "/state/m.room.create"))) == "200");

  for (const char* body : {R"({"room_alias_name": "Bad Alias"})", R"({"room_alias_name": ""})"}) {
    INFO(body);
    CHECK(summary(h.as(alice, "POST", api("/createRoom"), body)) == "400 M_INVALID_PARAM");
  }
  CHECK(summary(h.as(alice, "POST", api("/createRoom"), R"({"room_alias_name": 5})")) == "400 M_BAD_JSON");
  const auto odd = h.as(alice, "POST", api("/createRoom"), R"({"room_alias_name": "odd", "creation_content": "x"})");
  CHECK(summary(odd) == "400 M_BAD_JSON");
  CHECK(message_of(odd) == "'creation_content' must be an object");
  CHECK(summary(h.as(alice, "GET", room_api("!odd:example.com", "/state/m.room.create"))) == "404 M_NOT_FOUND");
}

TEST_CASE("host: createRoom is refused by user_may_create_room before on_create_room is asked") {
  test_host h({entry("room_guard", {{"room_creators", strings({"@alice:example.com"})}}, 2),
               entry("account_expiry", account_expiry_config(), 5)});
  h.register_user("alice");
  h.register_user("bob");
  const auto refused = h.create_room(bob, "bobs", "Bob's");
  CHECK(summary(refused) == "403 M_FORBIDDEN decided:room_guard");
  CHECK(message_of(refused) == "room creation refused by module 'room_guard'");
  CHECK(h.calls("third_party_rules::on_create_room") == "0");
  CHECK(summary(h.as(alice, "GET", room_api("!bobs:example.com", "/state/m.room.create"))) == "404 M_NOT_FOUND");
  CHECK(summary(h.create_room(alice, "alices", "Alice's")) == "200");
  CHECK(h.calls("third_party_rules::on_create_room") == "1");
}

// ---- Events -----------------------------------------------------------------------------------

TEST_CASE("host: a message is stored, readable, and announced with the room's state") {
  test_host h;
  h.populate();
  const auto sent = h.say(alice, lobby, "hello everyone");
  CHECK(summary(sent) == "200");
  const std::string id = event_id_of(sent);
  const auto read = h.as(bob, "GET", room_api(lobby, "/event/" + id));
  CHECK(summary(read) == "200");
  json event = json::parse(read.body);
  CHECK(event.at("origin_server_ts").is_number_unsigned());
  event.erase("origin_server_ts");
  CHECK(event.dump() == R"({"content":{"body":"hello everyone","msgtype":"m.text"},"event_id":")" + id +
                            R"(","room_id":"!lobby:example.com","sender":"@alice:example.com","type":"m.room.message",)"
                            R"("unsigned":{"age":0}})");
  CHECK(h.event_audit_lines() == std::vector<std::string>{audit_of_message(id, alice, lobby, 4)});
  REQUIRE(h.censor.received.size() == 1);
  CHECK(json::parse(h.censor.body(0)).at("event_id") == id);
  // Not in another room, and no other id.
  CHECK(summary(h.as(admin, "GET", room_api(giveaway, "/event/" + id))) == "404 M_NOT_FOUND");
  CHECK(summary(h.as(bob, "GET", room_api(lobby, "/event/$999"))) == "404 M_NOT_FOUND");
}

TEST_CASE("host: spam is refused with the spam checker's reason, and not stored") {
  test_host h;
  h.populate();
  const auto spam = h.say(trent, lobby, "buy now, cheap watches");
  CHECK(summary(spam) == "403 M_FORBIDDEN decided:flaky_module");
  CHECK(message_of(spam) == "looks like an advert");
  CHECK(h.censor.received.empty()); // check_event_allowed was not asked
  const int last = event_number(h.say(alice, lobby, "after"));
  CHECK(h.stored_bodies(alice, lobby, last) == std::vector<std::string>{"after"});
  CHECK(h.event_audit_lines() ==
        std::vector<std::string>{audit_of_message("$" + std::to_string(last), alice, lobby, 4)});
}

TEST_CASE("host: the censor's replacement is stored, and the answer names event_censorer") {
  test_host h;
  h.populate();
  const auto censored = h.say(alice, lobby, "what a darn day");
  CHECK(summary(censored) == "200 decided:event_censorer");
  const auto read = h.as(alice, "GET", room_api(lobby, "/event/" + event_id_of(censored)));
  CHECK(json::parse(read.body).at("content").dump() == R"({"body":"what a **** day","msgtype":"m.text"})");
  CHECK(h.event_audit_lines() == std::vector<std::string>{audit_of_message(event_id_of(censored), alice, lobby, 4)});
  // A message the censor leaves alone is decided by nobody.
  const auto clean = h.say(alice, lobby, "a fine day");
  CHECK(summary(clean) == "200");
  CHECK(
      json::parse(h.as(alice, "GET", room_api(lobby, "/event/" + event_id_of(clean))).body).at("content").at("body") ==
      "a fine day");
}

TEST_CASE("host: a failing censor service refuses the event (500): not stored, not announced") {
  struct failing {
    censor_stub::mode how;
    const char* logged;
  };
  for (const auto& [how, logged] :
       {failing{censor_stub::mode::refuses, "http://127.0.0.1:7777/censor: connection refused"},
        failing{censor_stub::mode::answers_garbage,
                "http://127.0.0.1:7777/censor: the censor service's answer is not JSON"},
        failing{censor_stub::mode::answers_deep,
                "http://127.0.0.1:7777/censor: the censor service's answer nests deeper than 32 levels"},
        failing{censor_stub::mode::answers_too_deep,
                "http://127.0.0.1:7777/censor: the censor service's answer nests deeper than 32 levels"},
        failing{censor_stub::mode::answers_500, "http://127.0.0.1:7777/censor: the censor service answered 500"}}) {
    INFO(logged);
    test_host h;
    h.populate();
    h.censor.how = how;
    const auto r = h.say(alice, lobby, "what a darn day");
    CHECK(summary(r) == "500 M_UNKNOWN failed:event_censorer");
    CHECK(message_of(r) == "the event was not accepted: module 'event_censorer' failed");
    CHECK(h.censor.received.size() == 1);
    CHECK(h.lines_starting("! ") ==
          std::vector<std::string>{std::string("! event_censorer failed in third_party_rules::check_event_allowed: ") +
                                   logged});
    CHECK(h.event_audit_lines().empty()); // on_new_event was not called
    // A state event that is not a message does not go to the service: it is accepted.
    CHECK(summary(h.as(alice, "PUT", room_api(lobby, "/state/m.room.topic"), R"({"topic": "t"})")) == "200");

    h.censor.how = censor_stub::mode::masks;
    const auto later = h.say(alice, lobby, "back again");
    CHECK(summary(later) == "200");
    const int last = event_number(later);
    CHECK(h.stored_bodies(alice, lobby, last) == std::vector<std::string>{"back again"});
    CHECK(h.event_audit_lines().size() == 2); // the topic and the last message
    CHECK(h.event_audit_lines().back() == audit_of_message(event_id_of(later), alice, lobby, 5));
  }
}

TEST_CASE("host: flaky_module crashing in check_event_allowed fails closed, naming it") {
  test_host h;
  h.populate();
  const auto r = h.say(bob, lobby, "crash the rules engine");
  CHECK(summary(r) == "500 M_UNKNOWN failed:flaky_module");
  CHECK(message_of(r) == "the event was not accepted: module 'flaky_module' failed");
  CHECK(h.lines_starting("! ") ==
        std::vector<std::string>{
            "! flaky_module failed in third_party_rules::check_event_allowed: rules engine crashed"});
  CHECK(h.censor.received.empty()); // the modules after it were not asked
  CHECK(h.event_audit_lines().empty());
  const int last = event_number(h.say(bob, lobby, "fine"));
  CHECK(h.stored_bodies(bob, lobby, last) == std::vector<std::string>{"fine"});
}

TEST_CASE("host: a failing on_new_event does not undo the event: 200, naming flaky_module as failed") {
  test_host h;
  h.populate();
  const auto r = h.say(bob, lobby, "flood the notification queue");
  CHECK(summary(r) == "200 failed:flaky_module");
  const auto read = h.as(bob, "GET", room_api(lobby, "/event/" + event_id_of(r)));
  CHECK(summary(read) == "200");
  CHECK(json::parse(read.body).at("content").at("body") == "flood the notification queue");
  CHECK(h.lines_starting("! ") ==
        std::vector<std::string>{"! flaky_module failed in third_party_rules::on_new_event: notification queue full"});
  // The other modules were notified all the same.
  CHECK(h.event_audit_lines() == std::vector<std::string>{audit_of_message(event_id_of(r), bob, lobby, 4)});
}

TEST_CASE("host: state events: the state key from the path, empty when absent or after a trailing slash") {
  test_host h;
  h.populate();
  const auto topic = h.as(alice, "PUT", room_api(lobby, "/state/m.room.topic"), R"({"topic": "Welcome"})");
  CHECK(summary(topic) == "200");
  CHECK(h.as(alice, "GET", room_api(lobby, "/state/m.room.topic")).body == R"({"topic":"Welcome"})");
  const json read = json::parse(h.as(alice, "GET", room_api(lobby, "/event/" + event_id_of(topic))).body);
  CHECK(read.at("state_key") == "");
  CHECK(read.at("type") == "m.room.topic");

  const auto again = h.as(alice, "PUT", room_api(lobby, "/state/m.room.topic/"), R"({"topic": "Again"})");
  CHECK(summary(again) == "200");
  CHECK(json::parse(h.as(alice, "GET", room_api(lobby, "/event/" + event_id_of(again))).body).at("state_key") == "");
  // The same state (type, ""): replaced, whichever way it is read.
  CHECK(h.as(alice, "GET", room_api(lobby, "/state/m.room.topic")).body == R"({"topic":"Again"})");
  CHECK(h.as(alice, "GET", room_api(lobby, "/state/m.room.topic/")).body == R"({"topic":"Again"})");

  // Membership is not sent as state: join, leave and invite keep its rules.
  const auto member =
      h.as(alice, "PUT", room_api(lobby, "/state/m.room.member/@mallory:example.com"), R"({"membership": "join"})");
  CHECK(summary(member) == "403 M_FORBIDDEN");
  CHECK(message_of(member) == "m.room.member events are sent by the server (see join, leave and invite)");
  CHECK(summary(h.as(alice, "PUT", room_api(lobby, "/state/m.room.create"), "{}")) == "403 M_FORBIDDEN");
  CHECK(h.as(bob, "GET", room_api(lobby, "/state/m.room.member/@bob:example.com")).body ==
        R"({"displayname":"bob","membership":"join"})");
  CHECK(summary(h.as(bob, "GET", room_api(lobby, "/state/m.room.member"))) == "404 M_NOT_FOUND");

  // on_new_event sees the state with the new event in it.
  CHECK(h.lines_starting("audit: $") ==
        std::vector<std::string>{
            "audit: " + event_id_of(topic) + " m.room.topic from @alice:example.com in " + lobby + " (5 state events)",
            "audit: " + event_id_of(again) + " m.room.topic from @alice:example.com in " + lobby + " (5 state events)"});

  // A message event of a state type, sent with /send/, is not state.
  const auto not_state = h.as(alice, "PUT", room_api(lobby, "/send/m.room.topic/t1"), R"({"topic": "Sent"})");
  CHECK(summary(not_state) == "200");
  CHECK_FALSE(
      json::parse(h.as(alice, "GET", room_api(lobby, "/event/" + event_id_of(not_state))).body).contains("state_key"));
  CHECK(h.as(alice, "GET", room_api(lobby, "/state/m.room.topic")).body == R"({"topic":"Again"})");

  // Which route matched decides, not what the target contains: "/state/" in a query string or
  // as an event type does not make a message a state event.
  for (const std::string path : {"/send/m.room.message/t2?via=/state/", "/send/state/t3"}) {
    const auto message = h.as(alice, "PUT", room_api(lobby, path), R"({"body": "hello"})");
    CHECK(summary(message) == "200");
    CHECK_FALSE(
        json::parse(h.as(alice, "GET", room_api(lobby, "/event/" + event_id_of(message))).body).contains("state_key"));
  }
  CHECK(summary(h.as(alice, "GET", room_api(lobby, "/state/m.room.message/t2"))) == "404 M_NOT_FOUND");
  CHECK(summary(h.as(alice, "GET", room_api(lobby, "/state/state/t3"))) == "404 M_NOT_FOUND");
}

TEST_CASE("host: an event for an unknown room is 404 M_NOT_FOUND, asking no module") {
  test_host h;
  h.populate();
  const auto r = h.say(alice, "!nowhere:example.com", "lost");
  CHECK(summary(r) == "404 M_NOT_FOUND");
  CHECK(message_of(r) == "unknown room !nowhere:example.com");
  CHECK(summary(h.as(alice, "PUT", room_api("!nowhere:example.com", "/state/m.room.topic"), R"({"topic": "x"})")) ==
        "404 M_NOT_FOUND");
  CHECK(h.new_calls("spam_checker::check_event_for_spam") == 0);
  CHECK(h.new_calls("third_party_rules::check_event_allowed") == 0);
  CHECK(h.censor.received.empty());
  CHECK(summary(h.as(alice, "GET", room_api("!nowhere:example.com", "/state/m.room.create"))) == "404 M_NOT_FOUND");
}

// ---- Metrics ----------------------------------------------------------------------------------

TEST_CASE("host: metrics count each callback's dispatches, passes, rejections and failures exactly") {
  test_host h(shipped_modules(""));
  h.register_user("alice");
  h.register_user("mallory");
  REQUIRE(summary(h.create_room(alice, "lobby", "Lobby")) == "200");
  REQUIRE(summary(h.say(alice, lobby, "hello")) == "200");
  REQUIRE(summary(h.say(alice, lobby, "a darn day")) == "200 decided:event_censorer"); // a replacement
  REQUIRE(summary(h.say(alice, lobby, "crash")) == "500 M_UNKNOWN failed:flaky_module");
  h.censor.how = censor_stub::mode::refuses;
  REQUIRE(summary(h.say(alice, lobby, "hello again")) == "500 M_UNKNOWN failed:event_censorer");
  h.censor.how = censor_stub::mode::masks;
  REQUIRE(summary(h.say(alice, lobby, "buy now")) == "403 M_FORBIDDEN decided:flaky_module");
  REQUIRE(summary(h.say(alice, lobby, "flood")) == "200 failed:flaky_module");
  REQUIRE(summary(h.as(mallory, "GET", whoami)) == "403 ORG_MATRIX_EXPIRED_ACCOUNT decided:account_expiry");
  REQUIRE(summary(h.anonymous("GET", whoami)) == "401 M_MISSING_TOKEN");

  const auto r = h.metrics_answer();
  CHECK(r.status == 200);
  CHECK(r.content_type == "text/plain; version=0.0.4");
  CHECK(header(r, "X-Modhook-Decided-By").empty());
  CHECK(header(r, "X-Modhook-Failed").empty());

  // callback: calls, passes, rejections, failures.
  const std::map<std::string, std::vector<std::string>> expected{
      {"spam_checker::check_event_for_spam", {"6", "5", "1", "0"}},
      {"spam_checker::user_may_invite", {"0", "0", "0", "0"}},
      {"spam_checker::user_may_create_room", {"1", "1", "0", "0"}},
      {"spam_checker::check_media_file_for_spam", {"0", "0", "0", "0"}},
      {"account_validity::is_user_expired", {"8", "7", "1", "0"}},
      {"account_validity::on_user_registration", {"2", "2", "0", "0"}},
      // The replacement passes; the two failures are failures, not rejections.
      {"third_party_rules::check_event_allowed", {"6", "4", "0", "2"}}, // the creator's join too
      {"third_party_rules::on_create_room", {"1", "1", "0", "0"}},
      {"third_party_rules::check_threepid_can_be_invited", {"0", "0", "0", "0"}},
      {"third_party_rules::check_visibility_can_be_modified", {"0", "0", "0", "0"}},
      {"third_party_rules::check_can_shutdown_room", {"0", "0", "0", "0"}},
      {"third_party_rules::check_can_deactivate_user", {"0", "0", "0", "0"}},
      {"third_party_rules::on_new_event", {"4", "3", "0", "1"}},
      {"third_party_rules::on_profile_update", {"0", "0", "0", "0"}},
      {"third_party_rules::on_user_deactivation_status_changed", {"0", "0", "0", "0"}},
      {"third_party_rules::on_threepid_bind", {"0", "0", "0", "0"}},
  };
  const char* families[] = {"modhook_callback_calls_total", "modhook_callback_passes_total",
                            "modhook_callback_rejections_total", "modhook_callback_failures_total"};
  std::map<std::string, std::vector<std::string>> actual;
  std::vector<std::string> listed; // the callbacks of the first family, in order
  std::istringstream in(r.body);
  for (std::string line; std::getline(in, line);) {
    for (std::size_t f = 0; f < 4; ++f) {
      const std::string prefix = std::string(families[f]) + "{callback=\"";
      if (!line.starts_with(prefix)) continue;
      const auto end = line.find("\"} ", prefix.size());
      REQUIRE(end != std::string::npos);
      const std::string callback = line.substr(prefix.size(), end - prefix.size());
      auto& values = actual[callback];
      values.resize(4);
      values[f] = line.substr(end + 3);
      if (f == 0) listed.push_back(callback);
    }
  }
  CHECK(actual == expected);
  CHECK(listed == std::vector<std::string>{
                      "spam_checker::check_event_for_spam", "spam_checker::user_may_invite",
                      "spam_checker::user_may_create_room", "spam_checker::check_media_file_for_spam",
                      "account_validity::is_user_expired", "account_validity::on_user_registration",
                      "third_party_rules::check_event_allowed", "third_party_rules::on_create_room",
                      "third_party_rules::check_threepid_can_be_invited",
                      "third_party_rules::check_visibility_can_be_modified",
                      "third_party_rules::check_can_shutdown_room", "third_party_rules::check_can_deactivate_user",
                      "third_party_rules::on_new_event", "third_party_rules::on_profile_update",
                      "third_party_rules::on_user_deactivation_status_changed", "third_party_rules::on_threepid_bind"});
  // Reading the metrics dispatches nothing.
  CHECK(h.calls("account_validity::is_user_expired") == "8");
}

TEST_CASE("host: the dispatch-latency histogram is cumulative and its +Inf bucket is the count") {
  test_host h(shipped_modules(""));
  h.register_user("alice");
  REQUIRE(summary(h.create_room(alice, "lobby", "Lobby")) == "200");
  for (const char* said : {"one", "two", "a darn three", "crash", "four"}) (void)h.say(alice, lobby, said);
  const std::string text = h.metrics();
  CHECK_THAT(text, Catch::Contains("# TYPE modhook_callback_dispatch_seconds histogram\n"));
  for (const std::string_view callback_name :
       {"third_party_rules::check_event_allowed", "account_validity::is_user_expired",
        "third_party_rules::on_new_event", "spam_checker::user_may_invite"}) {
    const std::string callback(callback_name);
    INFO(callback);
    const auto b = buckets(text, callback);
    REQUIRE(b.size() == 13);
    CHECK(b.back().first == "+Inf");
    for (std::size_t i = 1; i < b.size(); ++i) CHECK(b[i - 1].second <= b[i].second);
    const std::string count_key = "modhook_callback_dispatch_seconds_count{callback=\"" + callback + "\"} ";
    const auto at = text.find(count_key);
    REQUIRE(at != std::string::npos);
    const auto count = std::stoull(text.substr(at + count_key.size()));
    CHECK(b.back().second == count);
    CHECK(std::to_string(count) == h.calls(callback));
    CHECK(text.find("modhook_callback_dispatch_seconds_sum{callback=\"" + callback + "\"} ") != std::string::npos);
  }
  CHECK(buckets(text, "third_party_rules::check_event_allowed").back().second == 6);
  CHECK(buckets(text, "account_validity::is_user_expired").back().second == 6);
  CHECK(buckets(text, "third_party_rules::on_new_event").back().second == 5);
  CHECK(buckets(text, "spam_checker::user_may_invite").back().second == 0);
}

// ---- Invites, the directory, shutdown ----------------------------------------------------------

TEST_CASE("host: invites by user id ask user_may_invite, invite_blocker refuses blocked servers") {
  test_host h;
  h.populate();
  const auto invite = [&](const char* body) { return h.as(alice, "POST", room_api(lobby, "/invite"), body); };
  const auto ok = invite(R"({"user_id": "@mallory:example.com"})");
  CHECK(summary(ok) == "200");
  CHECK(ok.body == "{}");
  CHECK(h.as(alice, "GET", room_api(lobby, "/state/m.room.member/@mallory:example.com")).body ==
        R"({"membership":"invite"})");
  for (const char* body : {R"({"user_id": "@dave:spam.example"})", R"({"user_id": "@dave:SPAM.Example"})"}) {
    INFO(body);
    const auto refused = invite(body);
    CHECK(summary(refused) == "403 M_FORBIDDEN decided:invite_blocker");
    CHECK(message_of(refused) == "invite refused by module 'invite_blocker'");
  }
  CHECK(summary(invite(R"({"user_id": 5})")) == "400 M_BAD_JSON");
  CHECK(summary(h.as(alice, "POST", room_api("!nowhere:example.com", "/invite"),
                     R"({"user_id": "@bob:example.com"})")) == "404 M_NOT_FOUND");
  CHECK(h.new_calls("spam_checker::user_may_invite") == 3);
  CHECK(h.new_calls("third_party_rules::check_threepid_can_be_invited") == 0);
}

TEST_CASE("host: third-party invites ask check_threepid_can_be_invited, blocked e-mail domains are refused") {
  test_host h;
  h.populate();
  const auto invite = [&](const char* body) { return h.as(alice, "POST", room_api(lobby, "/invite"), body); };
  CHECK(summary(invite(R"({"id_server": "id.example.com", "medium": "email", "address": "carol@example.com"})")) ==
        "200");
  const auto refused = invite(R"({"id_server": "id.example.com", "medium": "email", "address": "dave@spam.example"})");
  CHECK(summary(refused) == "403 M_FORBIDDEN decided:invite_blocker");
  CHECK(message_of(refused) == "third-party invite refused by module 'invite_blocker'");
  CHECK(summary(invite(R"({"medium": "msisdn", "address": "spam.example"})")) == "200");
  CHECK(summary(invite(R"({"id_server": "id.example.com"})")) == "400 M_MISSING_PARAM");
  CHECK(message_of(invite(R"({"medium": "email"})")) == "missing 'address'");
  CHECK(summary(invite(R"({"medium": 1, "address": "a@b"})")) == "400 M_BAD_JSON");
  CHECK(h.calls("third_party_rules::check_threepid_can_be_invited") == "3");
  CHECK(h.new_calls("spam_checker::user_may_invite") == 0);
}

TEST_CASE("host: room visibility: room_guard keeps protected rooms private") {
  test_host h;
  h.populate();
  const auto directory = [&](const std::string& room, const char* body) {
    return h.as(alice, "PUT", api("/directory/list/room/") + room, body);
  };
  const auto ok = directory(giveaway, R"({"visibility": "public"})");
  CHECK(summary(ok) == "200");
  CHECK(ok.body == "{}");
  const auto refused = directory(lobby, R"({"visibility": "public"})");
  CHECK(summary(refused) == "403 M_FORBIDDEN decided:room_guard");
  CHECK(message_of(refused) == "visibility change refused by module 'room_guard'");
  CHECK(summary(directory(lobby, R"({"visibility": "private"})")) == "200");
  CHECK(h.calls("third_party_rules::check_visibility_can_be_modified") == "3");
  CHECK(summary(directory(lobby, R"({"visibility": "secret"})")) == "400 M_INVALID_PARAM");
  CHECK(summary(directory(lobby, "{}")) == "400 M_MISSING_PARAM");
  CHECK(summary(directory(lobby, R"({"visibility": true})")) == "400 M_BAD_JSON");
  CHECK(summary(directory("!nowhere:example.com", R"({"visibility": "public"})")) == "404 M_NOT_FOUND");
  CHECK(h.calls("third_party_rules::check_visibility_can_be_modified") == "3");
}

TEST_CASE("host: room shutdown is for admins (403 before any module is asked), room_guard protects the lobby") {
  test_host h;
  h.populate();
  const auto not_admin = h.as(alice, "DELETE", "/_synapse/admin/v1/rooms/" + lobby);
  CHECK(summary(not_admin) == "403 M_FORBIDDEN");
  CHECK(message_of(not_admin) == "@alice:example.com is not a server admin");
  CHECK(h.calls("third_party_rules::check_can_shutdown_room") == "0");

  const auto protected_room = h.as(admin, "DELETE", "/_synapse/admin/v1/rooms/" + lobby);
  CHECK(summary(protected_room) == "403 M_FORBIDDEN decided:room_guard");
  CHECK(message_of(protected_room) == "shutdown refused by module 'room_guard'");
  CHECK(summary(h.say(alice, lobby, "still here")) == "200");

  const auto before = h.say(admin, giveaway, "before the shutdown");
  REQUIRE(summary(before) == "200");
  REQUIRE(summary(h.as(admin, "GET", room_api(giveaway, "/event/" + event_id_of(before)))) == "200");
  const auto shut = h.as(admin, "DELETE", "/_synapse/admin/v1/rooms/" + giveaway);
  CHECK(summary(shut) == "200");
  CHECK(shut.body == R"({"kicked_users":["@admin:example.com"],"local_aliases":[]})");
  CHECK(summary(h.say(admin, giveaway, "anyone?")) == "404 M_NOT_FOUND");
  CHECK(summary(h.as(admin, "GET", room_api(giveaway, "/state/m.room.create"))) == "404 M_NOT_FOUND");
  CHECK(summary(h.as(admin, "DELETE", "/_synapse/admin/v1/rooms/" + giveaway)) == "404 M_NOT_FOUND");
  CHECK(h.calls("third_party_rules::check_can_shutdown_room") == "2");
  // Its events went with it.
  CHECK(summary(h.as(admin, "GET", room_api(giveaway, "/event/" + event_id_of(before)))) == "404 M_NOT_FOUND");
  // Its id is free again.
  CHECK(summary(h.create_room(admin, "giveaway", "Giveaway")) == "200");
}

// ---- Profiles, deactivation, third-party ids ------------------------------------------------------

TEST_CASE("host: profile updates by the user and by an admin reach on_profile_update, others are refused") {
  test_host h;
  h.populate();
  CHECK(summary(h.as(alice, "PUT", api("/profile/@alice:example.com/displayname"), R"({"displayname": "Alice"})")) ==
        "200");
  const auto by_admin =
      h.as(admin, "PUT", api("/profile/@bob:example.com/avatar_url"), R"({"avatar_url": "mxc://example.com/bob"})");
  CHECK(summary(by_admin) == "200");
  CHECK(by_admin.body == "{}");
  CHECK(summary(h.as(admin, "PUT", api("/profile/@admin:example.com/displayname"), R"({"displayname": "Boss"})")) ==
        "200");
  // alice's avatar keeps the display name she set.
  CHECK(summary(h.as(alice, "PUT", api("/profile/@alice:example.com/avatar_url"), R"({"avatar_url": "mxc://a"})")) ==
        "200");

  const auto other = h.as(alice, "PUT", api("/profile/@bob:example.com/displayname"), R"({"displayname": "Bobby"})");
  CHECK(summary(other) == "403 M_FORBIDDEN");
  CHECK(message_of(other) == "cannot change the profile of @bob:example.com");
  CHECK(summary(h.as(admin, "PUT", api("/profile/@nobody:example.com/displayname"), R"({"displayname": "N"})")) ==
        "404 M_NOT_FOUND");
  CHECK(summary(h.as(alice, "PUT", api("/profile/@alice:example.com/displayname"), "{}")) == "400 M_MISSING_PARAM");
  CHECK(summary(h.as(alice, "PUT", api("/profile/@alice:example.com/displayname"), R"({"displayname": 3})")) ==
        "400 M_BAD_JSON");
  CHECK(summary(h.as(alice, "PUT", api("/profile/@alice:example.com/avatar_url"), R"({"displayname": "A"})")) ==
        "400 M_MISSING_PARAM");

  CHECK(h.lines_starting("audit: profile") ==
        std::vector<std::string>{"audit: profile of @alice:example.com is now 'Alice'",
                                 "audit: profile of @bob:example.com is now 'bob' (by an admin)",
                                 "audit: profile of @admin:example.com is now 'Boss'",
                                 "audit: profile of @alice:example.com is now 'Alice'"});
}

TEST_CASE("host: deactivation: account_expiry refuses undeletable users, flaky_module fails open") {
  test_host h;
  h.populate();
  const auto refused = h.as(admin, "POST", api("/account/deactivate"), "{}");
  CHECK(summary(refused) == "403 M_FORBIDDEN decided:account_expiry failed:flaky_module");
  CHECK(message_of(refused) == "deactivation of @admin:example.com refused by module 'account_expiry'");
  CHECK(summary(h.as(admin, "GET", whoami)) == "200");
  CHECK(h.lines_starting("audit: @").empty());

  const auto done = h.as(bob, "POST", api("/account/deactivate"), "{}");
  CHECK(summary(done) == "200 failed:flaky_module");
  CHECK(done.body == R"({"id_server_unbind_result":"success"})");
  CHECK(h.lines_starting("! ") ==
        std::vector<std::string>{"! flaky_module failed in third_party_rules::check_can_deactivate_user: directory "
                                 "unavailable while checking @admin:example.com",
                                 "! flaky_module failed in third_party_rules::check_can_deactivate_user: directory "
                                 "unavailable while checking @bob:example.com"});
  CHECK(h.lines_starting("audit: ") ==
        std::vector<std::string>{"audit: profile of @bob:example.com is now '' (deactivation)",
                                 "audit: @bob:example.com deactivated"});

  // A deactivated user's tokens are deleted, as Synapse deletes them: unknown on any route.
  const auto gone = h.as(bob, "GET", whoami);
  CHECK(summary(gone) == "401 M_UNKNOWN_TOKEN");
  CHECK(message_of(gone) == "unrecognised access token");
  CHECK(summary(h.say(bob, lobby, "hello?")) == "401 M_UNKNOWN_TOKEN");
  CHECK(summary(h.as(bob, "POST", api("/account/deactivate"), "{}")) == "401 M_UNKNOWN_TOKEN");
  // And the password no longer logs in: deactivation deleted it.
  const auto login = h.login("bob", h.password_of("bob"));
  CHECK(summary(login) == "403 M_FORBIDDEN");
  CHECK(message_of(login) == "invalid user name or password");
  // Fail open: flaky_module's failures are counted, and did not decide.
  CHECK(h.calls("third_party_rules::check_can_deactivate_user") == "2");
  CHECK(h.metric("modhook_callback_passes_total", "third_party_rules::check_can_deactivate_user") == "1");
  CHECK(h.metric("modhook_callback_rejections_total", "third_party_rules::check_can_deactivate_user") == "1");
  CHECK(h.metric("modhook_callback_failures_total", "third_party_rules::check_can_deactivate_user") == "2");
}

TEST_CASE("host: the admin API deactivates and reactivates users, only admins may use it") {
  test_host h;
  h.populate();
  const std::string v2_bob = "/_synapse/admin/v2/users/" + bob;
  const auto deactivated = h.as(admin, "POST", "/_synapse/admin/v1/deactivate/" + bob, "{}");
  CHECK(summary(deactivated) == "200 failed:flaky_module");
  const std::string old_token = h.tokens.at(bob);
  CHECK(summary(h.as(bob, "GET", whoami)) == "401 M_UNKNOWN_TOKEN");
  const auto twice = h.as(admin, "POST", "/_synapse/admin/v1/deactivate/" + bob, "{}");
  CHECK(summary(twice) == "400 M_UNKNOWN");
  CHECK(message_of(twice) == "@bob:example.com is already deactivated");

  const auto not_admin = h.as(alice, "PUT", v2_bob, R"({"deactivated": false})");
  CHECK(summary(not_admin) == "403 M_FORBIDDEN");
  CHECK(message_of(not_admin) == "@alice:example.com is not a server admin");
  CHECK(summary(h.as(alice, "POST", "/_synapse/admin/v1/deactivate/" + trent, "{}")) == "403 M_FORBIDDEN");
  CHECK(summary(h.as(trent, "GET", whoami)) == "200");

  CHECK(summary(h.as(admin, "PUT", v2_bob, "{}")) == "400 M_MISSING_PARAM");
  CHECK(summary(h.as(admin, "PUT", v2_bob, R"({"deactivated": "no"})")) == "400 M_BAD_JSON");
  CHECK(summary(h.as(admin, "PUT", "/_synapse/admin/v2/users/@nobody:example.com", R"({"deactivated": false})")) ==
        "404 M_NOT_FOUND");
  // Reactivation needs a new password: deactivation deleted the old one.
  const auto without_password = h.as(admin, "PUT", v2_bob, R"({"deactivated": false})");
  CHECK(summary(without_password) == "400 M_MISSING_PARAM");
  CHECK(message_of(without_password) == "reactivating @bob:example.com needs a new 'password' (1 to 512 bytes)");
  const auto reactivated = h.as(admin, "PUT", v2_bob, R"({"deactivated": false, "password": "bob, again"})");
  CHECK(summary(reactivated) == "200");
  CHECK(reactivated.body == "{}");
  // Reactivation does not bring the deleted tokens back, nor the old password; the new one
  // logs in.
  CHECK(summary(h.ask(old_token, "GET", whoami)) == "401 M_UNKNOWN_TOKEN");
  CHECK(summary(h.login("bob", h.password_of("bob"))) == "403 M_FORBIDDEN");
  const auto login = h.login("bob", "bob, again");
  REQUIRE(summary(login) == "200");
  const std::string new_token = json::parse(login.body).at("access_token").get<std::string>();
  CHECK(new_token != old_token);
  CHECK(json::parse(h.ask(new_token, "GET", whoami).body).at("user_id") == bob);
  const auto active = h.as(admin, "PUT", v2_bob, R"({"deactivated": false})");
  CHECK(summary(active) == "400 M_UNKNOWN");
  CHECK(message_of(active) == "@bob:example.com is not deactivated");

  // {"deactivated": true} deactivates, as an admin; the undeletable admin stays.
  CHECK(summary(h.as(admin, "PUT", "/_synapse/admin/v2/users/" + trent, R"({"deactivated": true})")) ==
        "200 failed:flaky_module");
  CHECK(summary(h.as(trent, "GET", whoami)) == "401 M_UNKNOWN_TOKEN");
  CHECK(summary(h.as(admin, "POST", "/_synapse/admin/v1/deactivate/" + admin, "{}")) ==
        "403 M_FORBIDDEN decided:account_expiry failed:flaky_module");

  CHECK(h.lines_starting("audit: ") ==
        std::vector<std::string>{"audit: profile of @bob:example.com is now '' (by an admin) (deactivation)",
                                 "audit: @bob:example.com deactivated by an admin",
                                 "audit: @bob:example.com reactivated by an admin",
                                 "audit: profile of @trent:example.com is now '' (by an admin) (deactivation)",
                                 "audit: @trent:example.com deactivated by an admin"});
}

TEST_CASE("host: a third-party id bind reaches on_threepid_bind") {
  test_host h;
  h.populate();
  const auto bound =
      h.as(alice, "POST", api("/account/3pid/bind"), R"({"medium": "email", "address": "alice@example.com"})");
  CHECK(summary(bound) == "200");
  CHECK(bound.body == "{}");
  CHECK(summary(h.as(alice, "POST", api("/account/3pid/bind"), R"({"medium": "email"})")) == "400 M_MISSING_PARAM");
  CHECK(summary(h.as(alice, "POST", api("/account/3pid/bind"), R"({"medium": 1, "address": "a@b"})")) ==
        "400 M_BAD_JSON");
  CHECK(h.lines_starting("audit: ") ==
        std::vector<std::string>{"audit: @alice:example.com bound email alice@example.com"});
  CHECK(h.calls("third_party_rules::on_threepid_bind") == "1");
}

TEST_CASE("host: uploads: the content type and file name reach check_media_file_for_spam") {
  test_host h;
  h.populate();
  const auto upload = [&](const std::string& user_id, const std::string& query, const std::string& type,
                          const std::string& bytes) {
    return h.ask(h.tokens.at(user_id), "POST", "/_matrix/media/v3/upload" + query, bytes, type);
  };
  const auto cat = upload(alice, "?filename=cat.png", "image/png", "meow");
  CHECK(summary(cat) == "200");
  CHECK(json::parse(cat.body).at("content_uri").get<std::string>().starts_with("mxc://example.com/m"));

  const auto exe = upload(trent, "?filename=setup.exe", "application/x-msdownload", "MZ");
  CHECK(summary(exe) == "403 M_FORBIDDEN decided:flaky_module");
  CHECK(message_of(exe) == "upload refused by module 'flaky_module'");
  CHECK(summary(upload(trent, "?filename=setup.exe", "", "MZ")) == "200"); // application/octet-stream

  const auto empty = upload(bob, "?filename=empty.txt", "text/plain", "");
  CHECK(summary(empty) == "500 M_UNKNOWN failed:flaky_module");
  CHECK(message_of(empty) == "the upload was not stored: module 'flaky_module' failed");
  CHECK(summary(upload(bob, "?x=1&filename=my%20notes.txt", "text/plain", "")) == "500 M_UNKNOWN failed:flaky_module");
  CHECK(summary(upload(bob, "", "text/plain", "")) == "500 M_UNKNOWN failed:flaky_module");
  const std::string failed =
      "! flaky_module failed in spam_checker::check_media_file_for_spam: cannot scan an empty upload ";
  CHECK(h.lines_starting("! ") ==
        std::vector<std::string>{failed + "(empty.txt)", failed + "(my notes.txt)", failed + "()"});

  const auto bad_query = upload(alice, "?filename=%zz", "image/png", "meow");
  CHECK(summary(bad_query) == "400 M_UNKNOWN");
  CHECK(message_of(bad_query) == "malformed query string");
  // Counted as the answers went: the empty uploads are failures, not rejections.
  CHECK(h.calls("spam_checker::check_media_file_for_spam") == "6");
  CHECK(h.metric("modhook_callback_passes_total", "spam_checker::check_media_file_for_spam") == "2");
  CHECK(h.metric("modhook_callback_rejections_total", "spam_checker::check_media_file_for_spam") == "1");
  CHECK(h.metric("modhook_callback_failures_total", "spam_checker::check_media_file_for_spam") == "3");
}

// ---- Routing ----------------------------------------------------------------------------------

TEST_CASE("host: routing: a known path with the wrong method is 405, an unknown path 404") {
  test_host h;
  h.populate();
  const auto get_register = h.anonymous("GET", api("/register"));
  CHECK(summary(get_register) == "405 M_UNRECOGNIZED");
  CHECK(message_of(get_register) == "GET is not allowed on /_matrix/client/v3/register");
  CHECK(summary(h.as(alice, "PUT", whoami, "{}")) == "405 M_UNRECOGNIZED");
  CHECK(summary(h.as(alice, "DELETE", room_api(lobby, "/send/m.room.message/t1"))) == "405 M_UNRECOGNIZED");
  // The metrics are not on the clients' port (the metrics listener serves them).
  CHECK(summary(h.anonymous("GET", "/_synapse/metrics")) == "404 M_UNRECOGNIZED");
  CHECK(summary(run(h.server.handle_metrics(http::request{"POST", "/_synapse/metrics", "", "", ""}))) ==
        "405 M_UNRECOGNIZED");
  CHECK(summary(run(h.server.handle_metrics(http::request{"GET", "/_matrix/client/versions", "", "", ""}))) ==
        "404 M_UNRECOGNIZED");
  CHECK(summary(h.anonymous("DELETE", api("/createRoom"))) == "405 M_UNRECOGNIZED"); // before authentication

  // A path no route has is 404 even when it holds a bad percent-escape.
  CHECK(summary(h.as(alice, "GET", room_api("%zz", "/nonsense"))) == "404 M_UNRECOGNIZED");
  const auto unknown = h.as(alice, "GET", api("/nothing?a=b"));
  CHECK(summary(unknown) == "404 M_UNRECOGNIZED");
  CHECK(message_of(unknown) == "unrecognized request: /_matrix/client/v3/nothing");
  CHECK(summary(h.as(alice, "GET", room_api(lobby, "/state/m.room.create/x/y"))) == "404 M_UNRECOGNIZED");
  CHECK(summary(h.anonymous("GET", "/")) == "404 M_UNRECOGNIZED");
  CHECK(h.new_calls("account_validity::is_user_expired") == 0);
}

TEST_CASE("host: a JSON route refuses a body that is not JSON (M_NOT_JSON) or not an object (M_BAD_JSON)") {
  test_host h;
  h.populate();
  for (const char* body : {"{", "", "{\"username\": }", "alice"}) {
    INFO("body '" << body << "'");
    const auto r = h.anonymous("POST", api("/register"), body);
    CHECK(summary(r) == "400 M_NOT_JSON");
    CHECK(message_of(r) == "the request body is not JSON");
  }
  for (const char* body : {"[1, 2]", "\"alice\"", "null", "7"}) {
    INFO("body '" << body << "'");
    const auto r = h.anonymous("POST", api("/register"), body);
    CHECK(summary(r) == "400 M_BAD_JSON");
    CHECK(message_of(r) == "the request body must be a JSON object");
  }
  CHECK(summary(h.as(alice, "POST", api("/createRoom"), "{")) == "400 M_NOT_JSON");
  CHECK(summary(h.as(alice, "PUT", room_api(lobby, "/send/m.room.message/t1"), "[]")) == "400 M_BAD_JSON");
  // A route without a JSON body ignores it.
  CHECK(summary(h.as(alice, "GET", whoami, "{")) == "200");
  CHECK(h.calls("account_validity::on_user_registration") == "4"); // populate()'s; the admin is made, not registered
  CHECK(h.calls("spam_checker::check_event_for_spam") == "0");
}

// `levels` nested levels in all: an object whose "deep" member is arrays inside arrays, beside
// `fields` (which the route reads).
std::string nested(int levels, json fields = json::object()) {
  std::string inner = levels > 1 ? std::string(static_cast<std::size_t>(levels - 1), '[') +
                                       std::string(static_cast<std::size_t>(levels - 1), ']')
                                 : "0";
  fields["deep"] = "@";
  std::string text = dump(fields);
  return text.replace(text.find("\"@\""), 3, inner);
}

TEST_CASE("host: every JSON route takes a body nested 31 levels and refuses one deeper with 400 M_BAD_JSON") {
  test_host h;
  h.populate();
  // Each JSON route, with the fields that let it go on at the bound.
  struct route {
    std::string user, method, target;
    json fields;
  };
  const std::vector<route> routes = {
      {"", "POST", api("/register"), {{"auth", dummy_auth()}, {"username", "deep"}}},
      {alice, "POST", api("/createRoom"), {{"room_alias_name", "deep"}}},
      {alice, "PUT", room_api(lobby, "/send/m.room.message/deep"), {{"msgtype", "m.text"}, {"body", "hi"}}},
      {alice, "PUT", room_api(lobby, "/state/m.room.topic"), {{"topic", "deep"}}},
      {alice, "PUT", room_api(lobby, "/state/m.room.topic/key"), {{"topic", "deep"}}},
      {alice, "POST", room_api(lobby, "/invite"), {{"user_id", bob}}},
      {alice, "PUT", api("/directory/list/room/") + lobby, {{"visibility", "private"}}},
      {alice, "PUT", api("/profile/") + alice + "/displayname", {{"displayname", "Alice"}}},
      {alice, "PUT", api("/profile/") + alice + "/avatar_url", {{"avatar_url", "mxc://a/b"}}},
      {alice, "POST", api("/account/3pid/bind"), {{"medium", "email"}, {"address", "a@example.org"}}},
      {admin, "PUT", "/_synapse/admin/v2/users/" + bob, {{"deactivated", false}}},
      {admin, "POST", "/_synapse/admin/v1/deactivate/" + trent, json::object()},
      {h.register_user("dora"), "POST", api("/account/deactivate"), json::object()}, // last: it ends dora's session
  };
  for (const auto& r : routes) {
    INFO(r.method << " " << r.target);
    const auto ask = [&](const std::string& body) {
      return r.user.empty() ? h.anonymous(r.method, r.target, body) : h.as(r.user, r.method, r.target, body);
    };
    for (const int levels : {max_json_depth, 1000, 100'000}) {
      const auto refused = ask(nested(levels, r.fields));
      CHECK(summary(refused) == "400 M_BAD_JSON");
      CHECK(message_of(refused) == "the request body nests deeper than 31 levels");
    }
    const auto taken = ask(nested(max_json_depth - 1, r.fields));
    CHECK(message_of(taken).find("deeper") == std::string::npos);
    CHECK(taken.status < 500);
  }
  // A message at the bound is stored and read back whole: its event nests 32 levels.
  const auto sent = h.say(alice, lobby, "plain");
  REQUIRE(summary(sent) == "200");
  const auto at_bound = h.as(alice, "PUT", room_api(lobby, "/send/m.room.message/bound"),
                             nested(max_json_depth - 1, {{"msgtype", "m.text"}, {"body", "deep"}}));
  REQUIRE(summary(at_bound) == "200");
  const auto read = h.as(alice, "GET", room_api(lobby, "/event/" + event_id_of(at_bound)));
  REQUIRE(read.status == 200);
  const auto event = read_json(read.body);
  REQUIRE(event);
  CHECK(event.value.at("content").at("deep").dump() ==
        std::string(max_json_depth - 2, '[') + std::string(max_json_depth - 2, ']'));
}

TEST_CASE("host: a JSON body with a key twice in one object, or a NUL byte, is refused with 400 M_NOT_JSON") {
  test_host h;
  h.populate();
  const auto twice = h.as(alice, "POST", api("/createRoom"), R"({"name": "a", "visibility": {"x": 1, "x": 2}})");
  CHECK(summary(twice) == "400 M_NOT_JSON");
  CHECK(message_of(twice) == "the request body gives the key 'x' twice in one object");
  // The same key in two objects is fine.
  CHECK(summary(h.as(alice, "POST", api("/createRoom"), R"({"a": {"x": 1}, "b": {"x": 2}})")) == "200");
  const auto nul = h.as(alice, "POST", api("/createRoom"), std::string("{}\0garbage", 10));
  CHECK(summary(nul) == "400 M_NOT_JSON");
  CHECK(message_of(nul) == "the request body holds a NUL byte");
}

TEST_CASE("host: every answer carries CORS headers, OPTIONS is answered on any path, r0 is v3") {
  test_host h;
  h.populate();
  for (const auto& r : {h.anonymous("OPTIONS", api("/register")), h.anonymous("OPTIONS", "/anything/at/all"),
                        h.anonymous("GET", api("/nothing")), h.as(alice, "GET", whoami),
                        h.anonymous("POST", api("/register"), "{")}) {
    INFO(r.status << " " << r.body);
    CHECK(header(r, "Access-Control-Allow-Origin") == "*");
    CHECK(header(r, "Access-Control-Allow-Methods") == "GET, HEAD, POST, PUT, DELETE, OPTIONS");
    CHECK(header(r, "Access-Control-Allow-Headers") == "X-Requested-With, Content-Type, Authorization, Date");
  }
  const auto preflight = h.anonymous("OPTIONS", api("/createRoom"));
  CHECK(summary(preflight) == "200");
  CHECK(preflight.body == "{}");
  CHECK(h.new_calls("account_validity::is_user_expired") == 1); // whoami: OPTIONS asks no module

  const auto old_path = h.as(alice, "GET", "/_matrix/client/r0/account/whoami");
  CHECK(summary(old_path) == "200");
  CHECK(json::parse(old_path.body).at("user_id") == alice);
  CHECK(summary(h.as(alice, "PUT", "/_matrix/client/r0/rooms/" + lobby + "/send/m.room.message/r0", message("hi"))) ==
        "200");
  CHECK(summary(h.anonymous("GET", "/_matrix/client/r1/account/whoami")) == "404 M_UNRECOGNIZED");

  const auto versions = json::parse(h.anonymous("GET", "/_matrix/client/versions").body);
  CHECK(versions.at("versions").size() == 7);
  CHECK(versions.at("versions").at(0) == "r0.6.1");
  const auto capabilities = h.as(alice, "GET", api("/capabilities"));
  CHECK(summary(capabilities) == "200");
  CHECK(json::parse(capabilities.body).at("capabilities").at("m.set_displayname").at("enabled") == true);
  CHECK(summary(h.anonymous("GET", api("/capabilities"))) == "401 M_MISSING_TOKEN");
}

TEST_CASE("host: profiles are read by anyone: both fields, or one, 404 for one not set or a user not there") {
  test_host h;
  h.populate();
  CHECK(h.anonymous("GET", api("/profile/") + alice).body == R"({"displayname":"alice"})");
  CHECK(summary(h.as(alice, "PUT", api("/profile/") + alice + "/avatar_url", R"({"avatar_url": "mxc://a/b"})")) ==
        "200");
  CHECK(h.anonymous("GET", api("/profile/") + alice).body == R"({"avatar_url":"mxc://a/b","displayname":"alice"})");
  CHECK(h.anonymous("GET", api("/profile/") + alice + "/displayname").body == R"({"displayname":"alice"})");
  CHECK(h.anonymous("GET", api("/profile/") + alice + "/avatar_url").body == R"({"avatar_url":"mxc://a/b"})");
  CHECK(summary(h.anonymous("GET", api("/profile/") + bob + "/avatar_url")) == "404 M_NOT_FOUND");
  CHECK(summary(h.anonymous("GET", api("/profile/") + alice + "/email")) == "404 M_UNRECOGNIZED");
  CHECK(summary(h.anonymous("GET", api("/profile/@nobody:example.com"))) == "404 M_NOT_FOUND");
}

TEST_CASE("host: path parameters are percent-decoded, bad percent-encoding is 400") {
  test_host h;
  h.populate();
  const auto raw = h.as(alice, "GET", room_api(lobby, "/state/m.room.create"));
  REQUIRE(summary(raw) == "200");
  const auto encoded = h.as(alice, "GET", room_api("%21lobby%3Aexample.com", "/state/m.room.create"));
  CHECK(summary(encoded) == "200");
  CHECK(encoded.body == raw.body);
  CHECK(h.as(alice, "GET", room_api("%21lobby%3aexample.com", "/state/m%2Eroom%2Ecreate")).body == raw.body);

  const auto sent = h.as(alice, "PUT", room_api("%21lobby%3Aexample.com", "/send/m.room.message/t%201"), message("hi"));
  CHECK(summary(sent) == "200");
  const auto read = h.as(alice, "GET", room_api(lobby, "/event/" + event_id_of(sent)));
  CHECK(json::parse(read.body).at("room_id") == lobby);
  CHECK(summary(h.as(alice, "PUT", api("/profile/%40alice%3Aexample.com/displayname"), R"({"displayname": "A"})")) ==
        "200");
  // A user id with a '/' in it, encoded as one segment.
  h.register_user("a/b");
  CHECK(summary(h.as("@a/b:example.com", "PUT", api("/profile/%40a%2Fb%3Aexample.com/displayname"),
                     R"({"displayname": "AB"})")) == "200");
  CHECK(h.lines_starting("audit: profile") ==
        std::vector<std::string>{"audit: profile of @alice:example.com is now 'A'",
                                 "audit: profile of @a/b:example.com is now 'AB'"});

  for (const auto& room :
       {std::string("%zz"), std::string("%21lobby%3"), std::string("%"), std::string("%21lobby%3Aexample.co%6")}) {
    INFO(room);
    const auto r = h.as(alice, "GET", room_api(room, "/state/m.room.create"));
    CHECK(summary(r) == "400 M_UNKNOWN");
    CHECK(message_of(r) == "malformed percent-encoding in the path");
  }
}

TEST_CASE("host: a path parameter that is not UTF-8 text is 400, and an unknown raw path still gets a JSON body") {
  test_host h;
  h.populate();
  // Invalid UTF-8, an overlong '/', a surrogate, a line break, DEL: none names anything.
  for (const char* bad : {"%FF%FEbad", "%C0%AF", "%ED%A0%80", "a%0Ab", "%7F"}) {
    INFO(bad);
    const auto r = h.as(alice, "PUT", room_api(lobby, "/state/m.room.topic/") + bad, R"({"topic": "x"})");
    CHECK(summary(r) == "400 M_INVALID_PARAM");
    CHECK(message_of(r) == "a path parameter is not UTF-8 text without control characters");
  }
  CHECK(summary(h.as(alice, "PUT", room_api(lobby, "/state/m.room.topic/%C3%A9t%C3%A9"), R"({"topic": "x"})")) ==
        "200");
  CHECK(h.new_calls("third_party_rules::check_event_allowed") == 1); // the last only
  json b;
  // Also in an unknown path sent with raw bytes.
  const auto unknown = h.anonymous("GET", "/_synapse/\xFF\xFE");
  CHECK(summary(unknown) == "404 M_UNRECOGNIZED");
  REQUIRE_NOTHROW(b = json::parse(unknown.body));
  CHECK_THAT(b.at("error").get<std::string>(), Catch::Contains("\xEF\xBF\xBD"));
}

// ---- Web resources ----------------------------------------------------------------------------

TEST_CASE("host: web resources are served at their path for any method, naming their module") {
  test_host h;
  h.populate();
  for (const char* method : {"GET", "POST", "PUT", "DELETE"}) {
    INFO(method);
    const auto stats = h.anonymous(method, "/_synapse/client/censor/stats", "ignored");
    CHECK(summary(stats) == "200 decided:event_censorer");
    CHECK(stats.body == R"({"censored":0})");
    CHECK(stats.content_type == "application/json");
  }
  REQUIRE(summary(h.say(alice, lobby, "a darn day")) == "200 decided:event_censorer");
  CHECK(h.anonymous("GET", "/_synapse/client/censor/stats?x=1").body == R"({"censored":1})");
  CHECK(summary(h.anonymous("GET", "/_synapse/client/censor/stats/more")) == "404 M_UNRECOGNIZED");
  CHECK(summary(h.anonymous("GET", "/_synapse/client/nothing-here")) == "404 M_UNRECOGNIZED");
  // flaky_module's claim under /_matrix/client was refused.
  CHECK(summary(h.anonymous("GET", api("/flaky"))) == "404 M_UNRECOGNIZED");
}

TEST_CASE("host: the first module to claim a web resource path keeps it") {
  SECTION("flaky_module, first in the list, claims the audit logger's path") {
    test_host h;
    h.populate();
    for (const char* method : {"GET", "POST"}) {
      const auto count = h.anonymous(method, "/_synapse/client/audit/count");
      CHECK(summary(count) == "503 decided:flaky_module");
      CHECK(count.body == R"({"flaky":true})");
    }
  }
  SECTION("without the claim, the audit logger serves it") {
    test_host h(shipped_modules(""));
    CHECK(h.lines_starting("web resource refused") ==
          std::vector<std::string>{"web resource refused: module 'flaky_module' cannot register "
                                   "'/_matrix/client/v3/flaky': paths under /_matrix/client belong to the homeserver"});
    h.populate(); // (which drops the log)
    REQUIRE(summary(h.as(alice, "POST", api("/account/3pid/bind"), R"({"medium": "email", "address": "a@b"})")) ==
            "200");
    const auto count = h.anonymous("GET", "/_synapse/client/audit/count");
    CHECK(summary(count) == "200 decided:audit_logger");
    CHECK(count.body == R"({"lines":7})"); // populate()'s six membership events, and the bind
  }
}

TEST_CASE("host: a web resource whose handler throws is a 500 naming the module, and the host goes on") {
  for (const auto& [fails, why] : {std::pair<std::string, std::string>{"yes", "flaky_module: its resource fails, as "
                                                                              "'claim_fails' asks"},
                                   {"other", "an exception that is not a std::exception"}}) {
    INFO(fails);
    json config = flaky_config("/_synapse/client/mine");
    config["claim_fails"] = fails;
    test_host h({entry("flaky_module", config, 2), entry("audit_logger", audit_config(), 8)});
    const auto answer = h.anonymous("GET", "/_synapse/client/mine");
    CHECK(summary(answer) == "500 M_UNKNOWN failed:flaky_module");
    CHECK(message_of(answer) == "the web resource of module 'flaky_module' failed: " + why);
    CHECK(h.register_user("alice") == alice); // the host goes on
  }
}

// ---- Start-up ---------------------------------------------------------------------------------

TEST_CASE("host: start refuses an unknown module, naming the file, the line and the entry") {
  test_host h(unstarted);
  const auto started = h.server.start(
      "test.yaml", {entry("audit_logger", audit_config(), 2), entry("spam_filter_9000", json::object(), 5)});
  REQUIRE_FALSE(started);
  CHECK(started.error() ==
        "test.yaml:5: modules entry 2 (spam_filter_9000): unknown module: no spam_filter_9000.so in " +
            std::string(HOMESERVER_MODULES_DIR) +
            " (it holds: account_expiry, audit_logger, event_censorer, flaky_module, "
            "invite_blocker, room_guard)");
  CHECK(h.server.module_names().empty());
  CHECK(summary(h.anonymous("GET", "/_synapse/client/audit/count")) == "404 M_UNRECOGNIZED");
}

TEST_CASE("host: a module that throws after registering a web resource is refused, its handler gone first") {
  // The handler is flaky_module's code: with clang, where dlclose unloads, destroying it after
  // the library closed crashed this test.
  test_host h(unstarted);
  json failing = flaky_config("/_synapse/client/mine");
  failing["fail_after_claiming"] = "yes";
  const auto started =
      h.server.start("test.yaml", {entry("audit_logger", audit_config(), 2), entry("flaky_module", failing, 4)});
  REQUIRE_FALSE(started);
  CHECK(started.error() == "test.yaml:4: modules entry 2 (flaky_module): modhook: module \"flaky_module\": failed to "
                           "load: flaky_module: failing after claiming its path, as 'fail_after_claiming' asks");
  CHECK(h.server.module_names().empty());
  CHECK(summary(h.anonymous("GET", "/_synapse/client/mine")) == "404 M_UNRECOGNIZED");
  CHECK(h.server.start("test.yaml", {entry("flaky_module", flaky_config("/_synapse/client/mine"), 2)}));
  CHECK(summary(h.anonymous("GET", "/_synapse/client/mine")) == "503 decided:flaky_module");
}

// What a start from a host whose modules directory is `directory` says; it must fail, load
// nothing and print nothing.
std::string start_error(const std::string& directory, const std::vector<module_entry>& entries) {
  server_config config = test_config();
  config.modules_dir = directory;
  std::ostringstream log;
  host server(config, log, {});
  const auto started = server.start("test.yaml", entries);
  REQUIRE_FALSE(started);
  CHECK(server.module_names().empty());
  CHECK(log.str().empty());
  return started.error();
}

TEST_CASE("host: start refuses every module when the modules directory is missing, not one, or not set") {
  for (const auto& [directory, problem] : {
           std::pair<std::string, std::string>{"/nonexistent/modules",
                                               "the modules directory /nonexistent/modules does not exist"},
           {HOMESERVER_MODULES_DIR "/audit_logger.so",
            "the modules directory " HOMESERVER_MODULES_DIR "/audit_logger.so is not a directory"},
           {"", "no modules directory is configured"},
       }) {
    INFO(directory);
    CHECK(start_error(directory, {entry("audit_logger", audit_config(), 3)}) ==
          "test.yaml:3: modules entry 1 (audit_logger): " + problem);
  }
}

TEST_CASE("host: start refuses a module named by a path: a name is looked up in the modules directory only") {
  for (const char* name : {"../modules/audit_logger", "/tmp/audit_logger", "audit_logger.so", ".hidden", ""}) {
    INFO(name);
    test_host h(unstarted);
    const auto started = h.server.start("test.yaml", {entry("audit_logger", audit_config(), 2), entry(name, {}, 4)});
    REQUIRE_FALSE(started);
    CHECK(started.error() == "test.yaml:4: modules entry 2 (" + std::string(name) +
                                 "): 'module' must be a module's name (letters, digits, '_' and '-'), not a path");
    CHECK(h.server.module_names().empty());
  }
}

TEST_CASE("host: start refuses a module built against another release of the categories, naming the category") {
  // stale_modules/room_guard.so: room_guard built with HOMESERVER_OLDER_CATEGORIES, where
  // on_threepid_bind has no medium. room_guard does not implement on_threepid_bind: the
  // fingerprint covers the whole category.
  const std::string error = start_error(HOMESERVER_STALE_MODULES_DIR, {entry("room_guard", room_guard_config(), 4)});
  // The signatures as this compiler spells them.
  using modhook::detail::fingerprint::type_name;
  const std::string older(type_name<awaitable<void>(const std::string&, const std::string&)>());
  const std::string ours(type_name<awaitable<void>(const std::string&, const std::string&, const std::string&)>());
  CHECK(error == "test.yaml:4: modules entry 1 (room_guard): modhook: module \"room_guard\": " +
                     std::string(HOMESERVER_STALE_MODULES_DIR) +
                     "/room_guard.so: built against another category 'third_party_rules': callback "
                     "'on_threepid_bind' is '" +
                     older + "' there, '" + ours + "' in this host");
}

TEST_CASE("host: start refuses a module that rejects its config, naming the entry and the module's reason") {
  struct rejected {
    module_entry bad;
    std::string error;
  };
  for (const auto& [bad, error] : {
           rejected{entry("event_censorer", json::object(), 7),
                    "test.yaml:7: modules entry 2 (event_censorer): modhook: module \"event_censorer\": failed to "
                    "load: event_censorer needs 'endpoint', the censor service's URL"},
           rejected{entry("account_expiry", {{"expired_users", strings({"@x:example.com"})}}, 7),
                    "test.yaml:7: modules entry 2 (account_expiry): modhook: module \"account_expiry\": failed to "
                    "load: account_expiry needs 'server_name'"},
           rejected{entry("room_guard", {{"forbidden_names", 5}}, 7),
                    "test.yaml:7: modules entry 2 (room_guard): modhook: module \"room_guard\": failed to load: "
                    "config key 'forbidden_names' must be a list of strings"},
           rejected{entry("flaky_module", flaky_config(""), 7),
                    "test.yaml:7: modules entry 2 (flaky_module): modhook: module \"flaky_module\": a module with "
                    "this name is already loaded"},
       }) {
    INFO(error);
    test_host h(unstarted);
    const auto started =
        h.server.start("test.yaml", {entry("flaky_module", flaky_config("/_synapse/client/mine"), 2), bad});
    REQUIRE_FALSE(started);
    CHECK(started.error() == error);
    CHECK(h.server.module_names().empty());
    CHECK(h.log.str().empty()); // what the loaded flaky_module said is not printed
    CHECK(summary(h.anonymous("GET", "/_synapse/client/mine")) == "404 M_UNRECOGNIZED"); // nor its resource kept
  }
}

TEST_CASE("host: after a failed start nothing is kept, and a second start works") {
  test_host h(unstarted);
  const auto failed =
      h.server.start("test.yaml", {entry("flaky_module", flaky_config("/_synapse/client/mine"), 2),
                                   entry("event_censorer", censor_config(), 8),
                                   entry("room_guard", room_guard_config(), 12), entry("bogus", json::object(), 16)});
  REQUIRE_FALSE(failed);
  CHECK_THAT(failed.error(), Catch::StartsWith("test.yaml:16: modules entry 4 (bogus): unknown module"));
  CHECK(h.server.module_names().empty());
  CHECK(h.log.str().empty());
  CHECK(summary(h.anonymous("GET", "/_synapse/client/censor/stats")) == "404 M_UNRECOGNIZED");
  CHECK(summary(h.anonymous("GET", "/_synapse/client/mine")) == "404 M_UNRECOGNIZED");

  const auto started = h.server.start(
      "other.yaml", {entry("audit_logger", audit_config(), 3), entry("account_expiry", account_expiry_config(), 6)});
  REQUIRE(started);
  CHECK(h.server.module_names() == std::vector<std::string>{"audit_logger", "account_expiry"});
  CHECK(h.log.str().empty()); // the failed start's lines were dropped
  CHECK(summary(h.anonymous("GET", "/_synapse/client/censor/stats")) == "404 M_UNRECOGNIZED");
  CHECK(summary(h.anonymous("GET", "/_synapse/client/mine")) == "404 M_UNRECOGNIZED");
  const auto count = h.anonymous("GET", "/_synapse/client/audit/count");
  CHECK(summary(count) == "200 decided:audit_logger");
  CHECK(count.body == R"({"lines":0})");

  h.register_user("alice");
  CHECK(h.log_lines() == std::vector<std::string>{"account_expiry: tracking @alice:example.com (1 tracked)"});
  // room_guard of the failed start does not tag rooms.
  REQUIRE(summary(h.create_room(alice, "lobby", "Lobby")) == "200");
  CHECK(h.as(alice, "GET", room_api(lobby, "/state/m.room.create")).body == R"({"creator":"@alice:example.com"})");
  CHECK(summary(h.say(alice, lobby, "crash")) == "200"); // no flaky_module

  // A start that fails after one that worked prints nothing of its own modules either.
  const auto log_before = h.log.str();
  REQUIRE_FALSE(
      h.server.start("third.yaml", {entry("flaky_module", flaky_config(""), 2), entry("bogus", json::object(), 5)}));
  CHECK(h.log.str() == log_before);
  CHECK(h.censor.received.empty());
}
