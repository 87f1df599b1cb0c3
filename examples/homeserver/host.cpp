#include "host.hpp"

#include "credentials.hpp"
#include "text.hpp"

#include <modhook/shared_module.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <tuple>
#include <exception>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <system_error>

namespace homeserver {

namespace {

// ---- Outcomes ---------------------------------------------------------------------------

std::string what_failed(const modhook::failure<>& f) {
  try {
    f.rethrow_if_thrown();
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
  return "returned an error";
}

template <class Result>
std::string decided_by(const Result& result) {
  return result.decided_by() ? std::string(result.decided_by()->name) : std::string("?");
}

// How one dispatch counts in the metrics: passed, rejected, failures.
template <class T, class E>
callback_metrics::outcome classify(const modhook::verdict<T, E>& v) {
  return {v.passed(), v.rejected(), v.failure_count()};
}
// check_event_allowed: a replacement is an accepted event, not a rejection.
template <class E>
callback_metrics::outcome classify(const modhook::verdict<allow_result, E>& v) {
  const bool replaced = v.rejected() && v.rejection().allowed;
  return {v.passed() || replaced, v.rejected() && !replaced, v.failure_count()};
}
// is_user_expired: "expired" is the rejection.
template <class E>
callback_metrics::outcome classify(const modhook::answer<bool, E>& a) {
  if (a.failed()) return {false, false, a.failure_count()};
  return {!a.value_or(false), a.value_or(false), a.failure_count()};
}
template <class E>
callback_metrics::outcome classify(const modhook::completion<E>& c) {
  return {c.ok(), false, c.failure_count()};
}

std::string name_of(const modhook::callback_ref& c) { return std::string(c.category) + "::" + std::string(c.name); }

template <class Category>
void list_callbacks(std::vector<std::string>& out) {
  for (const auto name : modhook::callback_names<Category>)
    out.push_back(std::string(modhook::category_name<Category>) + "::" + std::string(name));
}

std::vector<std::string> all_callbacks() {
  std::vector<std::string> out;
  list_callbacks<spam_checker>(out);
  list_callbacks<account_validity>(out);
  list_callbacks<third_party_rules>(out);
  return out;
}

// ---- Answers ----------------------------------------------------------------------------

http::response ok(const json& body) { return {200, "application/json", dump(body), {}}; }

http::response error(int status, std::string errcode, std::string message) {
  return {status, "application/json", dump(json{{"errcode", std::move(errcode)}, {"error", std::move(message)}}), {}};
}

// The module that made the answer, for clients and the transcript. Not part of Matrix.
http::response& decided(http::response& r, const std::string& module) {
  r.headers.emplace_back("X-Modhook-Decided-By", module);
  return r;
}
http::response& failed(http::response& r, const std::string& module) {
  r.headers.emplace_back("X-Modhook-Failed", module);
  return r;
}
// A failure that did not decide (fail open, notifications) is reported all the same.
template <class Result>
http::response& note_failures(http::response& r, const Result& result) {
  if (result.first_failure()) failed(r, std::string(result.first_failure()->module.name));
  return r;
}

// A decision of a fail-closed check that failed: 500, naming the failing module.
template <class Result>
http::response module_failed(const Result& result, const std::string& what) {
  auto r = error(500, "M_UNKNOWN", what + ": module '" + decided_by(result) + "' failed");
  return failed(r, decided_by(result));
}

// A module's refusal: 403, naming the module that decided (and any that failed before it).
template <class Result>
http::response refused(const std::string& what, const Result& result) {
  auto r = error(403, "M_FORBIDDEN", what + " refused by module '" + decided_by(result) + "'");
  note_failures(r, result);
  return decided(r, decided_by(result));
}

// ---- Paths ------------------------------------------------------------------------------

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decoded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size() || hex(text[i + 1]) < 0 || hex(text[i + 2]) < 0) return std::nullopt;
    out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
    i += 2;
  }
  return out;
}

// "/a/b/" -> {"a", "b", ""}: a trailing slash is an empty last segment (an empty state key).
std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.starts_with('/')) path.remove_prefix(1);
  for (;;) {
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return out;
    path.remove_prefix(slash + 1);
  }
}

bool valid_local_part(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (const char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '=' || c == '-' || c == '/'))
      return false;
  return true;
}

// ---- Modules ----------------------------------------------------------------------------

bool is_module_name(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (const char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return false;
  return true;
}

// The modules a directory holds (its NAME.so files), sorted, for the error that names none.
std::string modules_in(const std::string& directory) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& file : std::filesystem::directory_iterator(directory, error))
    if (file.path().extension() == ".so" && is_module_name(file.path().stem().string()))
      names.push_back(file.path().stem().string());
  if (error) return "nothing readable: " + error.message();
  if (names.empty()) return "no modules";
  std::sort(names.begin(), names.end());
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

} // namespace

// ---- The routes -------------------------------------------------------------------------

struct host::call {
  http::request request;
  std::vector<std::string> params; // the {placeholders} of the route's pattern, decoded
  std::map<std::string, std::string, std::less<>> query;
  json body;           // the request's JSON object, for routes that take one
  std::string user_id; // who is authenticated, for routes that need it
  std::string token;   // the access token it came with

  const std::string& param(std::size_t i) const { return params.at(i); }
  // A member of the body of the expected kind, or a 400 thrown as bad_request.
  const json& member(std::string_view key, json::value_t kind) const;
  std::optional<std::string> optional_string(std::string_view key) const;
};

namespace {
// What a route throws when the request's body lacks what it needs.
struct bad_request : std::runtime_error {
  std::string errcode;
  bad_request(std::string code, const std::string& message) : std::runtime_error(message), errcode(std::move(code)) {}
};
// What a route throws when the server will not do it now: 429 M_LIMIT_EXCEEDED.
struct rate_limited : std::runtime_error {
  std::chrono::milliseconds retry_after;
  rate_limited(const std::string& message, std::chrono::milliseconds after)
      : std::runtime_error(message), retry_after(after) {}
};

http::response too_many(const rate_limited& e) {
  return {429, "application/json",
          dump(json{{"errcode", "M_LIMIT_EXCEEDED"}, {"error", e.what()}, {"retry_after_ms", e.retry_after.count()}}),
          {}};
}

// Hashes made or waiting at once: each costs tens of milliseconds of the one hashing thread,
// so a flood of logins would otherwise queue without end and delay every login behind it.
constexpr std::size_t most_queued_hashes = 16;
constexpr unsigned most_failed_logins = 5; // per user and minute
constexpr std::size_t most_sessions = 64;   // per user
// Registration is open and needs no password: without a bound, accounts would grow as fast as
// a client can ask. Synapse bounds it per address; the host sees no addresses, so the bound is
// the server's.
constexpr std::size_t most_registrations_a_minute = 60;
} // namespace

const json& host::call::member(std::string_view key, json::value_t kind) const {
  const auto it = body.find(key);
  if (it == body.end()) throw bad_request("M_MISSING_PARAM", "missing '" + std::string(key) + "'");
  const bool matches = it->type() == kind || (kind == json::value_t::number_integer && it->is_number_unsigned());
  if (!matches) throw bad_request("M_BAD_JSON", "'" + std::string(key) + "' has the wrong type");
  return *it;
}

std::optional<std::string> host::call::optional_string(std::string_view key) const {
  const auto it = body.find(key);
  if (it == body.end()) return std::nullopt;
  if (!it->is_string()) throw bad_request("M_BAD_JSON", "'" + std::string(key) + "' must be a string");
  return it->get<std::string>();
}

struct host::route {
  enum class access { anyone, user, admin };
  std::string_view method;
  std::string_view pattern; // "{}" matches one segment
  access who;
  bool json_body;
  reply (host::*handle)(call&);
};

host::host(server_config config, std::ostream& log, http_fetcher fetch)
    : config_(std::move(config)), log_(&log), fetch_(std::move(fetch)), hooks_(std::make_unique<hooks>()),
      metrics_(all_callbacks()) {
  (void)hooks_->on_failure([this](const modhook::failure<>& f) {
    this->log("! " + std::string(f.module.name) + " failed in " + name_of(f.callback) + ": " + what_failed(f));
  });
  // The admins exist from the start, with their passwords (they log in): registering one of
  // their names is refused as taken. No module is asked: there is no registration. The
  // passwords are not kept.
  for (auto& admin : config_.admins) {
    const std::string name = admin.user_id.substr(1, admin.user_id.find(':') - 1);
    users_[admin.user_id] = user{hash_password(admin.password, config_.password_hashing), profile_info{name, {}}, false};
    admin.password.clear();
  }
  unknown_user_hash_ = hash_password(random_token(""), config_.password_hashing);
}

namespace {
awaitable<std::string> hash_in_pool(std::string password, password_cost cost) {
  co_return hash_password(password, cost);
}
awaitable<bool> compare_in_pool(std::string hash, std::string password) { co_return password_matches(hash, password); }
} // namespace

// A place in the hashing queue, for as long as a hash is made or waited for; rate_limited
// when there is none.
struct host::queued_hash {
  host& h;
  explicit queued_hash(host& owner) : h(owner) {
    if (h.hashes_queued_ >= most_queued_hashes)
      throw rate_limited("too many password checks at once; try again", std::chrono::milliseconds(1000));
    ++h.hashes_queued_;
  }
  queued_hash(const queued_hash&) = delete;
  queued_hash& operator=(const queued_hash&) = delete;
  ~queued_hash() { --h.hashes_queued_; }
};

awaitable<std::string> host::hash_off_strand(std::string password) {
  const queued_hash place(*this);
  co_return co_await boost::asio::co_spawn(hashing_, hash_in_pool(std::move(password), config_.password_hashing),
                                           boost::asio::use_awaitable);
}

