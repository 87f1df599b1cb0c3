// A port of the event censorer from Synapse's third-party rules documentation: a module
// class built from its config, a member function bound as the callback, and an answer type
// that can allow, deny, or allow with a replacement event. The "remote service" that
// censors content is a local function here.

#include <modhook/modhook.hpp>

#include <cstdio>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

struct event {
  std::string sender;
  std::map<std::string, std::string> content;
};
using state_map = std::map<std::pair<std::string, std::string>, event>;

// Synapse's (allowed, replacement) pair. Only "allowed, nothing replaced" lets the next
// module be asked: a rejection or a replacement stops the dispatch.
struct allow_result {
  bool allowed = true;
  std::optional<event> replacement;
};

template <>
struct modhook::pass_traits<allow_result> {
  static bool passes(const allow_result& r) noexcept { return r.allowed && !r.replacement; }
};

struct third_party_rules {
  MODHOOK_CALLBACKS(third_party_rules,
    (check_event_allowed, modhook::all_must_pass, allow_result(const event&, const state_map&)),
    (on_new_event, modhook::run_all, void(const event&, const state_map&)));
};
using hooks = modhook::registry<third_party_rules>;

// Stands in for the HTTP censoring service of the original example.
std::map<std::string, std::string> censor_service(std::map<std::string, std::string> content) {
  for (auto& [key, value] : content)
    for (std::string::size_type at; (at = value.find("darn")) != std::string::npos;) value.replace(at, 4, "****");
  return content;
}

struct censor_config {
  std::string word;
};

class event_censorer {
public:
  event_censorer(const censor_config& config, hooks::api& api) : word_(config.word) {
    if (word_.empty()) throw std::invalid_argument("event_censorer: config needs a non-empty 'word'");
    (void)api.register_callbacks(third_party_rules{
        .check_event_allowed = modhook::bind<&event_censorer::check_event_allowed>(this),
    });
  }

  allow_result check_event_allowed(const event& e, const state_map&) const {
    const auto body = e.content.find("body");
    if (body == e.content.end() || body->second.find(word_) == std::string::npos) return {};
    event replaced = e;
    replaced.content = censor_service(e.content);
    return {true, std::move(replaced)};
  }

private:
  std::string word_;
};

int main() {
  hooks h;
  if (!h.on_failure([](const modhook::failure<>& f) {
        std::printf("module %s failed in %s\n", std::string(f.module.name).c_str(), std::string(f.callback.name).c_str());
      }))
    return 1;

  // A module that rejects its config fails to load, and leaves nothing registered.
  if (auto bad = h.load<event_censorer>("bad_censor", censor_config{""}); !bad)
    std::printf("%s\n", bad.error().message().c_str());

  if (!h.load<event_censorer>("censor", censor_config{"darn"})) return 1;
  if (!h.load("audit", [](hooks::api& api) {
        (void)api.register_callbacks(third_party_rules{
            .on_new_event = [](const event& e, const state_map&) {
              std::printf("audit: %s said \"%s\"\n", e.sender.c_str(), e.content.at("body").c_str());
            },
        });
      }))
    return 1;
  h.seal();

  const state_map state;
  for (event e : {event{"@ann:example.com", {{"body", "hello there"}}}, event{"@bob:example.com", {{"body", "darn it"}}}}) {
    const auto verdict = h.dispatch<&third_party_rules::check_event_allowed>(e, state);
    if (verdict.failed() || (verdict.rejected() && !verdict.rejection().allowed)) {
      std::printf("%s: not sent\n", e.sender.c_str());
      continue;
    }
    if (verdict.rejected()) { // allowed with a replacement
      std::printf("%s: replaced by module %s\n", e.sender.c_str(), std::string(verdict.decided_by()->name).c_str());
      e = *verdict.rejection().replacement;
    }
    h.dispatch<&third_party_rules::on_new_event>(e, state);
  }
}
