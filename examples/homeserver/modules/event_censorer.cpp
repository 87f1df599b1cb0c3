// A port of the event censorer from Synapse's third-party rules documentation: message
// bodies go to a censoring "service" (a local function here) and, when it changed anything,
// the event is replaced with the censored content.

#include "modules.hpp"

#include <memory>

namespace homeserver {

namespace {
// Stands in for the HTTP service of the original: masks every listed word.
json censor_service(const json& content, const std::vector<std::string>& words) {
  json censored = content;
  const json* body = content.find("body");
  if (body == nullptr || !body->is_string()) return censored;
  std::string text = body->as_string();
  for (const auto& word : words)
    for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + word.size()))
      text.replace(at, word.size(), std::string(word.size(), '*'));
  censored["body"] = text;
  return censored;
}
} // namespace

event_censorer::event_censorer(const json& config, module_services& services, hooks::api& api)
    : words_(config_strings(config, "words")), censored_(std::make_shared<int>(0)) {
  if (words_.empty()) throw config_error("event_censorer needs a non-empty 'words' list");
  for (const auto& word : words_)
    if (word.empty()) throw config_error("event_censorer: 'words' must not contain an empty word");
  (void)api.register_callbacks(third_party_rules{
      .check_event_allowed = modhook::bind<&event_censorer::check_event_allowed>(this),
  });
  services.register_web_resource("/_synapse/client/censor/stats", [count = censored_](std::string_view) {
    return web_response{200, "{\"censored\":" + std::to_string(*count) + "}"};
  });
}

allow_result event_censorer::check_event_allowed(const event& e, const state_map&) const {
  if (e.type != "m.room.message") return allow_result::allow();
  json censored = censor_service(e.content, words_);
  if (censored == e.content) return allow_result::allow();
  ++*censored_;
  return allow_result::replace(std::move(censored));
}

} // namespace homeserver