awaitable<bool> host::matches_off_strand(std::string hash, std::string password) {
  const queued_hash place(*this);
  co_return co_await boost::asio::co_spawn(hashing_, compare_in_pool(std::move(hash), std::move(password)),
                                           boost::asio::use_awaitable);
}

// One configuration's modules, and what the host gave them: their services, their web
// resources, the host's own handle of each library. A module call or a web request holds the
// generation it began in. Its members go in reverse order: the hold on the modules first (the
// last hold destroys them, in reverse load order, while what they were given is still here),
// then the web handlers (module code), the services, the host's handles of the libraries
// (which unmaps them), and last the folder of their copies.
struct host::generation {
  struct removed_folder {
    std::filesystem::path path;
    removed_folder() = default;
    removed_folder(const removed_folder&) = delete;
    removed_folder& operator=(const removed_folder&) = delete;
    ~removed_folder() {
      std::error_code ignored;
      if (!path.empty()) std::filesystem::remove_all(path, ignored);
    }
  };
  struct library {
    std::string module;
    std::filesystem::path source, copy;
    std::unique_ptr<void, int (*)(void*)> handle{nullptr, ::dlclose};
  };
  removed_folder folder;
  std::vector<library> libraries; // in the order of the entries
  std::vector<std::unique_ptr<module_services>> services;
  web_resources web;
  std::set<std::string, std::less<>> disabled; // whose web resources are not served
  bool started = false;            // until the load ends, what the modules log waits in `pending`
  std::vector<std::string> pending;
  std::uint64_t number = 0;
  hooks::snapshot modules;
};

host::~host() {
  // The modules go first, in reverse load order, with the registry they were loaded in still
  // here; then what the current generation gave them. (Replaced generations are gone: the
  // io_context, and with it every request, ends before the host.)
  if (generation_) generation_->modules = {};
  hooks_.reset();
  generation_.reset();
  std::error_code ignored;
  if (!copies_.empty()) std::filesystem::remove_all(copies_, ignored);
}

// Every line, the modules' too, escaped: what a client sent may be in it.
void host::log(const std::string& line) { *log_ << escaped_for_log(line) << '\n' << std::flush; }

modhook::expected<void, std::string> host::start(const std::string& config_path,
                                                 const std::vector<module_entry>& entries, config_reader reread) {
  auto loaded = load_generation(config_path, entries);
  if (!loaded) return modhook::unexpected(std::move(loaded).error());
  config_path_ = config_path;
  reread_ = std::move(reread);
  return {};
}

modhook::expected<host::reload_report, std::string> host::reload() {
  const auto began = std::chrono::steady_clock::now();
  if (!reread_) return modhook::unexpected(std::string("this host was started without a way to read its config again"));
  auto config = reread_(config_path_);
  if (!config) {
    log("reload refused, the running modules kept: " + config.error());
    return modhook::unexpected(std::move(config).error());
  }
  std::shared_ptr<generation> previous = generation_;
  auto loaded = load_generation(config_path_, config->modules);
  if (!loaded) {
    log("reload refused, the running modules kept: " + loaded.error());
    return modhook::unexpected(std::move(loaded).error());
  }
  reload_report report;
  report.generation = (*loaded)->number;
  report.modules = config->modules.size();
  // The previous generations' holders, this function's own hold of the last one aside.
  std::erase_if(previous_, [](const std::weak_ptr<generation>& g) { return g.expired(); });
  for (const auto& g : previous_) report.calls_in_previous += g.use_count();
  if (previous) {
    report.calls_in_previous += previous.use_count() - 1;
    previous_.push_back(previous);
  }
  previous.reset(); // destroyed here when nothing runs in it
  report.took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - began);
  log("modules reloaded from " + config_path_ + ": generation " + std::to_string(report.generation) + ", " +
      std::to_string(report.modules) + " modules, " + std::to_string(report.calls_in_previous) +
      " requests still in previous modules, in " + std::to_string(report.took.count()) + " us");
  return report;
}

modhook::expected<std::shared_ptr<host::generation>, std::string>
host::load_generation(const std::string& config_path, const std::vector<module_entry>& entries) {
  // Everything is built aside, and kept only if every module loads.
  auto next = std::make_shared<generation>();
  next->number = generations_ + 1;
  std::error_code error;
  if (copies_.empty() && !entries.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path(error) / "homeserver-modules-XXXXXX").string();
    if (error || ::mkdtemp(pattern.data()) == nullptr)
      return modhook::unexpected(config_path + ": cannot make a folder for the modules' libraries in " +
                                 std::filesystem::temp_directory_path(error).string());
    copies_ = pattern;
  }
  if (!entries.empty()) {
    // (A refused attempt's folder, should its removal have failed, is made anew.)
    next->folder.path = copies_ / std::to_string(next->number);
    std::filesystem::remove_all(next->folder.path, error);
    if (!std::filesystem::create_directory(next->folder.path, error))
      return modhook::unexpected(config_path + ": cannot make " + next->folder.path.string() + ": " + error.message());
  }
  int index = 0;
  for (const auto& entry : entries) {
    ++index;
    const std::string where = config_path + ":" + std::to_string(entry.line) + ": modules entry " +
                              std::to_string(index) + " (" + entry.module + ")";
    // As Synapse resolves an import path: a name, found as NAME.so in the modules directory.
    if (!is_module_name(entry.module))
      return modhook::unexpected(where +
                                 ": 'module' must be a module's name (letters, digits, '_' and '-'), not a path");
    if (config_.modules_dir.empty()) return modhook::unexpected(where + ": no modules directory is configured");
    if (!std::filesystem::is_directory(config_.modules_dir, error))
      return modhook::unexpected(
          where + ": the modules directory " + config_.modules_dir + " " +
          (std::filesystem::exists(config_.modules_dir, error) ? "is not a directory" : "does not exist"));
    const std::filesystem::path library = std::filesystem::path(config_.modules_dir) / (entry.module + ".so");
    if (!std::filesystem::exists(library, error))
      return modhook::unexpected(where + ": unknown module: no " + library.filename().string() + " in " +
                                 config_.modules_dir + " (it holds: " + modules_in(config_.modules_dir) + ")");
    // A copy of its own: the dynamic loader would hand back a library already open under the
    // same file, the previous generation's, and never load a rebuilt one. (A module listed
    // twice has one copy; the registry refuses the second.)
    generation::library copy{entry.module, library, next->folder.path / library.filename()};
    if (!std::filesystem::exists(copy.copy, error) && !std::filesystem::copy_file(library, copy.copy, error))
      return modhook::unexpected(where + ": cannot copy " + library.string() + ": " + error.message());
    // The host's own handle: a web resource's handler is module code, and may outlive the
    // module (a constructor that throws after registering one leaves it in `web`).
    copy.handle.reset(::dlopen(copy.copy.c_str(), RTLD_NOW | RTLD_LOCAL));
    next->libraries.push_back(std::move(copy));
    generation* g = next.get();
    next->services.push_back(std::make_unique<module_services>(
        entry.module, next->web,
        [this, g](const std::string& line) {
          if (g->started)
            log(line);
          else
            g->pending.push_back(line);
        },
        fetch_));
  }

  std::vector<std::string> current;
  for (const auto& m : hooks_->modules()) current.push_back(m.name);
  std::string refused;
  auto changed = hooks_->change([&](hooks::editor& e) -> modhook::expected<void, modhook::registration_error> {
    for (const auto& name : current) {
      if (auto gone = e.unload(name); !gone) return gone;
      if (auto unplaced = e.unplace(name); !unplaced) return unplaced;
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const module_entry& entry = entries[i];
      refused = config_path + ":" + std::to_string(entry.line) + ": modules entry " + std::to_string(i + 1) + " (" +
                entry.module + ")";
      auto loaded = modhook::load_shared<const json&, module_services&>(e, entry.module, next->libraries[i].copy,
                                                                        entry.config, *next->services[i]);
      if (!loaded) return modhook::unexpected(std::move(loaded).error());
      if (entry.place)
        if (auto placed = e.place(entry.module, *entry.place); !placed) return placed;
      if (!entry.enabled) {
        if (auto off = e.disable(entry.module); !off) return off;
        next->disabled.insert(entry.module);
      }
    }
    refused = config_path; // a cycle among the placements is found once every module is in
    return {};
  });
  if (!changed) {
    // The error names the file the entry names, not the copy.
    std::string why = changed.error().message();
    for (const auto& library : next->libraries)
      for (auto at = why.find(library.copy.string()); at != std::string::npos;
           at = why.find(library.copy.string(), at + library.source.string().size()))
        why.replace(at, library.copy.string().size(), library.source.string());
    return modhook::unexpected(refused + ": " + why);
  }
  next->web.seal();
  next->modules = hooks_->hold();
  generations_ = next->number;
  generation_ = next;
  next->started = true;
  for (const auto& line : next->pending) log(line);
  next->pending.clear();
  return next;
}

modhook::expected<void, std::string> host::set_enabled(const std::string& module, bool on) {
  auto changed = on ? hooks_->enable(module) : hooks_->disable(module);
  if (!changed) return modhook::unexpected(changed.error().message());
  if (on)
    generation_->disabled.erase(module);
  else
    generation_->disabled.insert(module);
  log(std::string("module ") + module + (on ? " enabled" : " disabled"));
  return {};
}

namespace {
template <auto... Members>
json call_orders(const hooks& h) {
  json out = json::object();
  ((out[name_of(modhook::callback_name<Members>)] = h.template order<Members>()), ...);
  return out;
}
} // namespace

