#ifndef HOMESERVER_ENVIRONMENT_HPP
#define HOMESERVER_ENVIRONMENT_HPP

// `${NAME}` in a config value or a scenario's body: the environment variable NAME (the censor
// service's URL, the admin's password), so that neither is written in a file.

#include <modhook/expected.hpp>

#include <cstdlib>
#include <string>
#include <string_view>

namespace homeserver {

/// `text` with each `${NAME}` replaced by the value of the environment variable NAME; or what
/// was wrong: "a '${' without a closing '}'", "environment variable 'NAME' is not set".
inline modhook::expected<std::string, std::string> expand_environment(std::string_view text) {
  std::string out;
  for (std::size_t at = 0; at < text.size();) {
    const auto open = text.find("${", at);
    if (open == std::string_view::npos) {
      out.append(text.substr(at));
      break;
    }
    const auto close = text.find('}', open);
    if (close == std::string_view::npos)
      return modhook::unexpected(std::string("a '${' without a closing '}'")); // (the value may be a secret)
    out.append(text.substr(at, open - at));
    const std::string name(text.substr(open + 2, close - open - 2));
    const char* value = name.empty() ? nullptr : std::getenv(name.c_str());
    if (value == nullptr) return modhook::unexpected("environment variable '" + name + "' is not set");
    out += value;
    at = close + 1;
  }
  return out;
}

} // namespace homeserver

#endif
