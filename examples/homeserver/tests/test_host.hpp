#ifndef HOMESERVER_TESTS_TEST_HOST_HPP
#define HOMESERVER_TESTS_TEST_HOST_HPP

// The host under test, driven without HTTP (requests go to host::handle, each run to its end
// on an io_context of its own), and the helpers that read its answers: shared by the test
// files of the host.

#include "censor_stub.hpp"
#include "run.hpp"

#include "host.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using namespace homeserver;
using homeserver::test::censor_stub;
using homeserver::test::run;

namespace homeserver::test {

// ---- The modules' configurations -----------------------------------------------------------

inline json strings(std::initializer_list<const char*> items) {
  json out = json::array();
  for (const char* item : items) out.push_back(item);
  return out;
}

inline module_entry entry(std::string name, json config, int line) {
  return module_entry{std::move(name), std::move(config), line, true, std::nullopt};
}

inline json flaky_config(const std::string& claim_path) {
  json config = {{"trigger", "crash"}, {"notify_trigger", "flood"}, {"spam_phrase", "buy now"}};
  if (!claim_path.empty()) config["claim_path"] = claim_path;
  return config;
}
inline json dummy_auth() { return {{"type", "m.login.dummy"}}; } // register's one stage

inline json censor_config() { return {{"endpoint", "http://127.0.0.1:7777/censor"}, {"timeout_ms", 1000}}; }
inline json invite_blocker_config() {
  return {{"blocked_servers", strings({"spam.example"})}, {"blocked_email_domains", strings({"spam.example"})}};
}
inline json room_guard_config() {
  return {{"forbidden_names", strings({"Crypto Giveaway"})},
          {"protected_rooms", strings({"!lobby:example.com"})},
          {"tag", "guarded-by-room_guard"}};
}
inline json account_expiry_config() {
  return {{"server_name", "example.com"},
          {"expired_users", strings({"@mallory:example.com"})},
          {"undeletable_users", strings({"@admin:example.com"})}};
}
inline json audit_config() { return {{"prefix", "audit"}}; }

// The modules of data/homeserver.yaml, in its order; flaky_module claims `claim_path` (in the
// shipped file, the audit logger's path) unless it is empty.
inline std::vector<module_entry> shipped_modules(const std::string& claim_path = "/_synapse/client/audit/count") {
  return {entry("flaky_module", flaky_config(claim_path), 12),  entry("event_censorer", censor_config(), 18),
          entry("invite_blocker", invite_blocker_config(), 22), entry("room_guard", room_guard_config(), 26),
          entry("account_expiry", account_expiry_config(), 31), entry("audit_logger", audit_config(), 36)};
}

// ---- The host under test ----------------------------------------------------------------------

inline server_config test_config() {
  server_config config;
  config.admins = {{"@admin:example.com", "the admin's password"}};
  config.password_hashing = password_cost::minimum(); // fast; what is tested is the same
  config.modules_dir = HOMESERVER_MODULES_DIR; // where the build puts the modules' libraries
  return config;
}

inline constexpr std::string_view client = "/_matrix/client/v3";
inline const std::string whoami = "/_matrix/client/v3/account/whoami";
inline const std::string lobby = "!lobby:example.com";
inline const std::string giveaway = "!giveaway:example.com";
inline const std::string alice = "@alice:example.com";
inline const std::string bob = "@bob:example.com";
inline const std::string trent = "@trent:example.com";
inline const std::string mallory = "@mallory:example.com";
inline const std::string admin = "@admin:example.com";

inline std::string api(std::string_view path) { return std::string(client) + std::string(path); }
inline std::string room_api(const std::string& room, std::string_view rest) {
  return api("/rooms/") + room + std::string(rest);
}
inline std::string message(const std::string& text) { return dump(json{{"msgtype", "m.text"}, {"body", text}}); }

inline std::string summary(const http::response& r); // (below)

struct unstarted_t {};
inline constexpr unstarted_t unstarted{};

struct test_host {
  censor_stub censor;
  std::ostringstream log;
  host server;
  std::map<std::string, std::string> tokens; // user id -> access token
  int transaction = 0;