json host::module_list() const {
  json modules = json::array();
  std::size_t position = 0;
  for (const auto& m : hooks_->modules()) {
    json item{{"name", m.name}, {"load_order", ++position}, {"enabled", m.enabled}};
    if (generation_)
      for (const auto& library : generation_->libraries)
        if (library.module == m.name) {
          item["library"] = library.source.string();
          item["loaded_from"] = library.copy.string();
        }
    modules.push_back(std::move(item));
  }
  json previous = json::array();
  for (const auto& g : previous_)
    if (const auto held = g.lock()) previous.push_back({{"generation", held->number}, {"held_by", g.use_count() - 1}});
  return json{{"generation", generations_},
              {"config", config_path_},
              {"modules", std::move(modules)},
              {"call_order",
               call_orders<&spam_checker::check_event_for_spam, &spam_checker::user_may_invite,
                           &spam_checker::user_may_create_room, &spam_checker::check_media_file_for_spam,
                           &account_validity::is_user_expired, &account_validity::on_user_registration,
                           &third_party_rules::check_event_allowed, &third_party_rules::on_create_room,
                           &third_party_rules::check_threepid_can_be_invited,
                           &third_party_rules::check_visibility_can_be_modified,
                           &third_party_rules::check_can_shutdown_room, &third_party_rules::check_can_deactivate_user,
                           &third_party_rules::on_new_event, &third_party_rules::on_profile_update,
                           &third_party_rules::on_user_deactivation_status_changed,
                           &third_party_rules::on_threepid_bind>(*hooks_)},
              {"previous_generations_in_use", std::move(previous)}};
}

std::vector<std::string> host::module_names() const {
  std::vector<std::string> out;
  for (const auto& m : hooks_->modules()) out.push_back(m.name);
  return out;
}

template <auto Member, class... Args>
auto host::dispatch(Args&&... args)
    -> decltype(std::declval<hooks&>().template dispatch<Member>(static_cast<Args&&>(args)...)) {
  // The modules' services and web handlers, for as long as one of the modules may run.
  const std::shared_ptr<generation> in_use = generation_;
  const auto start = std::chrono::steady_clock::now();
  auto result = co_await hooks_->template dispatch<Member>(static_cast<Args&&>(args)...);
  metrics_.record(name_of(modhook::callback_name<Member>), classify(result), std::chrono::steady_clock::now() - start);
  co_return result;
}

host::room* host::find_room(const std::string& id) {
  const auto it = rooms_.find(id);
  return it == rooms_.end() ? nullptr : &it->second;
}

bool host::is_admin(const std::string& user_id) const {
  for (const auto& admin : config_.admins)
    if (admin.user_id == user_id) return true;
  return false;
}

std::span<const host::route> host::routes() {
  using a = route::access;
  // The API, one line per endpoint; "{}" matches one path segment.
  static const route table[] = {
      {"GET", "/_matrix/client/versions", a::anyone, false, &host::do_versions},
      {"GET", "/_matrix/client/v3/capabilities", a::user, false, &host::do_capabilities},
      {"POST", "/_matrix/client/v3/register", a::anyone, true, &host::do_register},
      {"GET", "/_matrix/client/v3/account/whoami", a::user, false, &host::do_whoami},
      {"GET", "/_matrix/client/v3/login", a::anyone, false, &host::do_login_flows},
      {"POST", "/_matrix/client/v3/login", a::anyone, true, &host::do_login},
      {"POST", "/_matrix/client/v3/logout", a::user, false, &host::do_logout},
      {"POST", "/_matrix/client/v3/createRoom", a::user, true, &host::do_create_room},
      {"PUT", "/_matrix/client/v3/rooms/{}/send/{}/{}", a::user, true, &host::do_send},
      {"PUT", "/_matrix/client/v3/rooms/{}/state/{}/{}", a::user, true, &host::do_send_state},
      {"PUT", "/_matrix/client/v3/rooms/{}/state/{}", a::user, true, &host::do_send_state},
      {"GET", "/_matrix/client/v3/rooms/{}/state/{}/{}", a::user, false, &host::do_get_state},
      {"GET", "/_matrix/client/v3/rooms/{}/state/{}", a::user, false, &host::do_get_state},
      {"GET", "/_matrix/client/v3/rooms/{}/event/{}", a::user, false, &host::do_get_event},
      {"POST", "/_matrix/client/v3/rooms/{}/invite", a::user, true, &host::do_invite},
      {"POST", "/_matrix/client/v3/rooms/{}/join", a::user, false, &host::do_join},
      {"POST", "/_matrix/client/v3/join/{}", a::user, false, &host::do_join_by_alias},
      {"POST", "/_matrix/client/v3/rooms/{}/leave", a::user, false, &host::do_leave},
      {"GET", "/_matrix/client/v3/rooms/{}/messages", a::user, false, &host::do_messages},
      {"GET", "/_matrix/client/v3/sync", a::user, false, &host::do_sync},
      {"POST", "/_matrix/client/v3/user/{}/filter", a::user, true, &host::do_create_filter},
      {"GET", "/_matrix/client/v3/user/{}/filter/{}", a::user, false, &host::do_get_filter},
      {"GET", "/_matrix/client/v3/pushrules/", a::user, false, &host::do_push_rules},
      {"PUT", "/_matrix/client/v3/directory/list/room/{}", a::user, true, &host::do_visibility},
      {"GET", "/_matrix/client/v3/profile/{}", a::anyone, false, &host::do_get_profile},
      {"GET", "/_matrix/client/v3/profile/{}/{}", a::anyone, false, &host::do_get_profile},
      {"PUT", "/_matrix/client/v3/profile/{}/displayname", a::user, true, &host::do_displayname},
      {"PUT", "/_matrix/client/v3/profile/{}/avatar_url", a::user, true, &host::do_avatar},
      {"POST", "/_matrix/client/v3/account/deactivate", a::user, true, &host::do_deactivate},
      {"POST", "/_matrix/client/v3/account/3pid/bind", a::user, true, &host::do_bind},
      {"POST", "/_matrix/media/v3/upload", a::user, false, &host::do_upload},
      {"POST", "/_synapse/admin/v1/deactivate/{}", a::admin, true, &host::do_admin_deactivate},
      {"PUT", "/_synapse/admin/v2/users/{}", a::admin, true, &host::do_admin_user},
      {"DELETE", "/_synapse/admin/v1/rooms/{}", a::admin, false, &host::do_shutdown},
      // Not Synapse's: its modules change only with a restart.
      {"GET", "/_synapse/admin/v1/modules", a::admin, false, &host::do_list_modules},
      {"POST", "/_synapse/admin/v1/modules/reload", a::admin, false, &host::do_reload},
      {"POST", "/_synapse/admin/v1/modules/{}/enable", a::admin, false, &host::do_enable_module},
      {"POST", "/_synapse/admin/v1/modules/{}/disable", a::admin, false, &host::do_disable_module},
  };
  return table;
}

awaitable<http::response> host::handle(http::request request) {
  http::response r;
  if (request.method == "OPTIONS") // (not in a ?: with the co_await: g++ 12 would destroy the result twice)
    r = ok(json::object());
  else
    r = co_await answer(std::move(request));
  // As Synapse: any origin may call (a browser client such as Element, or matrix-js-sdk in a
  // page); the token in Authorization, not a cookie, is what authenticates.
  r.headers.emplace_back("Access-Control-Allow-Origin", "*");
  r.headers.emplace_back("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, DELETE, OPTIONS");
  r.headers.emplace_back("Access-Control-Allow-Headers", "X-Requested-With, Content-Type, Authorization, Date");
  co_return r;
}

awaitable<http::response> host::answer(http::request request) {
  call c{std::move(request), {}, {}, {}, {}, {}};
  std::string_view target = c.request.target;
  const auto question = target.find('?');
  // The r0 paths of older clients are the v3 ones.
  constexpr std::string_view r0 = "/_matrix/client/r0/";
  const std::string v3_path = target.starts_with(r0)
                                  ? "/_matrix/client/v3/" + std::string(target.substr(r0.size(), question - r0.size()))
                                  : std::string(target.substr(0, question));
  const std::string_view path = v3_path;
  if (question != std::string_view::npos) {
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
      const auto amp = query.find('&');
      const std::string_view pair = query.substr(0, amp);
      const auto eq = pair.find('=');
      auto key = percent_decoded(pair.substr(0, eq));
      auto value = percent_decoded(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
      if (!key || !value) co_return error(400, "M_UNKNOWN", "malformed query string");
      c.query[*key] = *value;
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    }
  }
  const auto parts = segments(path);

  const route* chosen = nullptr;
  bool path_known = false;
  for (const route& r : routes()) {
    const auto pattern = segments(r.pattern);
    if (pattern.size() != parts.size()) continue;
    bool matches = true;
    for (std::size_t i = 0; i < parts.size() && matches; ++i) matches = pattern[i] == "{}" || pattern[i] == parts[i];
    if (!matches) continue;
    std::vector<std::string> params;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (pattern[i] != "{}") continue;
      auto decoded = percent_decoded(parts[i]);
      if (!decoded) co_return error(400, "M_UNKNOWN", "malformed percent-encoding in the path");
      // Parameters name rooms, users, event types and state keys: text, as in JSON.
      if (!is_plain_text(*decoded))
        co_return error(400, "M_INVALID_PARAM", "a path parameter is not UTF-8 text without control characters");
      params.push_back(std::move(*decoded));
    }
    if (!matches) continue;
    path_known = true;
    if (r.method != c.request.method) continue;
    chosen = &r;
    c.params = std::move(params);
    break;
  }
  if (chosen == nullptr) {
    if (path_known)
      co_return error(405, "M_UNRECOGNIZED", c.request.method + " is not allowed on " + std::string(path));
    if (generation_ && generation_->web.find(path) != nullptr) co_return co_await serve_web_resource(c);
    co_return error(404, "M_UNRECOGNIZED", "unrecognized request: " + std::string(path));
  }

  // Who asks, before what is asked is read: a body costs a parse, which a request without a
  // valid token does not get.
  if (chosen->who != route::access::anyone) {
    if (auto refused = co_await authenticate(c)) co_return std::move(*refused);
    if (chosen->who == route::access::admin && !is_admin(c.user_id))
      co_return error(403, "M_FORBIDDEN", c.user_id + " is not a server admin");
  }
  if (chosen->json_body) {
    // One level less than anything else read: an event carries what a client sends (its
    // content, a createRoom request) one level down.
    json_reading body = read_json(c.request.body, max_json_depth - 1);
    if (!body) co_return error(400, std::string(body.errcode), "the request body " + body.reason);
    c.body = std::move(body.value);
    if (!c.body.is_object()) co_return error(400, "M_BAD_JSON", "the request body must be a JSON object");
  }
  std::optional<http::response> refused;
  try {
    co_return co_await (this->*chosen->handle)(c);
  } catch (const bad_request& e) {
    refused = error(400, e.errcode, e.what());
  } catch (const json::exception& e) {
    refused = error(400, "M_BAD_JSON", e.what());
  } catch (const rate_limited& e) {
    refused = too_many(e);
  }
  co_return std::move(*refused);
}

