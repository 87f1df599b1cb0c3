// Unit tests of what a Matrix client needs of the host beyond the module callbacks:
// registration's user-interactive authentication, room membership, sync (initial,
// incremental, long-polling), messages paging, filters.

#include "test_host.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace {

// ---- Reading sync and messages answers ---------------------------------------------------------

json body_of(const http::response& r) {
  INFO(r.body);
  REQUIRE(r.status == 200);
  return json::parse(r.body);
}

http::response sync(test_host& h, const std::string& user, const std::string& query = "") {
  return h.as(user, "GET", api("/sync") + query);
}

// "TYPE SENDER [STATE_KEY] [BODY]" of each event of a list, in order: what a test compares.
std::vector<std::string> described(const json& events) {
  std::vector<std::string> out;
  for (const auto& e : events) {
    std::string line = e.at("type").get<std::string>() + " " + e.at("sender").get<std::string>();
    if (e.contains("state_key")) line += " [" + e.at("state_key").get<std::string>() + "]";
    if (const auto body = e.at("content").find("body"); body != e.at("content").end())
      line += " " + body->get<std::string>();
    if (const auto m = e.at("content").find("membership"); m != e.at("content").end())
      line += " " + m->get<std::string>();
    out.push_back(std::move(line));
  }
  return out;
}

std::vector<std::string> timeline_of(const json& sync_body, const std::string& room) {
  return described(sync_body.at("rooms").at("join").at(room).at("timeline").at("events"));
}

std::vector<std::string> messages_of(const json& events) {
  std::vector<std::string> out;
  for (const auto& e : events)
    if (e.at("type") == "m.room.message") out.push_back(e.at("content").at("body").get<std::string>());
  return out;
}

boost::asio::awaitable<void> answer_into(boost::asio::awaitable<http::response> task,
                                         std::optional<http::response>* out) {
  *out = co_await std::move(task);
}

// Starts `user`'s request (none: no token) on `io`, beside the others started there: they
// interleave where the host awaits. Its answer is in `out` once io has run it to its end.
void start(boost::asio::io_context& io, test_host& h, std::optional<http::response>& out, const std::string& user,
           std::string method, std::string target, std::string body = {}) {
  http::request r{std::move(method), std::move(target), body.empty() ? "" : "application/json",
                  user.empty() ? "" : "Bearer " + h.tokens.at(user), std::move(body)};
  boost::asio::co_spawn(io, answer_into(h.server.handle(std::move(r)), &out), boost::asio::detached);
}

} // namespace

// ---- Registration: user-interactive authentication ---------------------------------------------

TEST_CASE("client api: register without auth answers the m.login.dummy flow (401), asking no module") {
  test_host h;
  const auto flows = h.anonymous("POST", api("/register"), R"({"username": "alice", "password": "p"})");
  CHECK(flows.status == 401);
  const json body = json::parse(flows.body);
  CHECK(body.at("flows") == json::parse(R"([{"stages": ["m.login.dummy"]}])"));
  CHECK(body.at("params") == json::object());
  CHECK(body.at("session").get<std::string>().size() >= 32);
  CHECK(h.calls("account_validity::on_user_registration") == "0");
  // Nothing was registered: the name is still free, and the dummy stage registers it.
  const auto done = h.anonymous("POST", api("/register"),
                                R"({"username": "alice", "password": "p", "auth": {"type": "m.login.dummy", "session": ")" +
                                    body.at("session").get<std::string>() + R"("}})");
  CHECK(summary(done) == "200");
  CHECK(json::parse(done.body).at("user_id") == alice);
  CHECK(summary(h.login("alice", "p")) == "200");

  for (const char* auth : {R"({"type": "m.login.password"})", R"("m.login.dummy")", R"({"session": "x"})"}) {
    INFO(auth);
    const auto r = h.anonymous("POST", api("/register"), std::string(R"({"username": "bob", "auth": )") + auth + "}");
    CHECK(summary(r) == "400 M_UNRECOGNIZED");
    CHECK(message_of(r) == R"('auth' must be {"type": "m.login.dummy"}: the only stage here)");
  }
  CHECK(summary(h.anonymous("POST", api("/register?kind=guest"), R"({"auth": {"type": "m.login.dummy"}})")) ==
        "403 M_FORBIDDEN");
  // inhibit_login: an account, no session.
  const auto quiet = h.anonymous("POST", api("/register"),
                                 R"({"username": "carol", "inhibit_login": true, "auth": {"type": "m.login.dummy"}})");
  CHECK(summary(quiet) == "200");
  CHECK(quiet.body == R"({"home_server":"example.com","user_id":"@carol:example.com"})");
  CHECK(h.calls("account_validity::on_user_registration") == "2");
}

