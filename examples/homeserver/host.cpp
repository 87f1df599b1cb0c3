#include "host.hpp"

#include "credentials.hpp"

#include <modhook/shared_module.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
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
      web_(std::make_unique<web_resources>()), metrics_(all_callbacks()) {
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

awaitable<std::string> host::hash_off_strand(std::string password) {
  return boost::asio::co_spawn(hashing_, hash_in_pool(std::move(password), config_.password_hashing),
                               boost::asio::use_awaitable);
}

awaitable<bool> host::matches_off_strand(std::string hash, std::string password) {
  return boost::asio::co_spawn(hashing_, compare_in_pool(std::move(hash), std::move(password)),
                               boost::asio::use_awaitable);
}

host::~host() = default;

void host::log(const std::string& line) { *log_ << line << '\n' << std::flush; }

modhook::expected<void, std::string> host::start(const std::string& config_path,
                                                 const std::vector<module_entry>& entries) {
  // Everything is built aside and kept only if every module loads. Declared so that, on the
  // way out, the web resources go first (their handlers are module code, in the modules'
  // libraries), then the modules and their libraries, then the services the modules hold.
  std::vector<std::unique_ptr<module_services>> services;
  auto fresh = std::make_unique<hooks>();
  auto web = std::make_unique<web_resources>();
  // Until this start-up ends, what its modules log is kept, and printed only if all of them
  // load; a failed attempt's lines go with it.
  auto started = std::make_shared<bool>(false);
  startup_log_.clear();
  (void)fresh->on_failure([this](const modhook::failure<>& f) {
    log("! " + std::string(f.module.name) + " failed in " + name_of(f.callback) + ": " + what_failed(f));
  });

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
    if (std::error_code error; !std::filesystem::is_directory(config_.modules_dir, error))
      return modhook::unexpected(
          where + ": the modules directory " + config_.modules_dir + " " +
          (std::filesystem::exists(config_.modules_dir, error) ? "is not a directory" : "does not exist"));
    const std::filesystem::path library = std::filesystem::path(config_.modules_dir) / (entry.module + ".so");
    if (std::error_code error; !std::filesystem::exists(library, error))
      return modhook::unexpected(where + ": unknown module: no " + library.filename().string() + " in " +
                                 config_.modules_dir + " (it holds: " + modules_in(config_.modules_dir) + ")");
    // Held open while the module loads: a constructor that throws after registering a web
    // resource leaves a handler (the module's code) in `web`, which load_shared cannot see;
    // it is dropped, below, before this closes the library.
    const std::unique_ptr<void, int (*)(void*)> pinned(::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL), ::dlclose);
    services.push_back(std::make_unique<module_services>(
        entry.module, *web,
        [this, started](const std::string& line) {
          if (*started)
            log(line);
          else
            startup_log_.push_back(line);
        },
        fetch_));
    auto loaded = modhook::load_shared<const json&, module_services&>(*fresh, entry.module, library, entry.config,
                                                                      *services.back());
    if (!loaded) {
      web.reset(); // this start-up's web resources, the failed module's among them
      return modhook::unexpected(where + ": " + loaded.error().message());
    }
  }
  fresh->seal();
  web->seal();
  web_ = std::move(web); // in the order of the members' destruction
  hooks_ = std::move(fresh);
  services_ = std::move(services);
  *started = true;
  for (const auto& line : startup_log_) log(line);
  startup_log_.clear();
  return {};
}

std::vector<std::string> host::module_names() const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < hooks_->module_count(); ++i) out.emplace_back(hooks_->module(i).name);
  return out;
}