awaitable<std::optional<http::response>> host::authenticate(call& c) {
  constexpr std::string_view bearer = "Bearer ";
  const std::string& header = c.request.authorization;
  if (!header.starts_with(bearer)) co_return error(401, "M_MISSING_TOKEN", "missing access token");
  const auto token = tokens_.find(std::string_view(header).substr(bearer.size()));
  if (token == tokens_.end()) co_return error(401, "M_UNKNOWN_TOKEN", "unrecognised access token");
  c.user_id = token->second.user_id;
  c.token = token->first;
  // (A deactivated user has no tokens: deactivation deletes them, login refuses the user.)
  // As Synapse, every authenticated request asks whether the account has expired.
  const auto expired = co_await dispatch<&account_validity::is_user_expired>(c.user_id);
  if (expired.failed()) co_return module_failed(expired, "cannot tell whether the account expired");
  if (expired.has_value() && *expired) {
    auto r = error(403, "ORG_MATRIX_EXPIRED_ACCOUNT", "the account has expired");
    co_return decided(r, decided_by(expired));
  }
  co_return std::nullopt;
}

awaitable<http::response> host::serve_web_resource(call& c) {
  const auto path = c.request.target.substr(0, c.request.target.find('?'));
  // The generation holds the module (and its library) while its handler runs, a reload or not.
  const std::shared_ptr<generation> in_use = generation_;
  const web_resources::resource& resource = *in_use->web.find(path);
  if (in_use->disabled.contains(resource.module))
    co_return error(404, "M_UNRECOGNIZED", "unrecognized request: " + std::string(path) + " (its module '" +
                                               resource.module + "' is disabled)");
  std::optional<web_response> answer;
  std::string failure;
  try {
    web_request asked{c.request.method, c.request.body}; // g++ 12 destroys temporaries in co_await twice
    answer = co_await resource.handler(std::move(asked));
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "an exception that is not a std::exception";
  }
  if (!answer) {
    auto r = error(500, "M_UNKNOWN", "the web resource of module '" + resource.module + "' failed: " + failure);
    co_return failed(r, resource.module);
  }
  http::response r{answer->status, "application/json", std::move(answer->body), {}};
  co_return decided(r, resource.module);
}

// ---- Accounts ---------------------------------------------------------------------------

// User-interactive authentication with one stage, m.login.dummy, as Synapse configured
// without e-mail or captcha: a request without `auth` learns the flow (401), a request with
// it registers. The session is not kept: the dummy stage proves nothing to keep.
awaitable<http::response> host::do_register(call& c) {
  if (const auto kind = c.query.find("kind"); kind != c.query.end() && kind->second != "user")
    co_return error(403, "M_FORBIDDEN", "only user accounts are registered here (no guests)");
  const auto auth = c.body.find("auth");
  if (auth == c.body.end())
    co_return http::response{401, "application/json",
                             dump(json{{"flows", {{{"stages", {"m.login.dummy"}}}}},
                                       {"params", json::object()},
                                       {"session", random_token("")}}),
                             {}};
  if (!auth->is_object() || string_member(*auth, "type") == nullptr ||
      *string_member(*auth, "type") != "m.login.dummy")
    co_return error(400, "M_UNRECOGNIZED", "'auth' must be {\"type\": \"m.login.dummy\"}: the only stage here");
  const bool inhibit_login = c.body.contains("inhibit_login") && c.body.at("inhibit_login") == true;
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(registrations_, [&](const auto at) { return now - at >= std::chrono::minutes(1); });
  if (registrations_.size() >= most_registrations_a_minute)
    throw rate_limited("too many registrations in the last minute; try again later",
                       std::chrono::ceil<std::chrono::milliseconds>(registrations_.front() + std::chrono::minutes(1) - now));
  const std::string name = c.member("username", json::value_t::string).get<std::string>();
  if (!valid_local_part(name))
    co_return error(400, "M_INVALID_USERNAME", "user names are 1 to 64 of a-z, 0-9, '.', '_', '=', '-', '/'");
  const std::string user_id = "@" + name + ":" + config_.server_name;
  if (users_.contains(user_id)) co_return error(400, "M_USER_IN_USE", user_id + " is taken");
  std::string password_hash;
  if (const auto password = c.optional_string("password")) {
    if (password->size() > max_password_bytes)
      co_return error(400, "M_INVALID_PARAM", "a password is at most " + std::to_string(max_password_bytes) + " bytes");
    password_hash = co_await hash_off_strand(*password);
    // (Another request may have taken the name while the hash was made.)
    if (users_.contains(user_id)) co_return error(400, "M_USER_IN_USE", user_id + " is taken");
  }
  users_[user_id] = user{std::move(password_hash), profile_info{name, std::nullopt}, false};
  registrations_.push_back(now);
  json answer = inhibit_login ? json{{"user_id", user_id}, {"home_server", config_.server_name}} : open_session(user_id);
  const auto done = co_await dispatch<&account_validity::on_user_registration>(user_id);
  auto r = ok(std::move(answer));
  co_return note_failures(r, done);
}

json host::open_session(const std::string& user_id) {
  // At most most_sessions of a user: a new one ends the oldest, so that logins in a loop do
  // not grow the sessions without end.
  std::size_t open = 0;
  auto oldest = tokens_.end();
  for (auto it = tokens_.begin(); it != tokens_.end(); ++it) {
    if (it->second.user_id != user_id) continue;
    ++open;
    if (oldest == tokens_.end() || it->second.opened < oldest->second.opened) oldest = it;
  }
  if (open >= most_sessions) tokens_.erase(oldest);
  std::string token = random_token("syt_");
  std::string device_id = random_device_id();
  tokens_[token] = session{user_id, device_id, ++sessions_opened_};
  return {{"user_id", user_id},
          {"access_token", std::move(token)},
          {"device_id", std::move(device_id)},
          {"home_server", config_.server_name}};
}

awaitable<http::response> host::do_whoami(call& c) {
  // (The session may have ended while is_user_expired was asked.)
  const auto found = tokens_.find(c.token);
  if (found == tokens_.end()) co_return error(401, "M_UNKNOWN_TOKEN", "unrecognised access token");
  co_return ok({{"user_id", c.user_id}, {"device_id", found->second.device_id}});
}

awaitable<http::response> host::do_versions(call&) {
  co_return ok({{"versions", {"r0.6.1", "v1.1", "v1.2", "v1.3", "v1.4", "v1.5", "v1.6"}},
                {"unstable_features", json::object()}});
}

awaitable<http::response> host::do_capabilities(call&) {
  co_return ok({{"capabilities",
                 {{"m.change_password", {{"enabled", false}}},
                  {"m.set_displayname", {{"enabled", true}}},
                  {"m.set_avatar_url", {{"enabled", true}}},
                  {"m.3pid_changes", {{"enabled", false}}},
                  {"m.room_versions", {{"default", "10"}, {"available", {{"10", "stable"}}}}}}}});
}

// GET /profile/{user} (both fields) or /profile/{user}/{displayname|avatar_url}; a field not
// set is absent, a field asked for and not set is 404, as Synapse answers.
awaitable<http::response> host::do_get_profile(call& c) {
  const auto account = users_.find(c.param(0));
  if (account == users_.end() || account->second.deactivated)
    co_return error(404, "M_NOT_FOUND", "no profile for " + c.param(0));
  const profile_info& profile = account->second.profile;
  json fields = json::object();
  if (!profile.display_name.empty()) fields["displayname"] = profile.display_name;
  if (profile.avatar_url) fields["avatar_url"] = *profile.avatar_url;
  if (c.params.size() == 1) co_return ok(fields);
  const std::string& field = c.param(1);
  if (field != "displayname" && field != "avatar_url")
    co_return error(404, "M_UNRECOGNIZED", "no profile field '" + field + "'");
  if (!fields.contains(field)) co_return error(404, "M_NOT_FOUND", c.param(0) + " has no " + field);
  co_return ok({{field, fields[field]}});
}

awaitable<http::response> host::do_login_flows(call&) { co_return ok({{"flows", {{{"type", "m.login.password"}}}}}); }