// ---- Membership ---------------------------------------------------------------------------------

TEST_CASE("client api: the creator joins, through check_event_allowed and on_new_event as any event") {
  test_host h;
  h.register_user("alice");
  REQUIRE(summary(h.create_room(alice, "lobby", "Lobby")) == "200");
  CHECK(h.as(alice, "GET", room_api(lobby, "/state/m.room.member/" + alice)).body ==
        R"({"displayname":"alice","membership":"join"})");
  CHECK(h.calls("third_party_rules::check_event_allowed") == "1");
  CHECK(h.lines_starting("audit: $") ==
        std::vector<std::string>{"audit: $2 m.room.member from @alice:example.com in !lobby:example.com (2 state events)"});
  // Membership events are not asked check_event_for_spam, as in Synapse.
  CHECK(h.calls("spam_checker::check_event_for_spam") == "0");
}

TEST_CASE("client api: a room whose creator may not join is not made") {
  // flaky_module fails closed in check_event_allowed on its trigger in a membership's display
  // name: the creator's join fails, and the room goes with it.
  test_host h;
  h.register_user("alice");
  REQUIRE(summary(h.as(alice, "PUT", api("/profile/") + alice + "/displayname", R"({"displayname": "crash"})")) ==
          "200");
  const auto refused = h.create_room(alice, "second", "Second");
  CHECK(summary(refused) == "500 M_UNKNOWN failed:flaky_module");
  CHECK(summary(h.as(alice, "GET", room_api("!second:example.com", "/state/m.room.create"))) == "404 M_NOT_FOUND");
  CHECK(h.lines_starting("audit: $").empty());
  // The alias is free again.
  REQUIRE(summary(h.as(alice, "PUT", api("/profile/") + alice + "/displayname", R"({"displayname": "Alice"})")) ==
          "200");
  CHECK(summary(h.create_room(alice, "second", "Second")) == "200");
}

TEST_CASE("client api: only members send, read, page or invite: 403 for others, 404 for no room") {
  test_host h;
  h.populate();
  const std::string room = giveaway; // the admin's; alice is not in it
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"PUT", room_api(room, "/send/m.room.message/t1")},
      {"PUT", room_api(room, "/state/m.room.topic")},
      {"GET", room_api(room, "/state/m.room.create")},
      {"GET", room_api(room, "/event/$1")},
      {"GET", room_api(room, "/messages")},
      {"POST", room_api(room, "/invite")},
      {"POST", room_api(room, "/leave")},
  };
  for (const auto& [method, target] : routes) {
    INFO(method << " " << target);
    const auto r = h.as(alice, method, target, message("hi"));
    CHECK(summary(r) == "403 M_FORBIDDEN");
    CHECK(message_of(r).starts_with("@alice:example.com is not in the room !giveaway:example.com"));
    std::string nowhere = target;
    nowhere.replace(nowhere.find(room), room.size(), "!nowhere:example.com");
    CHECK(summary(h.as(alice, method, nowhere, message("hi"))) == "404 M_NOT_FOUND");
  }
  CHECK(h.new_calls("spam_checker::check_event_for_spam") == 0);
  CHECK(h.new_calls("third_party_rules::check_event_allowed") == 0);
  CHECK(h.new_calls("spam_checker::user_may_invite") == 0);
}

