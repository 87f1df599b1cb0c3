#ifndef HOMESERVER_HOST_HPP
#define HOMESERVER_HOST_HPP

// The reference host's logic: loads the configured modules, then answers a subset of the
// Matrix client-server and admin APIs, dispatching to the modules on the way, and serves the
// modules' web resources and the metrics. Transport-free: it takes and gives http::request
// and http::response values; main.cpp puts it behind http::server.
//
// Everything here runs on one strand, as Synapse runs on one reactor: requests interleave
// where a callback awaits (the event censorer's HTTP call), never in parallel.

#include "config.hpp"
#include "http/message.hpp"
#include "metrics.hpp"
#include "module_support.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <filesystem>

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <optional>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace homeserver {

class host {
public:
  /// `log` receives the host's and the modules' log lines; `fetch` is the modules' HTTP client.
  host(server_config config, std::ostream& log, http_fetcher fetch);
  host(const host&) = delete;
  host& operator=(const host&) = delete;
  ~host();

  /// How reload() reads the configuration file again (read_host_config, which the program
  /// links: this library does not, to stay free of yaml-cpp).
  using config_reader = std::function<modhook::expected<host_config, std::string>(const std::string& path)>;

  /// Loads the modules in order and ends start-up. On the first error (unknown module, a
  /// module rejecting its config) nothing is kept and the error names `config_path`, the
  /// entry and the problem. Without `reread`, reload() is refused.
  modhook::expected<void, std::string> start(const std::string& config_path, const std::vector<module_entry>& entries,
                                             config_reader reread = {});

  /// What a reload did: the new generation of modules, how many, and how many module calls
  /// and web requests of the previous generations were still running when it was published.
  struct reload_report {
    std::uint64_t generation = 0;
    std::size_t modules = 0;
    long calls_in_previous = 0;
    std::chrono::microseconds took{};
  };
  /// Reads the configuration file given to start() again and replaces every module by what its
  /// `modules:` list names now, each from a fresh copy of its library (a rebuilt module is
  /// loaded anew), in one change of the live registry. Module calls and web requests under
  /// way finish with the modules they began with; those are then destroyed and their
  /// libraries closed. Refused, the running modules kept, on any error, named as start() names
  /// it. The `server:` section is read at start-up only. Call on the strand.
  modhook::expected<reload_report, std::string> reload();

  /// Enables or disables a loaded module (its callbacks and web resources), until the next
  /// reload; an error names a module that is not loaded. Call on the strand.
  modhook::expected<void, std::string> set_enabled(const std::string& module, bool on);

  /// The modules as the admin API lists them: load order, state, library, each callback's
  /// call order, and the generations still held by requests.
  json module_list() const;

  /// The names of the loaded modules, in order.
  std::vector<std::string> module_names() const;

  /// Answers one request. Call on the homeserver's strand only. Every answer carries CORS
  /// headers, and OPTIONS (a browser's preflight) is answered on any path.
  boost::asio::awaitable<http::response> handle(http::request request);

  /// Answers a request on the metrics listener (its own port, as Synapse's metrics listener):
  /// GET /_synapse/metrics, Prometheus' text format; anything else 404. On the strand too.
  boost::asio::awaitable<http::response> handle_metrics(http::request request);

  /// Ends the long polls in progress (their syncs answer at once) and any to come, and stops
  /// taking password checks: call on the strand when the server stops, so that the answers go
  /// out before it exits.
  void stop_waiting();

  /// Waits for the password check in progress, if any: call once the io_context has stopped,
  /// before it is destroyed (the check's completion goes to it).
  void join_hashing();

private:
  struct call;
  struct route;
  static std::span<const route> routes();
  struct user {
    std::string password_hash; // Argon2id (credentials.hpp); empty: no password, no login
    profile_info profile;
    bool deactivated = false;
  };
  struct session {
    std::string user_id;
    std::string device_id;
    std::uint64_t opened = 0; // the order of logins: the oldest session goes first
  };
  struct room {
    std::string creator;
    state_map state;
    std::string visibility = "private";
    std::vector<std::string> timeline; // the ids of every event stored in the room, oldest first
    // The id of its m.room.create event: which room of this id it is. An event pending (a
    // module awaits) when the room is shut down must not land in a new room of the same id.
    std::string create_event;
  };
  /// An event as stored: where it is in the server's stream of events (the order of storage,
  /// which sync and messages tokens count in), and when, for clients.
  struct stored_event {
    event e;
    std::uint64_t stream = 0;
    std::int64_t origin_server_ts = 0;
  };
  using reply = boost::asio::awaitable<http::response>;

  template <auto Member, class... Args>
  auto dispatch(Args&&... args)
      -> decltype(std::declval<hooks&>().template dispatch<Member>(static_cast<Args&&>(args)...));

  void log(const std::string& line);
  room* find_room(const std::string& id);
  /// `user_id`'s membership of `r` ("join", "invite", "leave"), empty when never a member.
  static std::string membership(const room& r, const std::string& user_id);
  /// Why `actor` may not make `user_id`'s membership of `r` `membership_now`, if it may not:
  /// the rules, checked before the modules are asked and again after.
  std::optional<http::response> membership_refusal(const std::string& room_id, const room& r,
                                                   const std::string& actor, const std::string& user_id,
                                                   const std::string& membership_now) const;
  /// A 403 unless `user_id` has joined the room `room_id`; a 404 when there is no such room.
  std::optional<http::response> refuse_non_member(const std::string& room_id, const std::string& user_id);
  /// The room's state before the event at `end` of its timeline (all of it at the end).
  state_map state_before(const room& r, std::size_t end) const;
  /// The event as clients get it: with origin_server_ts and unsigned, state_key if any.
  json client_event(const stored_event& stored) const;
  bool is_admin(const std::string& user_id) const;

  // The routes (see the table, host::routes(), in host.cpp).
  reply do_register(call&);
  reply answer(http::request request);
  reply do_versions(call&);
  reply do_capabilities(call&);
  reply do_get_profile(call&);
  reply do_whoami(call&);
  reply do_login_flows(call&);
  reply do_login(call&);
  reply do_logout(call&);
  reply do_create_room(call&);
  reply do_send(call&);
  reply do_join(call&);
  reply do_join_by_alias(call&);
  reply do_leave(call&);
  reply do_messages(call&);
  reply do_sync(call&);
  reply do_create_filter(call&);
  reply do_get_filter(call&);
  reply do_push_rules(call&);
  reply do_send_state(call&);
  reply do_get_event(call&);
  reply do_get_state(call&);
  reply do_invite(call&);
  reply do_visibility(call&);
  reply do_displayname(call&);
  reply do_avatar(call&);
  reply do_deactivate(call&);
  reply do_admin_deactivate(call&);
  reply do_admin_user(call&);
  reply do_bind(call&);
  reply do_upload(call&);
  reply do_shutdown(call&);
  reply do_list_modules(call&);
  reply do_reload(call&);
  reply do_enable_module(call&);
  reply do_disable_module(call&);
  reply send_event(call&, std::string type, std::optional<std::string> state_key);
  /// Asks the modules about `e` (check_event_for_spam too when `from_client_message`, as
  /// Synapse for non-membership events), stores it, announces it (on_new_event) and wakes the
  /// long polls: 200 {"event_id"}, or the refusal.
  reply store_event(event e, bool from_client_message);
  /// Stores `e` in its room (which exists): its state, its timeline, the stream.
  void put(event e);
  void remove_room(const std::string& room_id);
  reply change_membership(call&, std::string room_id, std::string user_id, std::string membership);
  /// The sync answer of `user_id` since the stream position `since` (0: an initial sync), and
  /// whether it carries anything.
  std::pair<json, bool> sync_answer(const std::string& user_id, std::uint64_t since, std::size_t limit) const;
  reply update_profile(call&, bool avatar);
  reply deactivate(std::string user_id, bool by_admin);
  /// Nothing when the request's token names a user whose account is valid; else the answer.
  boost::asio::awaitable<std::optional<http::response>> authenticate(call&);
  reply serve_web_resource(call&);

  /// One configuration's modules and what the host gave them (host.cpp).
  struct generation;
  /// Loads `entries` as the next generation, in one change that unloads the current modules:
  /// the new generation, or the error, named after `config_path` and the entry.
  modhook::expected<std::shared_ptr<generation>, std::string> load_generation(const std::string& config_path,
                                                                             const std::vector<module_entry>& entries);

  server_config config_;
  std::ostream* log_;
  http_fetcher fetch_;
  std::unique_ptr<hooks> hooks_; // one for the host's life: modules come and go in it
  // The current generation. A module call or a web request holds the generation it began in,
  // so that a replaced module's services, web handlers and library outlive it (~host says
  // in which order they go).
  std::shared_ptr<generation> generation_;
  std::vector<std::weak_ptr<generation>> previous_; // replaced generations, while requests hold them
  std::uint64_t generations_ = 0;
  std::string config_path_;
  config_reader reread_;
  std::filesystem::path copies_; // the libraries' copies, one folder per generation (made at the first load)
  callback_metrics metrics_;
  std::map<std::string, user, std::less<>> users_;
  std::map<std::string, session, std::less<>> tokens_; // access token -> who
  /// A new session of `user_id`: its token and device id, answered as register and login do.
  json open_session(const std::string& user_id);
  /// The Argon2id hash of `password`, made on hashing_ (off the host's strand, one at a time),
  /// and whether it matches `hash`: a hash costs tens of milliseconds, which on the strand
  /// would hold every other request.
  boost::asio::awaitable<std::string> hash_off_strand(std::string password);
  boost::asio::awaitable<bool> matches_off_strand(std::string hash, std::string password);
  boost::asio::thread_pool hashing_{1};
  std::size_t hashes_queued_ = 0; // made or waiting on hashing_: at most most_queued_hashes
  struct queued_hash;
  /// Wrong passwords of a user in the current minute: from the fifth, logins of the user are
  /// refused (429) until the minute ends, as Synapse's rc_login.failed_attempts.
  struct login_failures {
    unsigned count = 0;   // wrong passwords since `since`
    unsigned pending = 0; // passwords being checked: counted before the check, as failures
    std::chrono::steady_clock::time_point since;
  };
  std::map<std::string, login_failures, std::less<>> failed_logins_; // users that exist only
  std::string unknown_user_hash_; // compared with for an unknown user, so that it takes as long
  std::map<std::string, room, std::less<>> rooms_;
  std::map<std::string, stored_event, std::less<>> events_;
  std::uint64_t next_event_ = 1;
  std::uint64_t stream_ = 0; // the position of the last event stored
  std::map<std::string, std::vector<json>, std::less<>> filters_; // user id -> filters, by index
  /// The rooms each user has a membership of (any: join, invite, leave): what their sync reads.
  std::map<std::string, std::set<std::string, std::less<>>, std::less<>> rooms_of_;
  /// Syncs waiting for an event, by user: an event wakes the syncs of its room's users only.
  std::multimap<std::string, boost::asio::steady_timer*, std::less<>> long_polls_;
  struct waiting_sync; // a place in long_polls_, for as long as a sync waits
  bool stop_waiting_ = false;
  std::uint64_t sessions_opened_ = 0;
  /// Registrations of the last minute, when they began: at most most_registrations_a_minute.
  std::vector<std::chrono::steady_clock::time_point> registrations_;
};

} // namespace homeserver

#endif