// As Synapse: the user by `identifier` ({"type": "m.id.user", "user": NAME or @NAME:server})
// or the older top-level `user`; one answer for an unknown user and a wrong password.
awaitable<http::response> host::do_login(call& c) {
  if (c.member("type", json::value_t::string) != "m.login.password")
    co_return error(400, "M_UNKNOWN", "only m.login.password is supported");
  std::optional<std::string> who = c.optional_string("user");
  if (const auto id = c.body.find("identifier"); id != c.body.end()) {
    if (!id->is_object() || string_member(*id, "type") == nullptr || *string_member(*id, "type") != "m.id.user" ||
        string_member(*id, "user") == nullptr)
      co_return error(400, "M_UNKNOWN", "the identifier must be {\"type\": \"m.id.user\", \"user\": ...}");
    who = *string_member(*id, "user");
  }
  if (!who) co_return error(400, "M_MISSING_PARAM", "missing 'identifier'");
  const std::string password = c.member("password", json::value_t::string).get<std::string>();
  const std::string user_id = who->starts_with('@') ? *who : "@" + *who + ":" + config_.server_name;
  if (password.size() > max_password_bytes) co_return error(403, "M_FORBIDDEN", "invalid user name or password");
  const auto known = users_.find(user_id);
  const auto now = std::chrono::steady_clock::now();
  if (known != users_.end()) { // counted for users that exist: the map stays as small as users_
    auto& failures = failed_logins_[user_id];
    if (failures.count == 0 && failures.pending == 0) failures.since = now;
    const auto left = failures.since + std::chrono::minutes(1) - now;
    if (left <= std::chrono::steady_clock::duration::zero()) {
      failures.count = 0;
      failures.since = now;
    } else if (failures.count + failures.pending >= most_failed_logins) {
      // (Checks in progress count: concurrent guesses are not more guesses.)
      throw rate_limited("too many failed logins for " + user_id + "; try again later",
                         std::chrono::ceil<std::chrono::milliseconds>(left));
    }
    ++failures.pending;
  }
  // An unknown user, or one without a password, is compared with a hash nobody has: the answer
  // takes as long as for a wrong password.
  const bool has_password = known != users_.end() && !known->second.password_hash.empty();
  bool right = false;
  std::exception_ptr busy; // the hashing queue was full: no guess was made
  try {
    right = co_await matches_off_strand(has_password ? known->second.password_hash : unknown_user_hash_, password);
  } catch (const rate_limited&) {
    busy = std::current_exception();
  }
  const auto failures = failed_logins_.find(user_id); // again, and below: others ran meanwhile
  if (failures != failed_logins_.end() && failures->second.pending > 0) {
    --failures->second.pending;
    if (!right && !busy) ++failures->second.count;
  }
  if (busy) std::rethrow_exception(busy);
  const auto account = users_.find(user_id);
  if (!right || !has_password || account == users_.end() || account->second.password_hash.empty())
    co_return error(403, "M_FORBIDDEN", "invalid user name or password");
  if (failures != failed_logins_.end() && failures->second.pending == 0) failed_logins_.erase(failures);
  co_return ok(open_session(user_id)); // (deactivation deleted the password: a deactivated user is refused above)
}

awaitable<http::response> host::do_logout(call& c) {
  tokens_.erase(c.token);
  co_return ok(json::object());
}

awaitable<http::response> host::do_displayname(call& c) { return update_profile(c, false); }
awaitable<http::response> host::do_avatar(call& c) { return update_profile(c, true); }

awaitable<http::response> host::update_profile(call& c, bool avatar) {
  const std::string& user_id = c.param(0);
  const bool by_admin = user_id != c.user_id;
  if (by_admin && !is_admin(c.user_id)) co_return error(403, "M_FORBIDDEN", "cannot change the profile of " + user_id);
  if (!users_.contains(user_id)) co_return error(404, "M_NOT_FOUND", "no such user " + user_id);
  const std::string value = c.member(avatar ? "avatar_url" : "displayname", json::value_t::string).get<std::string>();
  profile_info& profile = users_.at(user_id).profile;
  if (avatar)
    profile.avatar_url = value;
  else
    profile.display_name = value;
  const profile_info now = profile; // the callback's argument outlives any change made meanwhile
  const auto done = co_await dispatch<&third_party_rules::on_profile_update>(user_id, now, by_admin, false);
  auto r = ok(json::object());
  co_return note_failures(r, done);
}

awaitable<http::response> host::do_deactivate(call& c) { return deactivate(c.user_id, false); }
awaitable<http::response> host::do_admin_deactivate(call& c) { return deactivate(c.param(0), true); }

awaitable<http::response> host::deactivate(std::string user_id, bool by_admin) {
  if (!users_.contains(user_id)) co_return error(404, "M_NOT_FOUND", "no such user " + user_id);
  if (users_.at(user_id).deactivated) co_return error(400, "M_UNKNOWN", user_id + " is already deactivated");
  const auto may = co_await dispatch<&third_party_rules::check_can_deactivate_user>(user_id, by_admin);
  if (!may.passed()) co_return refused("deactivation of " + user_id, may);
  user& account = users_.at(user_id);
  account.deactivated = true;
  // As Synapse: the account's tokens and its password are deleted; reactivation brings back
  // neither, and needs a new password.
  std::erase_if(tokens_, [&](const auto& entry) { return entry.second.user_id == user_id; });
  account.password_hash.clear();
  account.profile = profile_info{"", std::nullopt};     // as Synapse, deactivation clears the profile
  const profile_info cleared_profile{"", std::nullopt}; // a named value: see do_create_room
  const auto cleared =
      co_await dispatch<&third_party_rules::on_profile_update>(user_id, cleared_profile, by_admin, true);
  const auto changed =
      co_await dispatch<&third_party_rules::on_user_deactivation_status_changed>(user_id, true, by_admin);
  auto r = ok({{"id_server_unbind_result", "success"}});
  note_failures(r, may);
  note_failures(r, cleared);
  co_return note_failures(r, changed);
}

awaitable<http::response> host::do_admin_user(call& c) {
  const std::string& user_id = c.param(0);
  if (!users_.contains(user_id)) co_return error(404, "M_NOT_FOUND", "no such user " + user_id);
  const bool deactivated = c.member("deactivated", json::value_t::boolean).get<bool>();
  if (deactivated) co_return co_await deactivate(user_id, true);
  if (!users_.at(user_id).deactivated) co_return error(400, "M_UNKNOWN", user_id + " is not deactivated");
  // As Synapse: deactivation deleted the password, so reactivation gives a new one.
  const auto password = c.optional_string("password");
  if (!password || password->empty() || password->size() > max_password_bytes)
    co_return error(400, "M_MISSING_PARAM", "reactivating " + user_id + " needs a new 'password' (1 to " +
                                                std::to_string(max_password_bytes) + " bytes)");
  std::string hash = co_await hash_off_strand(*password);
  const auto account = users_.find(user_id); // again: the hash was made off the strand
  if (account == users_.end() || !account->second.deactivated)
    co_return error(400, "M_UNKNOWN", user_id + " is not deactivated");
  account->second.password_hash = std::move(hash);
  account->second.deactivated = false;
  const auto changed = co_await dispatch<&third_party_rules::on_user_deactivation_status_changed>(user_id, false, true);
  auto r = ok(json::object());
  co_return note_failures(r, changed);
}

awaitable<http::response> host::do_bind(call& c) {
  const std::string medium = c.member("medium", json::value_t::string).get<std::string>();
  const std::string address = c.member("address", json::value_t::string).get<std::string>();
  const auto done = co_await dispatch<&third_party_rules::on_threepid_bind>(c.user_id, medium, address);
  auto r = ok(json::object());
  co_return note_failures(r, done);
}

awaitable<http::response> host::do_upload(call& c) {
  const auto name = c.query.find("filename");
  const media_file file{c.request.body};
  const file_info info{name == c.query.end() ? std::string() : name->second,
                       c.request.content_type.empty() ? "application/octet-stream" : c.request.content_type,
                       file.bytes.size()};
  const auto may = co_await dispatch<&spam_checker::check_media_file_for_spam>(file, info);
  if (may.failed()) co_return module_failed(may, "the upload was not stored");
  if (may.rejected()) co_return refused("upload", may);
  co_return ok({{"content_uri", "mxc://" + config_.server_name + "/m" + std::to_string(next_event_++)}});
}

// ---- Rooms ------------------------------------------------------------------------------

std::string host::membership(const room& r, const std::string& user_id) {
  const auto it = r.state.find({"m.room.member", user_id});
  if (it == r.state.end()) return {};
  const std::string* value = string_member(it->second.content, "membership");
  return value != nullptr ? *value : std::string();
}

std::optional<http::response> host::refuse_non_member(const std::string& room_id, const std::string& user_id) {
  const room* r = find_room(room_id);
  if (r == nullptr) return error(404, "M_NOT_FOUND", "unknown room " + room_id);
  if (membership(*r, user_id) != "join") return error(403, "M_FORBIDDEN", user_id + " is not in the room " + room_id);
  return std::nullopt;
}