TEST_CASE("client api: invite, then join, and no join without an invite is refused unless the room is public") {
  test_host h;
  h.populate();
  const std::string carol = h.register_user("carol");
  const std::string lounge = "!lounge:example.com";
  REQUIRE(summary(h.create_room(alice, "lounge", "Lounge")) == "200");

  const auto uninvited = h.as(carol, "POST", room_api(lounge, "/join"));
  CHECK(summary(uninvited) == "403 M_FORBIDDEN");
  CHECK(message_of(uninvited) == "@carol:example.com is not invited to !lounge:example.com");
  CHECK(summary(h.as(carol, "POST", api("/join/%23lounge:example.com"))) == "403 M_FORBIDDEN");

  REQUIRE(summary(h.as(alice, "POST", room_api(lounge, "/invite"), dump(json{{"user_id", carol}}))) == "200");
  const auto twice = h.as(alice, "POST", room_api(lounge, "/invite"), dump(json{{"user_id", carol}}));
  CHECK(summary(twice) == "403 M_FORBIDDEN");
  CHECK(message_of(twice) == "@carol:example.com is already invited to the room");
  // An invitee is not a member yet.
  CHECK(summary(h.say(carol, lounge, "early")) == "403 M_FORBIDDEN");
  // Joined by the alias, as a client does with #name:server.
  const auto joined = h.as(carol, "POST", api("/join/%23lounge:example.com"));
  CHECK(summary(joined) == "200");
  CHECK(joined.body == R"({"room_id":"!lounge:example.com"})");
  CHECK(summary(h.say(carol, lounge, "hello")) == "200");
  CHECK(summary(h.as(carol, "POST", room_api(lounge, "/join"))) == "200"); // already in: nothing changes
  const auto in_room = h.as(alice, "POST", room_api(lounge, "/invite"), dump(json{{"user_id", carol}}));
  CHECK(message_of(in_room) == "@carol:example.com is already in the room");
  CHECK(summary(h.as(alice, "POST", room_api(lounge, "/invite"), R"({"user_id": "carol"})")) ==
        "400 M_INVALID_PARAM");

  // Leaving ends membership: no more sending or reading, and no way back without an invite.
  CHECK(summary(h.as(carol, "POST", room_api(lounge, "/leave"))) == "200");
  CHECK(summary(h.say(carol, lounge, "after")) == "403 M_FORBIDDEN");
  CHECK(summary(h.as(carol, "GET", room_api(lounge, "/messages"))) == "403 M_FORBIDDEN");
  CHECK(summary(h.as(carol, "POST", room_api(lounge, "/leave"))) == "403 M_FORBIDDEN");
  CHECK(summary(h.as(carol, "POST", room_api(lounge, "/join"))) == "403 M_FORBIDDEN");

  // A public room (preset public_chat) is joined by anyone.
  REQUIRE(summary(h.as(alice, "POST", api("/createRoom"), R"({"room_alias_name": "square", "preset": "public_chat"})")) ==
          "200");
  CHECK(summary(h.as(carol, "POST", room_api("!square:example.com", "/join"))) == "200");
  CHECK(summary(h.as(alice, "POST", api("/createRoom"), R"({"preset": "open_to_all"})")) == "400 M_INVALID_PARAM");

  // Each membership went through the modules: invite, join, leave, and the square's events.
  CHECK(h.lines_starting("audit: $").size() == 2 /*lounge: create's join, invite*/ + 1 /*join*/ + 1 /*message*/ +
                                                   1 /*leave*/ + 2 /*square: join, join rule*/ + 1 /*join*/);
}

TEST_CASE("client api: a membership refused by check_event_allowed is not stored") {
  test_host h;
  h.populate();
  const std::string carol = h.register_user("carol");
  // flaky_module fails closed on its trigger in a membership's display name: the invite has
  // none, the join has carol's.
  REQUIRE(summary(h.as(carol, "PUT", api("/profile/") + carol + "/displayname", R"({"displayname": "crash"})")) ==
          "200");
  REQUIRE(summary(h.as(alice, "POST", room_api(lobby, "/invite"), dump(json{{"user_id", carol}}))) == "200");
  const auto join = h.as(carol, "POST", room_api(lobby, "/join"));
  CHECK(summary(join) == "500 M_UNKNOWN failed:flaky_module");
  CHECK(h.as(alice, "GET", room_api(lobby, "/state/m.room.member/" + carol)).body == R"({"membership":"invite"})");
  CHECK(summary(h.say(carol, lobby, "hi")) == "403 M_FORBIDDEN");
}

// ---- Sync ---------------------------------------------------------------------------------------