  explicit test_host(unstarted_t) : server(test_config(), log, censor.fetcher()) {}
  explicit test_host(const std::vector<module_entry>& entries = shipped_modules()) : test_host(unstarted) {
    const auto started = server.start("test.yaml", entries);
    if (!started) FAIL(started.error());
  }

  http::response send(http::request request) { return run(server.handle(std::move(request))); }
  // With "Bearer " + token as the Authorization header, none when `token` is empty.
  http::response ask(const std::string& token, std::string method, std::string target, std::string body = {},
                     std::string content_type = "application/json") {
    http::request request{std::move(method), std::move(target), std::move(content_type),
                          token.empty() ? std::string() : "Bearer " + token, std::move(body)};
    return send(std::move(request));
  }
  http::response anonymous(std::string method, std::string target, std::string body = {}) {
    return ask("", std::move(method), std::move(target), std::move(body));
  }
  http::response as(const std::string& user_id, std::string method, std::string target, std::string body = {}) {
    const auto it = tokens.find(user_id);
    REQUIRE(it != tokens.end());
    return ask(it->second, std::move(method), std::move(target), std::move(body));
  }

  static std::string password_of(const std::string& name) { return name + " has a password"; }
  http::response login(const std::string& user, const std::string& password) {
    return anonymous("POST", api("/login"),
                     dump(json{{"type", "m.login.password"},
                               {"identifier", {{"type", "m.id.user"}, {"user", user}}},
                               {"password", password}}));
  }

  // Registers `name` with password_of(name); its token is kept for `as`. Returns the user id.
  std::string register_user(const std::string& name) {
    const auto r = anonymous("POST", api("/register"), dump(json{{"auth", dummy_auth()}, {"username", name}, {"password", password_of(name)}}));
    INFO(r.body);
    REQUIRE(r.status == 200);
    const json answer = json::parse(r.body);
    const std::string user_id = answer.at("user_id").get<std::string>();
    tokens[user_id] = answer.at("access_token").get<std::string>();
    return user_id;
  }
  http::response say(const std::string& user_id, const std::string& room, const std::string& text) {
    return as(user_id, "PUT", room_api(room, "/send/m.room.message/t" + std::to_string(++transaction)), message(text));
  }
  http::response create_room(const std::string& user_id, const std::string& alias, const std::string& name) {
    return as(user_id, "POST", api("/createRoom"), dump(json{{"room_alias_name", alias}, {"name", name}}));
  }

  // The users of the scenario, and its two rooms: alice's lobby, which bob and trent join on
  // alice's invitation, and the admin's giveaway. What the modules logged meanwhile is
  // dropped: the tests look at what comes after.
  void populate() {
    for (const char* name : {"alice", "bob", "trent", "mallory"}) register_user(name);
    const auto admin_login = login("admin", "the admin's password");
    REQUIRE(admin_login.status == 200);
    tokens[admin] = json::parse(admin_login.body).at("access_token").get<std::string>();
    REQUIRE(summary(create_room(alice, "lobby", "Lobby")) == "200");
    REQUIRE(summary(create_room(admin, "giveaway", "Crypto Giveaway")) == "200");
    for (const auto& user : {bob, trent}) {
      REQUIRE(summary(as(alice, "POST", room_api(lobby, "/invite"), dump(json{{"user_id", user}}))) == "200");
      REQUIRE(summary(as(user, "POST", room_api(lobby, "/join"))) == "200");
    }
    log.str("");
    populated = metrics();
  }
  std::string populated; // the metrics when populate() ended

  std::vector<std::string> log_lines() const {
    std::vector<std::string> out;
    std::istringstream in(log.str());
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }
  std::vector<std::string> lines_starting(std::string_view prefix) const {
    std::vector<std::string> out;
    for (auto& line : log_lines())
      if (line.starts_with(prefix)) out.push_back(line);
    return out;
  }
  // The audit lines about events (not profiles and the like).
  std::vector<std::string> event_audit_lines() const { return lines_starting("audit: $"); }