awaitable<http::response> host::do_create_room(call& c) {
  const auto alias = c.optional_string("room_alias_name");
  if (alias && !valid_local_part(*alias)) co_return error(400, "M_INVALID_PARAM", "malformed room_alias_name");
  // Room ids are made from the alias where there is one, so that scripts can name rooms.
  const std::string room_id = "!" + (alias ? *alias : "r" + std::to_string(next_event_++)) + ":" + config_.server_name;
  if (rooms_.contains(room_id)) co_return error(400, "M_ROOM_IN_USE", room_id + " exists");
  if (const auto it = c.body.find("creation_content"); it != c.body.end() && !it->is_object())
    co_return error(400, "M_BAD_JSON", "'creation_content' must be an object");
  const auto preset = c.optional_string("preset");
  if (preset && *preset != "private_chat" && *preset != "public_chat" && *preset != "trusted_private_chat")
    co_return error(400, "M_INVALID_PARAM", "unknown preset '" + *preset + "'");

  const auto may = co_await dispatch<&spam_checker::user_may_create_room>(c.user_id);
  if (may.failed()) co_return module_failed(may, "the room was not created");
  if (may.rejected()) co_return refused("room creation", may);
  json request = c.body;
  // Named, not a temporary: g++ 12 destroys an aggregate temporary of a co_await's operand
  // twice (a double free here).
  const requester who{c.user_id, false};
  const auto created = co_await dispatch<&third_party_rules::on_create_room>(who, request, is_admin(c.user_id));
  if (created.failed()) {
    auto r = error(403, "M_FORBIDDEN", what_failed(*created.first_failure()));
    co_return decided(r, decided_by(created));
  }
  if (const auto it = request.find("creation_content"); it != request.end() && !it->is_object())
    co_return error(500, "M_UNKNOWN", "a module made 'creation_content' something other than an object");
  if (rooms_.contains(room_id)) co_return error(400, "M_ROOM_IN_USE", room_id + " exists"); // made meanwhile
  rooms_[room_id].creator = c.user_id;
  const auto content = request.find("creation_content");
  json create_content = content == request.end() ? json::object() : *content;
  create_content["creator"] = c.user_id;
  const std::string create_id = "$" + std::to_string(next_event_++);
  put(event{create_id, room_id, c.user_id, "m.room.create", "", std::move(create_content)});
  // The creator joins, through the modules as any membership; a room its creator may not
  // join is not made. Until then nobody else can reach it: nobody else may join it.
  // (Each event named before the co_await: see above.)
  event join{"$" + std::to_string(next_event_++), room_id, c.user_id, "m.room.member", c.user_id,
             json{{"membership", "join"}, {"displayname", users_.at(c.user_id).profile.display_name}}};
  auto joined = co_await store_event(std::move(join), false);
  if (joined.status != 200) {
    if (const room* made = find_room(room_id); made != nullptr && made->create_event == create_id)
      remove_room(room_id); // (unless it was shut down, and another made under its id, meanwhile)
    co_return joined;
  }
  // From here the room is there for others: a later refusal leaves it as it is (private,
  // when its public join rule was refused), and says so.
  if (preset == "public_chat") {
    event rule{"$" + std::to_string(next_event_++), room_id, c.user_id, "m.room.join_rules", "",
               json{{"join_rule", "public"}}};
    auto opened = co_await store_event(std::move(rule), false);
    if (opened.status != 200) co_return opened;
  }
  joined.body = dump(json{{"room_id", room_id}});
  co_return joined;
}

void host::remove_room(const std::string& room_id) {
  for (const auto& [key, member] : rooms_.at(room_id).state)
    if (key.first == "m.room.member")
      if (const auto it = rooms_of_.find(key.second); it != rooms_of_.end()) {
        it->second.erase(room_id);
        if (it->second.empty()) rooms_of_.erase(it);
      }
  rooms_.erase(room_id);
  std::erase_if(events_, [&](const auto& stored) { return stored.second.e.room_id == room_id; });
}

awaitable<http::response> host::do_send(call& c) { return send_event(c, c.param(1), std::nullopt); }

awaitable<http::response> host::do_send_state(call& c) {
  return send_event(c, c.param(1), c.params.size() > 2 ? c.params[2] : std::string());
}

awaitable<http::response> host::send_event(call& c, std::string type, std::optional<std::string> state_key) {
  const std::string room_id = c.param(0);
  if (auto refusal = refuse_non_member(room_id, c.user_id)) co_return std::move(*refusal);
  // Membership changes through join, leave and invite, where their rules are.
  if (type == "m.room.member" || type == "m.room.create")
    co_return error(403, "M_FORBIDDEN", type + " events are sent by the server (see join, leave and invite)");
  event e{"$" + std::to_string(next_event_++), room_id, c.user_id, std::move(type), std::move(state_key), c.body};
  co_return co_await store_event(std::move(e), true);
}

void host::put(event e) {
  room& r = rooms_.at(e.room_id);
  if (e.state_key) r.state[{e.type, *e.state_key}] = e;
  if (e.type == "m.room.member" && e.state_key) rooms_of_[*e.state_key].insert(e.room_id);
  if (r.timeline.empty()) r.create_event = e.event_id;
  r.timeline.push_back(e.event_id);
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const std::string id = e.event_id;
  events_[id] = stored_event{std::move(e), ++stream_, std::chrono::duration_cast<std::chrono::milliseconds>(now).count()};
  // The syncs of the room's users (members, invitees, those who left) look again.
  for (const auto& [key, member] : r.state) {
    if (key.first != "m.room.member") continue;
    const auto [from, to] = long_polls_.equal_range(key.second);
    for (auto it = from; it != to; ++it) it->second->cancel();
  }
}

awaitable<http::response> host::store_event(event e, bool from_client_message) {
  const std::string room_id = e.room_id;
  if (from_client_message) {
    const auto spam = co_await dispatch<&spam_checker::check_event_for_spam>(e);
    if (spam.failed()) co_return module_failed(spam, "the event was not sent");
    if (spam.rejected()) {
      auto r = error(403, "M_FORBIDDEN", spam.rejection().reason);
      co_return decided(r, decided_by(spam));
    }
  }
  // Which room of this id it is: see room::create_event.
  const std::string incarnation = find_room(room_id) ? find_room(room_id)->create_event : std::string();
  // The state is copied: other requests may change the room while a module awaits.
  const state_map state = find_room(room_id) ? find_room(room_id)->state : state_map{};
  const auto allowed = co_await dispatch<&third_party_rules::check_event_allowed>(e, state);
  if (allowed.failed()) co_return module_failed(allowed, "the event was not accepted");
  std::string replaced_by;
  if (allowed.rejected()) {
    const allow_result& answer = allowed.rejection();
    if (!answer.allowed) co_return refused("event", allowed);
    e.content = *answer.replacement_content;
    replaced_by = decided_by(allowed);
  }
  // Checked again: the room may have been shut down (and another made under its id), the
  // sender may have left, a membership's rule may no longer hold, meanwhile.
  const room* now_room = find_room(room_id);
  if (now_room == nullptr || now_room->create_event != incarnation)
    co_return error(404, "M_NOT_FOUND", "room " + room_id + " was shut down meanwhile");
  if (from_client_message) {
    if (auto refusal = refuse_non_member(room_id, e.sender)) co_return std::move(*refusal);
  } else if (e.type == "m.room.member" && e.state_key) {
    const std::string* membership_now = string_member(e.content, "membership");
    if (membership_now == nullptr) co_return error(500, "M_UNKNOWN", "a module removed the membership of an event");
    if (auto refusal = membership_refusal(room_id, *now_room, e.sender, *e.state_key, *membership_now))
      co_return std::move(*refusal);
  }
  const event stored = e;
  put(std::move(e));
  const state_map now = find_room(room_id)->state;
  const auto notified = co_await dispatch<&third_party_rules::on_new_event>(stored, now);
  auto answer = ok({{"event_id", stored.event_id}});
  if (!replaced_by.empty()) decided(answer, replaced_by);
  co_return note_failures(answer, notified);
}

awaitable<http::response> host::do_get_event(call& c) {
  if (auto refusal = refuse_non_member(c.param(0), c.user_id)) co_return std::move(*refusal);
  const auto it = events_.find(c.param(1));
  if (it == events_.end() || it->second.e.room_id != c.param(0)) co_return error(404, "M_NOT_FOUND", "no such event");
  co_return ok(client_event(it->second));
}

json host::client_event(const stored_event& stored) const {
  const event& e = stored.e;
  json out{{"event_id", e.event_id},
           {"room_id", e.room_id},
           {"sender", e.sender},
           {"type", e.type},
           {"content", e.content},
           {"origin_server_ts", stored.origin_server_ts},
           {"unsigned", {{"age", 0}}}};
  if (e.state_key) out["state_key"] = *e.state_key;
  return out;
}

awaitable<http::response> host::do_get_state(call& c) {
  if (auto refusal = refuse_non_member(c.param(0), c.user_id)) co_return std::move(*refusal);
  const room& r = *find_room(c.param(0));
  const auto it = r.state.find({c.param(1), c.params.size() > 2 ? c.params[2] : std::string()});
  if (it == r.state.end()) co_return error(404, "M_NOT_FOUND", "no such state event");
  co_return ok(it->second.content);
}

awaitable<http::response> host::do_invite(call& c) {
  const std::string room_id = c.param(0);
  if (auto refusal = refuse_non_member(room_id, c.user_id)) co_return std::move(*refusal);
  if (const auto invitee = c.optional_string("user_id")) {
    if (!invitee->starts_with('@') || invitee->find(':') == std::string::npos)
      co_return error(400, "M_INVALID_PARAM", "'user_id' must be a user id, @name:server");
    const auto may = co_await dispatch<&spam_checker::user_may_invite>(c.user_id, *invitee, room_id);
    if (may.failed()) co_return module_failed(may, "the invite was not sent");
    if (may.rejected()) co_return refused("invite", may);
    co_return co_await change_membership(c, room_id, *invitee, "invite");
  }
  const std::string medium = c.member("medium", json::value_t::string).get<std::string>();
  const std::string address = c.member("address", json::value_t::string).get<std::string>();
  const state_map state = find_room(room_id)->state;
  const auto may = co_await dispatch<&third_party_rules::check_threepid_can_be_invited>(medium, address, state);
  if (!may.passed()) co_return refused("third-party invite", may);
  auto r = ok(json::object());
  co_return note_failures(r, may);
}

awaitable<http::response> host::do_join(call& c) { return change_membership(c, c.param(0), c.user_id, "join"); }