TEST_CASE("client api: an initial sync has the joined rooms' state and timeline, and the invites") {
  test_host h;
  h.populate();
  const std::string carol = h.register_user("carol");
  REQUIRE(summary(h.say(alice, lobby, "one")) == "200");
  REQUIRE(summary(h.say(bob, lobby, "two")) == "200");
  REQUIRE(summary(h.as(alice, "POST", room_api(lobby, "/invite"), dump(json{{"user_id", carol}}))) == "200");

  const json bobs = body_of(sync(h, bob));
  CHECK(bobs.at("next_batch").get<std::string>().starts_with('s'));
  CHECK(bobs.at("rooms").at("join").size() == 1); // not the giveaway
  CHECK(timeline_of(bobs, lobby) ==
        std::vector<std::string>{"m.room.create @alice:example.com []", "m.room.member @alice:example.com [@alice:example.com] join",
                                 "m.room.member @alice:example.com [@bob:example.com] invite",
                                 "m.room.member @bob:example.com [@bob:example.com] join",
                                 "m.room.member @alice:example.com [@trent:example.com] invite",
                                 "m.room.member @trent:example.com [@trent:example.com] join",
                                 "m.room.message @alice:example.com one", "m.room.message @bob:example.com two",
                                 "m.room.member @alice:example.com [@carol:example.com] invite"});
  const json& room = bobs.at("rooms").at("join").at(lobby);
  CHECK(room.at("timeline").at("limited") == false);
  CHECK(room.at("state").at("events").empty()); // all of it is in the timeline
  for (const auto& e : room.at("timeline").at("events")) {
    CHECK(e.at("origin_server_ts").is_number_unsigned());
    CHECK(e.at("event_id").get<std::string>().starts_with('$'));
  }

  // Carol is invited: the room's stripped state, not its timeline.
  const json carols = body_of(sync(h, carol));
  CHECK(carols.at("rooms").at("join").empty());
  CHECK(described(carols.at("rooms").at("invite").at(lobby).at("invite_state").at("events")) ==
        std::vector<std::string>{"m.room.create @alice:example.com []",
                                 "m.room.member @alice:example.com [@carol:example.com] invite"});

  // A timeline limit (a filter, inline or made beforehand) keeps the latest events; the state
  // before them comes as state.
  const json limited = body_of(sync(h, bob, "?filter=%7B%22room%22:%7B%22timeline%22:%7B%22limit%22:2%7D%7D%7D"));
  const json& short_room = limited.at("rooms").at("join").at(lobby);
  CHECK(timeline_of(limited, lobby) == std::vector<std::string>{"m.room.message @bob:example.com two",
                                                                "m.room.member @alice:example.com [@carol:example.com] invite"});
  CHECK(short_room.at("timeline").at("limited") == true);
  CHECK(described(short_room.at("state").at("events")).size() == 4); // create and the three members
  const auto filter = h.as(bob, "POST", api("/user/") + bob + "/filter", R"({"room": {"timeline": {"limit": 2}}})");
  REQUIRE(summary(filter) == "200");
  const std::string filter_id = json::parse(filter.body).at("filter_id").get<std::string>();
  CHECK(timeline_of(body_of(sync(h, bob, "?filter=" + filter_id)), lobby) == timeline_of(limited, lobby));
  CHECK(json::parse(h.as(bob, "GET", api("/user/") + bob + "/filter/" + filter_id).body) ==
        json::parse(R"({"room": {"timeline": {"limit": 2}}})"));
  CHECK(summary(h.as(alice, "GET", api("/user/") + bob + "/filter/" + filter_id)) == "403 M_FORBIDDEN");
  CHECK(summary(h.as(bob, "GET", api("/user/") + bob + "/filter/7")) == "404 M_NOT_FOUND");
  CHECK(summary(sync(h, bob, "?filter=7")) == "400 M_INVALID_PARAM");
}

TEST_CASE("client api: an incremental sync has what happened since, and a room joined since whole") {
  test_host h;
  h.populate();
  const std::string carol = h.register_user("carol");
  const std::string since = body_of(sync(h, bob)).at("next_batch").get<std::string>();
  const json nothing = body_of(sync(h, bob, "?since=" + since));
  CHECK(nothing.at("rooms").at("join").empty());
  CHECK(nothing.at("next_batch") == since);

  REQUIRE(summary(h.say(alice, lobby, "new")) == "200");
  REQUIRE(summary(h.as(admin, "POST", room_api(giveaway, "/invite"), dump(json{{"user_id", bob}}))) == "200");
  const json next = body_of(sync(h, bob, "?since=" + since));
  CHECK(timeline_of(next, lobby) == std::vector<std::string>{"m.room.message @alice:example.com new"});
  CHECK(next.at("rooms").at("join").at(lobby).at("state").at("events").empty());
  CHECK(next.at("rooms").at("invite").contains(giveaway));
  CHECK(next.at("next_batch") != since);
  // From the new token: nothing again.
  const std::string later = next.at("next_batch").get<std::string>();
  CHECK(body_of(sync(h, bob, "?since=" + later)).at("rooms").at("join").empty());
  CHECK(body_of(sync(h, bob, "?since=" + later)).at("rooms").at("invite").empty());

  // Bob joins the giveaway: it comes whole, state and timeline, though it began before `later`.
  REQUIRE(summary(h.as(bob, "POST", room_api(giveaway, "/join"))) == "200");
  const json joined = body_of(sync(h, bob, "?since=" + later));
  CHECK(timeline_of(joined, giveaway).front() == "m.room.create @admin:example.com []");
  CHECK(timeline_of(joined, giveaway).back() == "m.room.member @bob:example.com [@bob:example.com] join");
  // Leaving: the room is under "leave", up to the leave.
  const std::string before_leave = joined.at("next_batch").get<std::string>();
  REQUIRE(summary(h.as(bob, "POST", room_api(giveaway, "/leave"))) == "200");
  REQUIRE(summary(h.as(admin, "PUT", room_api(giveaway, "/send/m.room.message/x"), message("after bob"))) == "200");
  const json left = body_of(sync(h, bob, "?since=" + before_leave));
  CHECK(described(left.at("rooms").at("leave").at(giveaway).at("timeline").at("events")) ==
        std::vector<std::string>{"m.room.member @bob:example.com [@bob:example.com] leave"});
  CHECK_FALSE(left.at("rooms").at("join").contains(giveaway));

  for (const char* bad : {"?since=x", "?since=s", "?since=s99999", "?since=s-1", "?since=s99999999999999999999999",
                          "?timeout=soon", "?timeout=-1"}) {
    INFO(bad);
    CHECK(summary(sync(h, bob, bad)) == "400 M_INVALID_PARAM");
  }
  (void)carol;
}

