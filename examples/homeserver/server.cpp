#include "server.hpp"

#include <charconv>
#include <cstdio>
#include <exception>
#include <stdexcept>

namespace homeserver {

namespace {

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

// How one dispatch counts in the summary: (passed, rejected). Failures are counted apart.
template <class T, class E>
std::pair<bool, bool> classify(const modhook::verdict<T, E>& v) {
  return {v.passed(), v.rejected()};
}
// check_event_allowed: a replacement is an accepted event, not a rejection.
template <class E>
std::pair<bool, bool> classify(const modhook::verdict<allow_result, E>& v) {
  const bool replaced = v.rejected() && v.rejection().allowed;
  return {v.passed() || replaced, v.rejected() && !replaced};
}
template <class E>
std::pair<bool, bool> classify(const modhook::answer<bool, E>& a) {
  if (a.failed()) return {false, false};
  return {!a.value_or(false), a.value_or(false)}; // for is_user_expired, "expired" is the rejection
}
template <class E>
std::pair<bool, bool> classify(const modhook::completion<E>& c) {
  return {c.ok(), false};
}

std::string name_of(const modhook::callback_ref& c) { return std::string(c.category) + "::" + std::string(c.name); }

template <class Category>
void list_callbacks(std::vector<std::string>& out) {
  for (const auto name : modhook::callback_names<Category>)
    out.push_back(std::string(modhook::category_name<Category>) + "::" + std::string(name));
}

} // namespace

server::server(std::ostream& out)
    : out_(&out), web_(std::make_unique<web_resources>()), hooks_(std::make_unique<hooks>()) {
  list_callbacks<spam_checker>(callback_order_);
  list_callbacks<account_validity>(callback_order_);
  list_callbacks<third_party_rules>(callback_order_);
  for (const auto& name : callback_order_) stats_[name];
}

template <auto Member, class... Args>
auto server::dispatch(Args&&... args) {
  const auto start = std::chrono::steady_clock::now();
  auto result = hooks_->template dispatch<Member>(static_cast<Args&&>(args)...);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  auto& s = stats_[name_of(modhook::callback_name<Member>)];
  ++s.calls;
  const auto [passed, rejected] = classify(result);
  s.passes += passed ? 1 : 0;
  s.rejections += rejected ? 1 : 0;
  s.failures += result.failure_count();
  s.time += std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed);
  return result;
}

void server::say(const std::string& line) {
  if (printing_) *out_ << "    -> " << line << '\n';
}
void server::log(const std::string& line) {
  if (printing_) *out_ << "    " << line << '\n';
}

void server::module_log(const std::string& line) {
  if (started_)
    log(line);
  else
    startup_log_.push_back(line);
}

modhook::expected<void, std::string> server::start(const std::string& config_path,
                                                   const std::vector<module_entry>& entries) {
  // Everything is built aside and kept only if every module loads. Declared so that the
  // modules (in `fresh`) go first: they may hold their services.
  auto web = std::make_unique<web_resources>();
  std::vector<std::unique_ptr<module_services>> services;
  auto fresh = std::make_unique<hooks>();
  startup_log_.clear();
  (void)fresh->on_failure([this](const modhook::failure<>& f) {
    log("! " + std::string(f.module.name) + " failed in " + name_of(f.callback) + ": " + what_failed(f));
  });

  int index = 0;
  for (const auto& entry : entries) {
    ++index;
    const std::string where = config_path + ":" + std::to_string(entry.line) + ": modules entry " +
                              std::to_string(index) + " (" + entry.module + ")";
    const catalogue_entry* found = nullptr;
    for (const auto& candidate : module_catalogue())
      if (candidate.name == entry.module) found = &candidate;
    if (found == nullptr) {
      std::string known;
      for (const auto& candidate : module_catalogue())
        known += (known.empty() ? "" : ", ") + std::string(candidate.name);
      return modhook::unexpected(where + ": unknown module (this host knows: " + known + ")");
    }
    services.push_back(std::make_unique<module_services>(
        entry.module, *web, [this](const std::string& line) { module_log(line); }));
    auto loaded = found->load(*fresh, entry.config, *services.back());
    if (!loaded) return modhook::unexpected(where + ": " + loaded.error().message());
  }
  fresh->seal();
  web->seal();
  hooks_ = std::move(fresh);
  web_ = std::move(web);
  services_ = std::move(services);
  started_ = true;
  *out_ << "loaded " << hooks_->module_count() << " modules:";
  for (std::size_t i = 0; i < hooks_->module_count(); ++i) *out_ << ' ' << hooks_->module(i).name;
  *out_ << '\n';
  for (const auto& line : startup_log_) *out_ << "  " << line << '\n';
  return {};
}

server::room* server::find_room(const std::string& id) {
  const auto it = rooms_.find(id);
  return it == rooms_.end() ? nullptr : &it->second;
}