// As this server makes room ids from aliases: #name:server is the room !name:server.
awaitable<http::response> host::do_join_by_alias(call& c) {
  std::string room_id = c.param(0);
  if (room_id.starts_with('#')) room_id[0] = '!';
  return change_membership(c, std::move(room_id), c.user_id, "join");
}

awaitable<http::response> host::do_leave(call& c) { return change_membership(c, c.param(0), c.user_id, "leave"); }

// The rules of the room's membership, as Synapse's for local users (no bans, no kicks): one
// joins a room one is invited to, or a public one; a member invites someone not in it; a
// member or an invitee leaves. The event then goes through the modules as any other.
std::optional<http::response> host::membership_refusal(const std::string& room_id, const room& r,
                                                       const std::string& actor, const std::string& user_id,
                                                       const std::string& membership_now) const {
  const std::string was = membership(r, user_id);
  if (membership_now == "join") {
    if (user_id == r.creator && r.timeline.size() == 1) return std::nullopt; // the creator, first
    const auto rule = r.state.find({"m.room.join_rules", ""});
    const bool open = rule != r.state.end() && string_member(rule->second.content, "join_rule") != nullptr &&
                      *string_member(rule->second.content, "join_rule") == "public";
    if (was != "invite" && was != "join" && !open)
      return error(403, "M_FORBIDDEN", user_id + " is not invited to " + room_id);
  } else if (membership_now == "invite") {
    if (membership(r, actor) != "join") return error(403, "M_FORBIDDEN", actor + " is not in the room " + room_id);
    if (was == "join" || was == "invite")
      return error(403, "M_FORBIDDEN", user_id + " is already " + (was == "join" ? "in" : "invited to") + " the room");
  } else if (was != "join" && was != "invite") {
    return error(403, "M_FORBIDDEN", user_id + " is not in the room " + room_id);
  }
  return std::nullopt;
}

awaitable<http::response> host::change_membership(call& c, std::string room_id, std::string user_id,
                                                  std::string membership_now) {
  const room* r = find_room(room_id);
  if (r == nullptr) co_return error(404, "M_NOT_FOUND", "unknown room " + room_id);
  if (membership_now == "join" && membership(*r, user_id) == "join") co_return ok({{"room_id", room_id}});
  if (auto refusal = membership_refusal(room_id, *r, c.user_id, user_id, membership_now)) co_return std::move(*refusal);
  json content{{"membership", membership_now}};
  if (const auto account = users_.find(user_id); membership_now == "join" && account != users_.end())
    content["displayname"] = account->second.profile.display_name;
  event e{"$" + std::to_string(next_event_++), room_id, c.user_id, "m.room.member", user_id, std::move(content)};
  auto stored = co_await store_event(std::move(e), false);
  if (stored.status == 200)
    stored.body = membership_now == "join" ? dump(json{{"room_id", room_id}}) : dump(json::object());
  co_return stored;
}