TEST_CASE("client api: a long-polling sync is woken by an event for the user, and ends at stop_waiting") {
  test_host h;
  h.populate();
  const std::string since = body_of(sync(h, bob)).at("next_batch").get<std::string>();

  // One io_context for both requests: the sync waits (30 s at most), alice's message wakes it.
  // The loop runs until there is no work left: a sync not woken would still be waiting at the
  // end of run_for and fail below.
  {
    boost::asio::io_context io;
    std::optional<http::response> synced, sent;
    start(io, h, synced, bob, "GET", api("/sync?timeout=30000&since=" + since));
    start(io, h, sent, alice, "PUT", room_api(lobby, "/send/m.room.message/woken"), message("wake up"));
    io.run_for(std::chrono::seconds(20));
    REQUIRE(sent);
    CHECK(summary(*sent) == "200");
    REQUIRE(synced);
    CHECK(timeline_of(body_of(*synced), lobby) == std::vector<std::string>{"m.room.message @alice:example.com wake up"});
  }
  // An event in a room bob is not in does not answer his sync; stop_waiting does, with nothing.
  {
    const std::string now = body_of(sync(h, bob)).at("next_batch").get<std::string>();
    boost::asio::io_context io;
    std::optional<http::response> synced, sent;
    start(io, h, synced, bob, "GET", api("/sync?timeout=30000&since=" + now));
    start(io, h, sent, admin, "PUT", room_api(giveaway, "/send/m.room.message/x"), message("not for bob"));
    io.run_for(std::chrono::milliseconds(200));
    REQUIRE(sent);
    CHECK_FALSE(synced); // still waiting
    boost::asio::post(io, [&h] { h.server.stop_waiting(); });
    io.run_for(std::chrono::seconds(20));
    REQUIRE(synced);
    CHECK(body_of(*synced).at("rooms").at("join").empty());
  }
  // Once stopped, a sync does not wait, though there is nothing new.
  const std::string now = body_of(sync(h, bob)).at("next_batch").get<std::string>();
  CHECK(body_of(sync(h, bob, "?timeout=30000&since=" + now)).at("rooms").at("join").empty());
}

// ---- Messages -----------------------------------------------------------------------------------

TEST_CASE("client api: messages pages backwards from the latest event, and forwards from a token") {
  test_host h;
  h.populate();
  for (int i = 1; i <= 5; ++i) REQUIRE(summary(h.say(alice, lobby, "m" + std::to_string(i))) == "200");

  const json first = body_of(h.as(bob, "GET", room_api(lobby, "/messages?dir=b&limit=2")));
  CHECK(messages_of(first.at("chunk")) == std::vector<std::string>{"m5", "m4"});
  REQUIRE(first.contains("end"));
  const json second = body_of(
      h.as(bob, "GET", room_api(lobby, "/messages?dir=b&limit=2&from=" + first.at("end").get<std::string>())));
  CHECK(messages_of(second.at("chunk")) == std::vector<std::string>{"m3", "m2"});
  // To the room's start: the rest, and no `end`.
  const json rest = body_of(
      h.as(bob, "GET", room_api(lobby, "/messages?dir=b&limit=100&from=" + second.at("end").get<std::string>())));
  CHECK(messages_of(rest.at("chunk")) == std::vector<std::string>{"m1"});
  CHECK(described(rest.at("chunk")).back() == "m.room.create @alice:example.com []");
  CHECK_FALSE(rest.contains("end"));

  // A sync's prev_batch pages back from before its timeline.
  const json limited = body_of(sync(h, bob, "?filter=%7B%22room%22:%7B%22timeline%22:%7B%22limit%22:1%7D%7D%7D"));
  const std::string prev = limited.at("rooms").at("join").at(lobby).at("timeline").at("prev_batch").get<std::string>();
  const json before = body_of(h.as(bob, "GET", room_api(lobby, "/messages?dir=b&limit=1&from=" + prev)));
  CHECK(messages_of(before.at("chunk")) == std::vector<std::string>{"m4"});
  // Forwards from that token: the event after it.
  const json after = body_of(h.as(bob, "GET", room_api(lobby, "/messages?dir=f&limit=1&from=" + prev)));
  CHECK(messages_of(after.at("chunk")) == std::vector<std::string>{"m5"});

  for (const char* bad : {"?dir=up", "?from=yesterday", "?limit=many", "?from=t"}) {
    INFO(bad);
    CHECK(summary(h.as(bob, "GET", room_api(lobby, std::string("/messages") + bad))) == "400 M_INVALID_PARAM");
  }
}