void server::run(const action& a, bool print) {
  printing_ = print;
  if (print) {
    *out_ << '[' << a.line << "] " << a.verb;
    for (const auto& arg : a.args) *out_ << ' ' << arg;
    for (const auto& [key, value] : a.options) {
      *out_ << ' ' << key << "=\"";
      for (const char c : value) *out_ << (c == '"' || c == '\\' ? "\\" : "") << c;
      *out_ << '"';
    }
    for (const auto& flag : a.flags) *out_ << " +" << flag;
    *out_ << '\n';
  }
  struct verb {
    const char* name;
    std::size_t args;
    void (server::*handle)(const action&);
  };
  static constexpr verb verbs[] = {
      {"register", 1, &server::do_register},     {"request", 1, &server::do_request},
      {"create_room", 2, &server::do_create_room}, {"send", 3, &server::do_send},
      {"invite", 3, &server::do_invite},         {"invite_threepid", 4, &server::do_invite_threepid},
      {"visibility", 3, &server::do_visibility}, {"shutdown", 2, &server::do_shutdown},
      {"profile", 1, &server::do_profile},       {"deactivate", 1, &server::do_deactivate},
      {"reactivate", 1, &server::do_reactivate}, {"bind", 3, &server::do_bind},
      {"upload", 3, &server::do_upload},         {"web", 1, &server::do_web},
  };
  for (const auto& v : verbs) {
    if (a.verb != v.name) continue;
    if (a.args.size() != v.args) {
      say("error: '" + a.verb + "' takes " + std::to_string(v.args) + " arguments, got " + std::to_string(a.args.size()));
      return;
    }
    (this->*v.handle)(a);
    return;
  }
  say("error: unknown action '" + a.verb + "'");
}

void server::do_register(const action& a) {
  const auto done = dispatch<&account_validity::on_user_registration>(a.args[0]);
  say(done.ok() ? "registered" : "registered; " + std::to_string(done.failure_count()) + " module(s) failed");
}

void server::do_request(const action& a) {
  const auto expired = dispatch<&account_validity::is_user_expired>(a.args[0]);
  if (expired.failed())
    say("error 500: " + decided_by(expired) + " failed to say whether the account expired");
  else if (!expired.has_value())
    say("allowed: no module knows this account, so it has not expired");
  else if (*expired)
    say("denied 403 ORG_MATRIX_EXPIRED_ACCOUNT: expired according to " + decided_by(expired));
  else
    say("allowed: valid according to " + decided_by(expired));
}

void server::do_create_room(const action& a) {
  const std::string& user = a.args[0];
  const std::string& room_id = a.args[1];
  if (find_room(room_id) != nullptr) return say("error: " + room_id + " exists");
  const auto may = dispatch<&spam_checker::user_may_create_room>(user);
  if (may.failed()) return say("refused: " + decided_by(may) + " failed while checking");
  if (may.rejected()) return say("refused by " + decided_by(may));

  json request = json::object{};
  for (const auto& [key, value] : a.options) request[key] = value;
  const auto created = dispatch<&third_party_rules::on_create_room>(requester{user}, request, a.flag("admin"));
  if (created.failed()) return say("forbidden by " + decided_by(created) + ": " + what_failed(*created.first_failure()));

  room& r = rooms_[room_id];
  r.creator = user;
  const json* creation = request.find("creation_content");
  r.state[{"m.room.create", ""}] =
      event{"$" + std::to_string(next_event_++), room_id, user, "m.room.create", "", creation ? *creation : json()};
  say("created with request " + request.dump());
}

void server::do_send(const action& a) {
  const std::string& user = a.args[0];
  room* r = find_room(a.args[1]);
  if (r == nullptr) return say("error: unknown room " + a.args[1]);
  event e{"$" + std::to_string(next_event_), a.args[1], user, a.args[2], std::nullopt, json::object{}};
  for (const auto& [key, value] : a.options) {
    if (key == "state_key")
      e.state_key = value;
    else
      e.content[key] = value;
  }
  if (e.type == "m.room.message" && !e.content.find("msgtype")) e.content["msgtype"] = "m.text";

  const auto spam = dispatch<&spam_checker::check_event_for_spam>(e);
  if (spam.failed()) return say("not sent: " + decided_by(spam) + " failed while checking for spam");
  if (spam.rejected()) return say("refused as spam by " + decided_by(spam) + ": " + spam.rejection().reason);

  const auto allowed = dispatch<&third_party_rules::check_event_allowed>(e, r->state);
  if (allowed.failed()) return say("not accepted: " + decided_by(allowed) + " failed (not counted as a rejection)");
  std::string decision = "accepted";
  if (allowed.rejected()) {
    const allow_result& answer = allowed.rejection();
    if (!answer.allowed) return say("rejected by " + decided_by(allowed));
    e.content = *answer.replacement_content;
    decision = "accepted, content replaced by " + decided_by(allowed) + ": " + e.content.dump();
  }
  ++next_event_;
  if (e.state_key) r->state[{e.type, *e.state_key}] = e;
  say(decision + " as " + e.event_id);
  (void)dispatch<&third_party_rules::on_new_event>(e, r->state);
}

void server::do_invite(const action& a) {
  const auto may = dispatch<&spam_checker::user_may_invite>(a.args[0], a.args[1], a.args[2]);
  if (may.failed()) return say("refused: " + decided_by(may) + " failed while checking");
  say(may.passed() ? "invited" : "refused by " + decided_by(may));
}