template <auto Member, class... Args>
auto host::dispatch(Args&&... args)
    -> decltype(std::declval<hooks&>().template dispatch<Member>(static_cast<Args&&>(args)...)) {
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
    if (web_->find(path) != nullptr) co_return co_await serve_web_resource(c);
    co_return error(404, "M_UNRECOGNIZED", "unrecognized request: " + std::string(path));
  }

  if (chosen->json_body) {
    // One level less than anything else read: an event carries what a client sends (its
    // content, a createRoom request) one level down.
    json_reading body = read_json(c.request.body, max_json_depth - 1);
    if (!body) co_return error(400, std::string(body.errcode), "the request body " + body.reason);
    c.body = std::move(body.value);
    if (!c.body.is_object()) co_return error(400, "M_BAD_JSON", "the request body must be a JSON object");
  }
  if (chosen->who != route::access::anyone) {
    if (auto refused = co_await authenticate(c)) co_return std::move(*refused);
    if (chosen->who == route::access::admin && !is_admin(c.user_id))
      co_return error(403, "M_FORBIDDEN", c.user_id + " is not a server admin");
  }
  std::optional<http::response> refused;
  try {
    co_return co_await (this->*chosen->handle)(c);
  } catch (const bad_request& e) {
    refused = error(400, e.errcode, e.what());
  } catch (const json::exception& e) {
    refused = error(400, "M_BAD_JSON", e.what());
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
  const web_resources::resource& resource = *web_->find(path);
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

awaitable<http::response> host::do_register(call& c) {
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
  json answer = open_session(user_id);
  const auto done = co_await dispatch<&account_validity::on_user_registration>(user_id);
  auto r = ok(std::move(answer));
  co_return note_failures(r, done);
}

json host::open_session(const std::string& user_id) {
  std::string token = random_token("syt_");
  std::string device_id = random_device_id();
  tokens_[token] = session{user_id, device_id};
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
  // An unknown user, or one without a password, is compared with a hash nobody has: the answer
  // takes as long as for a wrong password.
  const bool has_password = known != users_.end() && !known->second.password_hash.empty();
  const bool right =
      co_await matches_off_strand(has_password ? known->second.password_hash : unknown_user_hash_, password);
  const auto account = users_.find(user_id); // again: the hash was made off the strand
  if (!right || !has_password || account == users_.end() || account->second.password_hash.empty())
    co_return error(403, "M_FORBIDDEN", "invalid user name or password");
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

awaitable<http::response> host::do_create_room(call& c) {
  const auto alias = c.optional_string("room_alias_name");
  if (alias && !valid_local_part(*alias)) co_return error(400, "M_INVALID_PARAM", "malformed room_alias_name");
  // Room ids are made from the alias where there is one, so that scripts can name rooms.
  const std::string room_id = "!" + (alias ? *alias : "r" + std::to_string(next_event_++)) + ":" + config_.server_name;
  if (rooms_.contains(room_id)) co_return error(400, "M_ROOM_IN_USE", room_id + " exists");
  if (const auto it = c.body.find("creation_content"); it != c.body.end() && !it->is_object())
    co_return error(400, "M_BAD_JSON", "'creation_content' must be an object");

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
  room& r = rooms_[room_id];
  r.creator = c.user_id;
  const auto content = request.find("creation_content");
  r.state[{"m.room.create", ""}] = event{"$" + std::to_string(next_event_++),
                                         room_id,
                                         c.user_id,
                                         "m.room.create",
                                         "",
                                         content == request.end() ? json::object() : *content};
  co_return ok({{"room_id", room_id}});
}

awaitable<http::response> host::do_send(call& c) { return send_event(c, c.param(1), std::nullopt); }

awaitable<http::response> host::do_send_state(call& c) {
  return send_event(c, c.param(1), c.params.size() > 2 ? c.params[2] : std::string());
}

awaitable<http::response> host::send_event(call& c, std::string type, std::optional<std::string> state_key) {
  const std::string room_id = c.param(0);
  if (find_room(room_id) == nullptr) co_return error(404, "M_NOT_FOUND", "unknown room " + room_id);
  event e{"$" + std::to_string(next_event_++), room_id, c.user_id, std::move(type), std::move(state_key), c.body};

  const auto spam = co_await dispatch<&spam_checker::check_event_for_spam>(e);
  if (spam.failed()) co_return module_failed(spam, "the event was not sent");
  if (spam.rejected()) {
    auto r = error(403, "M_FORBIDDEN", spam.rejection().reason);
    co_return decided(r, decided_by(spam));
  }
  // The state is copied: other requests may change the room while a module awaits.
  const state_map state = find_room(room_id) ? find_room(room_id)->state : state_map{};
  const auto allowed = co_await dispatch<&third_party_rules::check_event_allowed>(e, state);
  if (allowed.failed()) co_return module_failed(allowed, "the event was not accepted");
  std::string replaced_by;
  if (allowed.rejected()) {
    const allow_result& answer = allowed.rejection();
    if (!answer.allowed) {
      co_return refused("event", allowed);
    }
    e.content = *answer.replacement_content;
    replaced_by = decided_by(allowed);
  }
  room* r = find_room(room_id);
  if (r == nullptr) co_return error(404, "M_NOT_FOUND", "room " + room_id + " was shut down meanwhile");
  if (e.state_key) r->state[{e.type, *e.state_key}] = e;
  events_[e.event_id] = e;
  const state_map now = r->state;
  const auto notified = co_await dispatch<&third_party_rules::on_new_event>(e, now);
  auto answer = ok({{"event_id", e.event_id}});
  if (!replaced_by.empty()) decided(answer, replaced_by);
  co_return note_failures(answer, notified);
}

awaitable<http::response> host::do_get_event(call& c) {
  const auto it = events_.find(c.param(1));
  if (it == events_.end() || it->second.room_id != c.param(0)) co_return error(404, "M_NOT_FOUND", "no such event");
  const event& e = it->second;
  json out{
      {"event_id", e.event_id}, {"room_id", e.room_id}, {"sender", e.sender}, {"type", e.type}, {"content", e.content}};
  if (e.state_key) out["state_key"] = *e.state_key;
  co_return ok(out);
}

awaitable<http::response> host::do_get_state(call& c) {
  const room* r = find_room(c.param(0));
  if (r == nullptr) co_return error(404, "M_NOT_FOUND", "unknown room " + c.param(0));
  const auto it = r->state.find({c.param(1), c.params.size() > 2 ? c.params[2] : std::string()});
  if (it == r->state.end()) co_return error(404, "M_NOT_FOUND", "no such state event");
  co_return ok(it->second.content);
}

awaitable<http::response> host::do_invite(call& c) {
  const std::string room_id = c.param(0);
  if (find_room(room_id) == nullptr) co_return error(404, "M_NOT_FOUND", "unknown room " + room_id);
  if (const auto invitee = c.optional_string("user_id")) {
    const auto may = co_await dispatch<&spam_checker::user_may_invite>(c.user_id, *invitee, room_id);
    if (may.failed()) co_return module_failed(may, "the invite was not sent");
    if (may.rejected()) co_return refused("invite", may);
    co_return ok(json::object());
  }
  const std::string medium = c.member("medium", json::value_t::string).get<std::string>();
  const std::string address = c.member("address", json::value_t::string).get<std::string>();
  const state_map state = find_room(room_id)->state;
  const auto may = co_await dispatch<&third_party_rules::check_threepid_can_be_invited>(medium, address, state);
  if (!may.passed()) co_return refused("third-party invite", may);
  auto r = ok(json::object());
  co_return note_failures(r, may);
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
  rooms_.erase(room_id);
  std::erase_if(events_, [&](const auto& stored) { return stored.second.room_id == room_id; });
  auto r = ok({{"kicked_users", json::array()}, {"local_aliases", json::array()}});
  co_return note_failures(r, may);
}

awaitable<http::response> host::handle_metrics(http::request request) {
  if (request.target != "/_synapse/metrics")
    co_return error(404, "M_UNRECOGNIZED", "the metrics listener serves /_synapse/metrics only");
  if (request.method != "GET") co_return error(405, "M_UNRECOGNIZED", request.method + " is not allowed on the metrics");
  co_return http::response{200, "text/plain; version=0.0.4", metrics_.text(), {}};
}

} // namespace homeserver