TEST_CASE("client api: push rules are answered empty, filters are bounded per user") {
  test_host h;
  h.populate();
  const json rules = body_of(h.as(bob, "GET", api("/pushrules/")));
  CHECK(rules.at("global").at("override") == json::array());
  for (int i = 0; i < 64; ++i) REQUIRE(summary(h.as(bob, "POST", api("/user/") + bob + "/filter", "{}")) == "200");
  CHECK(summary(h.as(bob, "POST", api("/user/") + bob + "/filter", "{}")) == "400 M_LIMIT_EXCEEDED");
  CHECK(summary(h.as(bob, "POST", api("/user/") + alice + "/filter", "{}")) == "403 M_FORBIDDEN");
}

// ---- Limits on password checks --------------------------------------------------------------------

TEST_CASE("client api: from the fifth wrong password in a minute, a user's logins are 429 M_LIMIT_EXCEEDED") {
  test_host h;
  h.register_user("alice");
  h.register_user("bob");
  const std::string right = test_host::password_of("alice");
  // Four wrong, then the right one: in, and the count starts again.
  for (int i = 0; i < 4; ++i) REQUIRE(summary(h.login("alice", "wrong")) == "403 M_FORBIDDEN");
  REQUIRE(summary(h.login("alice", right)) == "200");
  for (int i = 0; i < 5; ++i) REQUIRE(summary(h.login("alice", "wrong")) == "403 M_FORBIDDEN");
  const auto limited = h.login("alice", right);
  CHECK(summary(limited) == "429 M_LIMIT_EXCEEDED");
  CHECK(message_of(limited) == "too many failed logins for @alice:example.com; try again later");
  const auto after = json::parse(limited.body).at("retry_after_ms").get<long>();
  CHECK(after > 0);
  CHECK(after <= 60'000);
  // Another user is not held; an unknown user is not counted (nothing grows per name tried).
  CHECK(summary(h.login("bob", test_host::password_of("bob"))) == "200");
  for (int i = 0; i < 6; ++i) CHECK(summary(h.login("nobody" + std::to_string(i), "x")) == "403 M_FORBIDDEN");
  for (int i = 0; i < 6; ++i) CHECK(summary(h.login("nobody", "x")) == "403 M_FORBIDDEN");
}

namespace {
// `count` logins started together on one io_context: each waits for the hashing thread,
// whose answers come back after every start has run. Their summaries, and their messages.
std::vector<std::pair<std::string, std::string>> concurrent_logins(test_host& h, int count,
                                                                   const std::function<json(int)>& body) {
  boost::asio::io_context io;
  std::vector<std::optional<http::response>> answers(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    start(io, h, answers[static_cast<std::size_t>(i)], "", "POST", api("/login"), dump(body(i)));
  }
  io.run_for(std::chrono::seconds(60));
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& answer : answers) {
    REQUIRE(answer);
    out.emplace_back(summary(*answer), message_of(*answer));
  }
  return out;
}

// How many answers had each summary; a 429's message with it.
std::map<std::string, int> tally(const std::vector<std::pair<std::string, std::string>>& answers) {
  std::map<std::string, int> out;
  for (const auto& [status, message] : answers) ++out[status.starts_with("429") ? status + ": " + message : status];
  return out;
}

json password_login(const std::string& user, const std::string& password) {
  return {{"type", "m.login.password"}, {"identifier", {{"type", "m.id.user"}, {"user", user}}}, {"password", password}};
}
} // namespace

TEST_CASE("client api: at most 16 password checks wait at once, the others are 429 M_LIMIT_EXCEEDED") {
  test_host h;
  h.register_user("alice");
  // Twenty users that do not exist (each compared all the same, and not counted per user).
  const auto answers =
      concurrent_logins(h, 20, [](int i) { return password_login("nobody" + std::to_string(i), "x"); });
  CHECK(tally(answers) == std::map<std::string, int>{
                               {"403 M_FORBIDDEN", 16},
                               {"429 M_LIMIT_EXCEEDED: too many password checks at once; try again", 4},
                           });
  // The places are given back: a login now gets one.
  CHECK(summary(h.login("alice", test_host::password_of("alice"))) == "200");
}