  // The bodies of the stored message events among $1..$last, as `user` reads them.
  std::vector<std::string> stored_bodies(const std::string& user_id, const std::string& room, int last) {
    std::vector<std::string> out;
    for (int id = 1; id <= last; ++id) {
      const auto r = as(user_id, "GET", room_api(room, "/event/$" + std::to_string(id)));
      if (r.status != 200) continue;
      const json e = json::parse(r.body);
      if (e.at("type") == "m.room.message") out.push_back(e.at("content").at("body").get<std::string>());
    }
    return out;
  }

  http::response metrics_answer() {
    return run(server.handle_metrics(http::request{"GET", "/_synapse/metrics", "", "", ""}));
  }
  std::string metrics() {
    const auto r = metrics_answer();
    REQUIRE(r.status == 200);
    return r.body;
  }
  // One sample of a counter family, as written; "(absent)" when there is none.
  std::string metric(std::string_view family, std::string_view callback) {
    const std::string text = metrics();
    const std::string key = std::string(family) + "{callback=\"" + std::string(callback) + "\"} ";
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
      if (line.starts_with(key)) return line.substr(key.size());
    return "(absent)";
  }
  std::string calls(std::string_view callback) { return metric("modhook_callback_calls_total", callback); }
  // The dispatches of `callback` since populate() ended.
  long new_calls(std::string_view callback) {
    const std::string key = "modhook_callback_calls_total{callback=\"" + std::string(callback) + "\"} ";
    const auto at = populated.find(key);
    REQUIRE(at != std::string::npos);
    return std::stol(calls(callback)) - std::stol(populated.substr(at + key.size()));
  }
};

// ---- Reading answers --------------------------------------------------------------------------

inline std::string header(const http::response& r, std::string_view name) {
  std::string out;
  for (const auto& [key, value] : r.headers)
    if (key == name) out += (out.empty() ? "" : ",") + value;
  return out;
}

// "STATUS [ERRCODE] [decided:MODULE] [failed:MODULE]": the status, the errcode of an error
// body, and the modules the answer names, in one comparable string.
inline std::string summary(const http::response& r) {
  std::string out = std::to_string(r.status);
  const json b = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (b.is_object() && b.contains("errcode")) out += " " + b.at("errcode").get<std::string>();
  if (const auto d = header(r, "X-Modhook-Decided-By"); !d.empty()) out += " decided:" + d;
  if (const auto f = header(r, "X-Modhook-Failed"); !f.empty()) out += " failed:" + f;
  return out;
}

// The "error" of an error body.
inline std::string message_of(const http::response& r) {
  const json b = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  return b.is_object() && b.contains("error") ? b.at("error").get<std::string>() : "(no error in " + r.body + ")";
}

inline std::string event_id_of(const http::response& r) {
  const json b = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  return b.is_object() && b.contains("event_id") ? b.at("event_id").get<std::string>() : "(no event id)";
}
inline int event_number(const http::response& r) {
  const std::string id = event_id_of(r);
  REQUIRE(id.starts_with('$'));
  return std::stoi(id.substr(1));
}

inline std::string audit_of_message(const std::string& event_id, const std::string& sender, const std::string& room,
                             int state_events) {
  return "audit: " + event_id + " m.room.message from " + sender + " in " + room + " (" + std::to_string(state_events) +
         " state events)";
}

// The histogram's buckets of one callback, in the order written: (le, cumulative count).
inline std::vector<std::pair<std::string, unsigned long long>> buckets(const std::string& text, const std::string& callback) {
  std::vector<std::pair<std::string, unsigned long long>> out;
  const std::string prefix = "modhook_callback_dispatch_seconds_bucket{callback=\"" + callback + "\",le=\"";
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with(prefix)) continue;
    const auto quote = line.find('"', prefix.size());
    REQUIRE(quote != std::string::npos);
    REQUIRE(line.substr(quote, 3) == "\"} ");
    out.emplace_back(line.substr(prefix.size(), quote - prefix.size()), std::stoull(line.substr(quote + 3)));
  }
  return out;
}

} // namespace homeserver::test

using namespace homeserver::test;

#endif