void server::do_invite_threepid(const action& a) {
  room* r = find_room(a.args[3]);
  if (r == nullptr) return say("error: unknown room " + a.args[3]);
  const auto may = dispatch<&third_party_rules::check_threepid_can_be_invited>(a.args[1], a.args[2], r->state);
  std::string note = may.failure_count() ? " (" + std::to_string(may.failure_count()) + " failing module(s) skipped)" : "";
  say((may.passed() ? "invited" : "refused by " + decided_by(may)) + note);
}

void server::do_visibility(const action& a) {
  room* r = find_room(a.args[1]);
  if (r == nullptr) return say("error: unknown room " + a.args[1]);
  const auto may = dispatch<&third_party_rules::check_visibility_can_be_modified>(a.args[1], r->state, a.args[2]);
  if (!may.passed()) return say("refused by " + decided_by(may));
  r->visibility = a.args[2];
  say("visibility is now " + r->visibility);
}

void server::do_shutdown(const action& a) {
  if (find_room(a.args[1]) == nullptr) return say("error: unknown room " + a.args[1]);
  const auto may = dispatch<&third_party_rules::check_can_shutdown_room>(a.args[0], a.args[1]);
  if (!may.passed()) return say("refused M_FORBIDDEN by " + decided_by(may));
  rooms_.erase(a.args[1]);
  say("room shut down");
}

void server::do_profile(const action& a) {
  const profile_info profile{a.option("displayname"),
                             a.options.contains("avatar") ? std::optional(a.option("avatar")) : std::nullopt};
  const auto done = dispatch<&third_party_rules::on_profile_update>(a.args[0], profile, a.flag("admin"), false);
  say(done.ok() ? "profile updated" : "profile updated; " + std::to_string(done.failure_count()) + " module(s) failed");
}

void server::do_deactivate(const action& a) {
  const std::string& user = a.args[0];
  const bool by_admin = a.flag("admin");
  const auto may = dispatch<&third_party_rules::check_can_deactivate_user>(user, by_admin);
  std::string note = may.failure_count() ? " (" + std::to_string(may.failure_count()) + " failing module(s) skipped)" : "";
  if (!may.passed()) return say("refused M_FORBIDDEN by " + decided_by(may) + note);
  deactivated_.insert(user);
  (void)dispatch<&third_party_rules::on_profile_update>(user, profile_info{"", std::nullopt}, by_admin, true);
  (void)dispatch<&third_party_rules::on_user_deactivation_status_changed>(user, true, by_admin);
  say("deactivated" + note);
}

void server::do_reactivate(const action& a) {
  if (deactivated_.erase(a.args[0]) == 0) return say("error: " + a.args[0] + " is not deactivated");
  (void)dispatch<&third_party_rules::on_user_deactivation_status_changed>(a.args[0], false, true);
  say("reactivated");
}

void server::do_bind(const action& a) {
  const auto done = dispatch<&third_party_rules::on_threepid_bind>(a.args[0], a.args[1], a.args[2]);
  say(done.ok() ? "bound" : "bound; " + std::to_string(done.failure_count()) + " module(s) failed");
}

void server::do_upload(const action& a) {
  const media_file file{a.option("bytes")};
  const auto size = a.option("size", std::to_string(file.bytes.size()));
  file_info info{a.args[1], a.args[2], 0};
  const auto [end, error] = std::from_chars(size.data(), size.data() + size.size(), info.size);
  if (error != std::errc{} || end != size.data() + size.size()) return say("error: size must be a number");
  const auto may = dispatch<&spam_checker::check_media_file_for_spam>(file, info);
  if (may.failed()) return say("not stored: " + decided_by(may) + " failed while checking");
  say(may.passed() ? "stored" : "refused as spam by " + decided_by(may));
}

void server::do_web(const action& a) {
  std::optional<web_response> response;
  try {
    response = web_->handle(a.args[0], a.option("body"));
  } catch (const std::exception& e) {
    return say("500: the handler of " + *web_->owner(a.args[0]) + " failed: " + e.what());
  }
  if (!response) return say("404: no module serves " + a.args[0]);
  say(std::to_string(response->status) + " from " + *web_->owner(a.args[0]) + ": " + response->body);
}

void server::print_summary(bool timing) const {
  *out_ << "\nsummary per callback\n";
  char line[256];
  std::snprintf(line, sizeof line, "%-56s %7s %7s %10s %8s %12s\n", "callback", "calls", "passes", "rejections",
                "failures", "ns/dispatch");
  *out_ << line;
  for (const auto& name : callback_order_) {
    const auto& s = stats_.at(name);
    char ns[32] = "-";
    if (timing && s.calls != 0)
      std::snprintf(ns, sizeof ns, "%.0f", static_cast<double>(s.time.count()) / static_cast<double>(s.calls));
    std::snprintf(line, sizeof line, "%-56s %7zu %7zu %10zu %8zu %12s\n", name.c_str(), s.calls, s.passes,
                  s.rejections, s.failures, ns);
    *out_ << line;
  }
}

} // namespace homeserver