TEST_CASE("client api: concurrent wrong passwords count before their checks end: five, then 429") {
  test_host h;
  h.register_user("alice");
  const auto answers = concurrent_logins(h, 8, [](int) { return password_login("alice", "wrong"); });
  CHECK(tally(answers) ==
        std::map<std::string, int>{
            {"403 M_FORBIDDEN", 5},
            {"429 M_LIMIT_EXCEEDED: too many failed logins for @alice:example.com; try again later", 3},
        });
  CHECK(summary(h.login("alice", test_host::password_of("alice"))) == "429 M_LIMIT_EXCEEDED");
}

TEST_CASE("client api: a body is read only after its token: no token, or an unknown one, is 401 whatever the body") {
  test_host h;
  h.populate();
  for (const std::string& body : {std::string("{"), std::string(100'000, '['), std::string(R"({"a": 1, "a": 2})")}) {
    CHECK(summary(h.anonymous("POST", api("/createRoom"), body)) == "401 M_MISSING_TOKEN");
    CHECK(summary(h.ask("not-a-token", "PUT", room_api(lobby, "/send/m.room.message/t"), body)) ==
          "401 M_UNKNOWN_TOKEN");
    CHECK(summary(h.as(alice, "POST", api("/createRoom"), body)).starts_with("400 "));
  }
}

TEST_CASE("client api: what a client sent reaches the log escaped: no forged lines, no invalid UTF-8") {
  test_host h;
  h.populate();
  // A display name with a line break that would make a line of its own; audit_logger logs it.
  REQUIRE(summary(h.as(alice, "PUT", api("/profile/") + alice + "/displayname",
                       R"({"displayname": "Alice\naudit: @admin:example.com deactivated \\ \u0007 é"})")) == "200");
  CHECK(h.log_lines() ==
        std::vector<std::string>{"audit: profile of @alice:example.com is now 'Alice\\x0aaudit: @admin:example.com "
                                 "deactivated \\\\ \\x07 é'"});
}

TEST_CASE("client api: a user's fifth waiting sync answers at once, and a woken sync leaves no timer behind") {
  test_host h;
  h.populate();
  const std::string since = body_of(sync(h, bob)).at("next_batch").get<std::string>();
  boost::asio::io_context io;
  std::vector<std::optional<http::response>> synced(5);
  for (auto& answer : synced) {
    start(io, h, answer, bob, "GET", api("/sync?timeout=30000&since=" + since));
  }
  io.run_for(std::chrono::milliseconds(200));
  CHECK(std::count_if(synced.begin(), synced.end(), [](const auto& a) { return a.has_value(); }) == 1);
  // An event wakes the four; each is answered with it.
  std::optional<http::response> sent;
  start(io, h, sent, alice, "PUT", room_api(lobby, "/send/m.room.message/w"), message("wake"));
  io.run_for(std::chrono::seconds(20));
  for (const auto& answer : synced) REQUIRE(answer);
  CHECK(std::count_if(synced.begin(), synced.end(), [](const auto& a) {
          return body_of(*a).at("rooms").at("join").contains(lobby);
        }) == 4);
  // The woken syncs' timers are gone (their frames too): another event must not reach them
  // (AddressSanitizer would see it).
  REQUIRE(summary(h.say(alice, lobby, "after")) == "200");
}

TEST_CASE("client api: an invitation refused shows the leave alone, never the room's history") {
  test_host h;
  h.populate();
  const std::string carol = h.register_user("carol");
  const std::string since = body_of(sync(h, carol)).at("next_batch").get<std::string>();
  REQUIRE(summary(h.say(alice, lobby, "secret before the invite")) == "200");
  REQUIRE(summary(h.as(alice, "POST", room_api(lobby, "/invite"), dump(json{{"user_id", carol}}))) == "200");
  REQUIRE(summary(h.say(alice, lobby, "secret while invited")) == "200");
  REQUIRE(summary(h.as(carol, "POST", room_api(lobby, "/leave"))) == "200");
  const json left = body_of(sync(h, carol, "?since=" + since));
  const json& room = left.at("rooms").at("leave").at(lobby);
  CHECK(described(room.at("timeline").at("events")) ==
        std::vector<std::string>{"m.room.member @carol:example.com [@carol:example.com] leave"});
  CHECK(room.at("state").at("events").empty());
  CHECK(room.at("timeline").at("limited") == false);
  // An initial sync has no rooms left, as Synapse's default.
  const json initial = body_of(sync(h, carol));
  CHECK(initial.at("rooms").at("leave").empty());
  CHECK(initial.dump().find("secret") == std::string::npos);
}

TEST_CASE("client api: an incremental sync over the limit is limited, with the state before its timeline") {
  test_host h;
  h.populate();
  const std::string since = body_of(sync(h, bob)).at("next_batch").get<std::string>();
  for (int i = 1; i <= 25; ++i) REQUIRE(summary(h.say(alice, lobby, "m" + std::to_string(i))) == "200");
  const json next = body_of(sync(h, bob, "?since=" + since));
  const json& room = next.at("rooms").at("join").at(lobby);
  const auto timeline = timeline_of(next, lobby);
  REQUIRE(timeline.size() == 20);
  CHECK(timeline.front() == "m.room.message @alice:example.com m6");
  CHECK(room.at("timeline").at("limited") == true);
  CHECK(described(room.at("state").at("events")).size() == 4); // create and three members
  // messages with limit=0 still moves: a page of one.
  const json page = body_of(h.as(bob, "GET", room_api(lobby, "/messages?dir=b&limit=0")));
  CHECK(messages_of(page.at("chunk")) == std::vector<std::string>{"m25"});
  CHECK(page.at("end") != page.at("start"));
}

TEST_CASE("client api: an event pending in a module is refused if its room went, or its sender left, meanwhile") {
  test_host h;
  h.populate();
  h.censor.delay = std::chrono::milliseconds(100); // the censor answers late: others run meanwhile
  {
    // Bob's message waits for the censor; bob leaves meanwhile.
    boost::asio::io_context io;
    std::optional<http::response> sent, left;
    start(io, h, sent, bob, "PUT", room_api(lobby, "/send/m.room.message/p1"), message("pending"));
    start(io, h, left, bob, "POST", room_api(lobby, "/leave"));
    io.run_for(std::chrono::seconds(20));
    REQUIRE(left);
    REQUIRE(sent);
    CHECK(summary(*left) == "200");
    CHECK(summary(*sent) == "403 M_FORBIDDEN");
  }
  {
    // The admin's message waits; the room is shut down and another made under its id.
    boost::asio::io_context io;
    std::optional<http::response> sent, shut, made;
    start(io, h, sent, admin, "PUT", room_api(giveaway, "/send/m.room.message/p2"), message("pending"));
    start(io, h, shut, admin, "DELETE", "/_synapse/admin/v1/rooms/" + giveaway);
    start(io, h, made, admin, "POST", api("/createRoom"), R"({"room_alias_name": "giveaway"})");
    io.run_for(std::chrono::seconds(20));
    REQUIRE(shut);
    REQUIRE(made);
    REQUIRE(sent);
    CHECK(summary(*shut) == "200");
    CHECK(summary(*made) == "200");
    CHECK(summary(*sent) == "404 M_NOT_FOUND");
    CHECK(message_of(*sent) == "room !giveaway:example.com was shut down meanwhile");
    h.censor.delay = std::chrono::milliseconds(0);
    CHECK(messages_of(body_of(h.as(admin, "GET", room_api(giveaway, "/messages"))).at("chunk")).empty());
  }
}

TEST_CASE("client api: filters, sessions and registrations are bounded") {
  test_host h;
  h.populate();
  CHECK(summary(h.as(bob, "POST", api("/user/") + bob + "/filter", dump(json{{"x", std::string(4096, 'x')}}))) ==
        "400 M_INVALID_PARAM");
  // A user's 65th session ends the first.
  const std::string first = h.tokens[bob];
  for (int i = 0; i < 64; ++i) REQUIRE(summary(h.login("bob", test_host::password_of("bob"))) == "200");
  CHECK(summary(h.ask(first, "GET", whoami)) == "401 M_UNKNOWN_TOKEN");
  // Sixty registrations a minute, server-wide (populate() made four).
  for (int i = 0; i < 56; ++i)
    REQUIRE(summary(h.anonymous("POST", api("/register"),
                                dump(json{{"auth", {{"type", "m.login.dummy"}}}, {"username", "r" + std::to_string(i)}}))) ==
            "200");
  const auto refused = h.anonymous("POST", api("/register"),
                                   dump(json{{"auth", {{"type", "m.login.dummy"}}}, {"username", "one_too_many"}}));
  CHECK(summary(refused) == "429 M_LIMIT_EXCEEDED");
  CHECK(message_of(refused) == "too many registrations in the last minute; try again later");
}