namespace {
// Sync and messages tokens: "s" (a sync's next_batch) or "t" (a timeline's edge) and a
// position in the server's stream of events. Nothing else is one.
std::optional<std::uint64_t> stream_position(std::string_view token) {
  if (token.size() < 2 || token.size() > 21 || (token[0] != 's' && token[0] != 't')) return std::nullopt;
  std::uint64_t out = 0;
  for (const char c : token.substr(1)) {
    if (c < '0' || c > '9' || out > (UINT64_MAX - 9) / 10) return std::nullopt;
    out = out * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return out;
}

// A query parameter that is a count from 0 to `most`; `fallback` when absent.
std::optional<std::uint64_t> count_parameter(const std::map<std::string, std::string, std::less<>>& query,
                                             std::string_view key, std::uint64_t fallback, std::uint64_t most) {
  const auto it = query.find(key);
  if (it == query.end()) return fallback;
  if (it->second.empty() || it->second.size() > 12) return std::nullopt;
  std::uint64_t out = 0;
  for (const char c : it->second) {
    if (c < '0' || c > '9') return std::nullopt;
    out = out * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return std::min(out, most);
}

constexpr std::uint64_t most_events = 100;      // a sync timeline or a messages page, at most
constexpr std::uint64_t default_sync_limit = 20; // as Synapse's default filter
constexpr std::uint64_t longest_poll_ms = 30'000;
constexpr std::size_t most_waiting_syncs = 4;    // per user
constexpr std::size_t largest_filter = 4096;     // bytes, as written
constexpr std::size_t most_filters = 64; // per user: a client makes one or two
} // namespace

state_map host::state_before(const room& r, std::size_t end) const {
  state_map out;
  for (std::size_t i = 0; i < end; ++i) {
    const event& e = events_.at(r.timeline[i]).e;
    if (e.state_key) out[{e.type, *e.state_key}] = e;
  }
  return out;
}

std::pair<json, bool> host::sync_answer(const std::string& user_id, std::uint64_t since, std::size_t limit) const {
  json join = json::object(), invite = json::object(), leave = json::object();
  const auto mine = rooms_of_.find(user_id);
  static const std::set<std::string, std::less<>> none;
  for (const auto& room_id : mine == rooms_of_.end() ? none : mine->second) {
    const room& r = rooms_.at(room_id);
    const std::string now = membership(r, user_id);
    if (now.empty()) continue;
    const std::uint64_t changed = events_.at(r.state.at({"m.room.member", user_id}).event_id).stream;
    if (now == "invite") {
      if (changed <= since) continue;
      json stripped = json::array();
      for (const auto& [key, e] : r.state)
        if (key.first == "m.room.create" || key.first == "m.room.name" || key.first == "m.room.join_rules" ||
            (key.first == "m.room.member" && key.second == user_id))
          stripped.push_back({{"type", e.type}, {"state_key", *e.state_key}, {"sender", e.sender}, {"content", e.content}});
      invite[room_id] = {{"invite_state", {{"events", std::move(stripped)}}}};
      continue;
    }
    // The room's timeline up to now, or up to the leave; a room the user just joined comes
    // whole (its state and its latest events), as in an initial sync.
    std::size_t end = r.timeline.size();
    std::size_t floor = 0; // the first event the user may see
    if (now == "leave") {
      // As Synapse, a room left is in an incremental sync only, up to the leave; one the user
      // only was invited to shows the leave alone.
      if (since == 0 || changed <= since) continue;
      while (end > 0 && events_.at(r.timeline[end - 1]).stream > changed) --end;
      std::string before_leave;
      for (std::size_t i = end - 1; i > 0 && before_leave.empty(); --i) {
        const event& e = events_.at(r.timeline[i - 1]).e;
        if (e.type == "m.room.member" && e.state_key == user_id) {
          const std::string* m = string_member(e.content, "membership");
          before_leave = m != nullptr ? *m : "?";
        }
      }
      if (before_leave != "join") floor = end - 1;
    }
    const bool whole = since == 0 || (now == "join" && changed > since);
    std::size_t begin = end;
    while (begin > floor && (whole || events_.at(r.timeline[begin - 1]).stream > since) && end - begin < limit)
      --begin;
    const bool limited = begin > floor && (whole || events_.at(r.timeline[begin - 1]).stream > since);
    if (begin == end && !whole) continue; // nothing new in this room
    json timeline = json::array();
    for (std::size_t i = begin; i < end; ++i) timeline.push_back(client_event(events_.at(r.timeline[i])));
    json state = json::array();
    if ((whole || limited) && floor == 0)
      for (const auto& [key, e] : state_before(r, begin)) state.push_back(client_event(events_.at(e.event_id)));
    const std::uint64_t before = begin == 0 ? 0 : events_.at(r.timeline[begin - 1]).stream;
    json entry{{"timeline", {{"events", std::move(timeline)}, {"limited", limited}, {"prev_batch", "t" + std::to_string(before)}}},
               {"state", {{"events", std::move(state)}}}};
    if (now == "join") {
      entry["ephemeral"] = {{"events", json::array()}};
      entry["account_data"] = {{"events", json::array()}};
      entry["unread_notifications"] = {{"notification_count", 0}, {"highlight_count", 0}};
      join[room_id] = std::move(entry);
    } else {
      leave[room_id] = std::move(entry);
    }
  }
  const bool any = !join.empty() || !invite.empty() || !leave.empty();
  return {json{{"next_batch", "s" + std::to_string(stream_)},
               {"rooms", {{"join", std::move(join)}, {"invite", std::move(invite)}, {"leave", std::move(leave)}}},
               {"presence", {{"events", json::array()}}},
               {"account_data", {{"events", json::array()}}},
               {"to_device", {{"events", json::array()}}},
               {"device_one_time_keys_count", json::object()}},
          any};
}

// Its timer in long_polls_ while a sync waits, whichever way the wait ends (an exception, the
// coroutine destroyed): put() never reaches a timer that is gone.
struct host::waiting_sync {
  std::multimap<std::string, boost::asio::steady_timer*, std::less<>>& polls;
  std::multimap<std::string, boost::asio::steady_timer*, std::less<>>::iterator at;
  waiting_sync(std::multimap<std::string, boost::asio::steady_timer*, std::less<>>& all, const std::string& user,
               boost::asio::steady_timer& timer)
      : polls(all), at(all.emplace(user, &timer)) {}
  waiting_sync(const waiting_sync&) = delete;
  waiting_sync& operator=(const waiting_sync&) = delete;
  ~waiting_sync() { polls.erase(at); }
};

// GET /sync[?since=TOKEN][&timeout=MS][&filter=ID or JSON]: an initial sync without `since`;
// with it, what happened after it, waiting up to `timeout` (30 s at most) for something to
// happen. The filter's room.timeline.limit is honoured; the rest of a filter is not.
awaitable<http::response> host::do_sync(call& c) {
  std::uint64_t since = 0;
  if (const auto it = c.query.find("since"); it != c.query.end()) {
    const auto position = stream_position(it->second);
    if (!position || *position > stream_) co_return error(400, "M_INVALID_PARAM", "'since' is not a sync token");
    since = *position;
  }
  const auto timeout = count_parameter(c.query, "timeout", 0, longest_poll_ms);
  if (!timeout) co_return error(400, "M_INVALID_PARAM", "'timeout' must be a count of milliseconds");
  std::uint64_t limit = default_sync_limit;
  if (const auto it = c.query.find("filter"); it != c.query.end()) {
    json filter;
    if (it->second.starts_with('{')) {
      json_reading read = read_json(it->second);
      if (!read || !read.value.is_object()) co_return error(400, "M_INVALID_PARAM", "'filter' is not a JSON object");
      filter = std::move(read.value);
    } else {
      const auto& mine = filters_[c.user_id];
      const auto index = count_parameter(c.query, "filter", mine.size(), mine.size());
      if (!index || *index >= mine.size()) co_return error(400, "M_INVALID_PARAM", "no filter '" + it->second + "'");
      filter = mine[*index];
    }
    const json::json_pointer at("/room/timeline/limit");
    if (filter.contains(at) && filter.at(at).is_number_unsigned())
      limit = std::clamp<std::uint64_t>(filter.at(at).get<std::uint64_t>(), 1, most_events);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(*timeout);
  auto [answer, any] = sync_answer(c.user_id, since, limit);
  // A long poll: woken by each event of the user's rooms (put()), it looks again; the timer's
  // expiry ends it. A user's syncs beyond most_waiting_syncs answer at once: waiting holds a
  // connection, which max_connections bounds for everyone.
  while (!any && since != 0 && !stop_waiting_ && std::chrono::steady_clock::now() < deadline &&
         long_polls_.count(c.user_id) < most_waiting_syncs) {
    boost::asio::steady_timer poll(co_await boost::asio::this_coro::executor, deadline);
    const waiting_sync place(long_polls_, c.user_id, poll);
    boost::system::error_code ignored;
    co_await poll.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
    if (!tokens_.contains(c.token)) co_return error(401, "M_UNKNOWN_TOKEN", "the session ended during the sync");
    std::tie(answer, any) = sync_answer(c.user_id, since, limit);
  }
  co_return ok(answer);
}

void host::stop_waiting() {
  stop_waiting_ = true;
  for (const auto& [waiting_user, poll] : long_polls_) poll->cancel();
  hashing_.stop(); // checks not begun are dropped; their requests end with the io_context
}

void host::join_hashing() { hashing_.join(); }

// GET /rooms/{id}/messages?dir=b|f[&from=TOKEN][&limit=N]: a page of the room's timeline from
// `from` (the latest event when absent, backwards), and the token of the next page as `end`
// (absent at the room's edge).
awaitable<http::response> host::do_messages(call& c) {
  const std::string& room_id = c.param(0);
  if (auto refusal = refuse_non_member(room_id, c.user_id)) co_return std::move(*refusal);
  const auto dir = c.query.find("dir");
  const bool backwards = dir == c.query.end() || dir->second == "b";
  if (dir != c.query.end() && dir->second != "b" && dir->second != "f")
    co_return error(400, "M_INVALID_PARAM", "'dir' must be 'b' or 'f'");
  std::uint64_t from = backwards ? stream_ : 0;
  if (const auto it = c.query.find("from"); it != c.query.end()) {
    const auto position = stream_position(it->second);
    if (!position) co_return error(400, "M_INVALID_PARAM", "'from' is not a pagination token");
    from = *position;
  }
  auto limit = count_parameter(c.query, "limit", 10, most_events);
  if (!limit) co_return error(400, "M_INVALID_PARAM", "'limit' must be a count");
  limit = std::max<std::uint64_t>(*limit, 1); // a page of none would be followed by itself
  const room& r = *find_room(room_id);
  json chunk = json::array();
  std::uint64_t edge = from; // the position after the page, in its direction
  bool more = false;
  if (backwards) {
    // Events at or before `from`, newest first.
    for (auto i = r.timeline.size(); i > 0; --i) {
      const stored_event& stored = events_.at(r.timeline[i - 1]);
      if (stored.stream > from) continue;
      if (chunk.size() == *limit) {
        more = true;
        break;
      }
      chunk.push_back(client_event(stored));
      edge = stored.stream - 1;
    }
  } else {
    for (const auto& id : r.timeline) {
      const stored_event& stored = events_.at(id);
      if (stored.stream <= from) continue;
      if (chunk.size() == *limit) {
        more = true;
        break;
      }
      chunk.push_back(client_event(stored));
      edge = stored.stream;
    }
  }
  json answer{{"chunk", std::move(chunk)}, {"start", "t" + std::to_string(from)}, {"state", json::array()}};
  if (more) answer["end"] = "t" + std::to_string(edge);
  co_return ok(answer);
}

// Filters are kept (a client makes one and syncs with its id) but only the timeline limit of
// one is used: see do_sync.
awaitable<http::response> host::do_create_filter(call& c) {
  if (c.param(0) != c.user_id) co_return error(403, "M_FORBIDDEN", "cannot make filters for other users");
  auto& mine = filters_[c.user_id];
  if (mine.size() == most_filters) co_return error(400, "M_LIMIT_EXCEEDED", "a user has at most 64 filters here");
  if (dump(c.body).size() > largest_filter)
    co_return error(400, "M_INVALID_PARAM", "a filter is at most " + std::to_string(largest_filter) + " bytes here");
  mine.push_back(c.body);
  co_return ok({{"filter_id", std::to_string(mine.size() - 1)}});
}

awaitable<http::response> host::do_get_filter(call& c) {
  if (c.param(0) != c.user_id) co_return error(403, "M_FORBIDDEN", "cannot read the filters of other users");
  const auto& mine = filters_[c.user_id];
  const auto index = count_parameter({{"id", c.param(1)}}, "id", 0, mine.size());
  if (!index || *index >= mine.size()) co_return error(404, "M_NOT_FOUND", "no filter '" + c.param(1) + "'");
  co_return ok(mine[*index]);
}

// No push rules here (no notifications are pushed), answered as a server that has none.
awaitable<http::response> host::do_push_rules(call&) {
  const json none{{"override", json::array()}, {"content", json::array()}, {"room", json::array()},
                  {"sender", json::array()},   {"underride", json::array()}};
  co_return ok({{"global", none}});
}

awaitable<http::response> host::do_visibility(call& c) {
  const std::string room_id = c.param(0);
  if (find_room(room_id) == nullptr) co_return error(404, "M_NOT_FOUND", "unknown room " + room_id);
  const std::string visibility = c.member("visibility", json::value_t::string).get<std::string>();
  if (visibility != "public" && visibility != "private")
    co_return error(400, "M_INVALID_PARAM", "visibility must be 'public' or 'private'");
  const state_map state = find_room(room_id)->state;
  const auto may = co_await dispatch<&third_party_rules::check_visibility_can_be_modified>(room_id, state, visibility);
  if (!may.passed()) co_return refused("visibility change", may);
  room* r = find_room(room_id);
  if (r == nullptr) co_return error(404, "M_NOT_FOUND", "room " + room_id + " was shut down meanwhile");
  r->visibility = visibility;
  auto answer = ok(json::object());
  co_return note_failures(answer, may);
}

awaitable<http::response> host::do_shutdown(call& c) {
  const std::string room_id = c.param(0);
  if (find_room(room_id) == nullptr) co_return error(404, "M_NOT_FOUND", "unknown room " + room_id);
  const auto may = co_await dispatch<&third_party_rules::check_can_shutdown_room>(c.user_id, room_id);
  if (!may.passed()) co_return refused("shutdown", may);
  const room* r = find_room(room_id);
  if (r == nullptr) co_return error(404, "M_NOT_FOUND", "room " + room_id + " was shut down meanwhile");
  json kicked = json::array();
  for (const auto& [key, e] : r->state)
    if (key.first == "m.room.member" && membership(*r, key.second) == "join") kicked.push_back(key.second);
  remove_room(room_id);
  auto answer = ok({{"kicked_users", std::move(kicked)}, {"local_aliases", json::array()}});
  co_return note_failures(answer, may);
}

awaitable<http::response> host::handle_metrics(http::request request) {
  if (request.target != "/_synapse/metrics")
    co_return error(404, "M_UNRECOGNIZED", "the metrics listener serves /_synapse/metrics only");
  if (request.method != "GET") co_return error(405, "M_UNRECOGNIZED", request.method + " is not allowed on the metrics");
  co_return http::response{200, "text/plain; version=0.0.4", metrics_.text(), {}};
}

// ---- Modules (not Synapse's: its modules change only with a restart) ---------------------

awaitable<http::response> host::do_list_modules(call&) { co_return ok(module_list()); }

awaitable<http::response> host::do_reload(call&) {
  auto done = reload();
  if (!done) co_return error(400, "M_UNKNOWN", "reload refused, the running modules kept: " + done.error());
  co_return ok(json{{"generation", done->generation},
                    {"modules", done->modules},
                    {"requests_in_previous_modules", done->calls_in_previous},
                    {"took_us", done->took.count()}});
}

awaitable<http::response> host::do_enable_module(call& c) {
  if (auto done = set_enabled(c.params[0], true); !done) co_return error(404, "M_NOT_FOUND", done.error());
  co_return ok(module_list());
}

awaitable<http::response> host::do_disable_module(call& c) {
  if (auto done = set_enabled(c.params[0], false); !done) co_return error(404, "M_NOT_FOUND", done.error());
  co_return ok(module_list());
}

} // namespace homeserver
