// http:// URLs with an IP literal for a host. No Asio here: this file is built with every
// compiler (homeserver_url), and the checks are simple enough to do by hand.

#include "url.hpp"

#include <algorithm>
#include <string>
#include <string_view>

namespace homeserver::http {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Four decimal octets 0-255 without leading zeros, which inet_pton (and so Asio) refuses too.
bool is_ipv4(std::string_view text) {
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (text.empty() || text.front() != '.') return false;
      text.remove_prefix(1);
    }
    std::size_t digits = 0;
    unsigned value = 0;
    while (digits < text.size() && digits < 4 && is_digit(text[digits]))
      value = value * 10 + static_cast<unsigned>(text[digits++] - '0');
    if (digits == 0 || digits > 3 || value > 255 || (digits > 1 && text.front() == '0')) return false;
    text.remove_prefix(digits);
  }
  return text.empty();
}

// The characters an IPv6 literal may hold (hex digits, ':' and a dotted IPv4 tail). Asio
// checks the grammar when it connects; this only keeps names and junk out.
bool looks_like_ipv6(std::string_view text) {
  if (text.find(':') == std::string_view::npos) return false;
  for (const char c : text)
    if (!is_digit(c) && !(c >= 'a' && c <= 'f') && !(c >= 'A' && c <= 'F') && c != ':' && c != '.') return false;
  return true;
}

std::string not_an_ip(std::string_view host) {
  return "'" + std::string(host) + "' is not an IP address (the reference host does no DNS lookups)";
}

} // namespace

std::string url::text() const {
  std::string out = "http://";
  out += address.find(':') == std::string::npos ? address : "[" + address + "]";
  if (port != 80) out += ":" + std::to_string(port);
  return out + target;
}

modhook::expected<url, std::string> parse_url(std::string_view text) {
  using failure = modhook::unexpected<std::string>;
  constexpr std::string_view scheme = "http://";
  if (text.substr(0, scheme.size()) != scheme) return failure("'" + std::string(text) + "' is not an http:// URL");
  std::string_view rest = text.substr(scheme.size());

  // The authority ends where the path or the query begins; a fragment is never sent.
  const std::size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view target = authority_end == std::string_view::npos ? "" : rest.substr(authority_end);
  target = target.substr(0, target.find('#'));
  for (const char c : target)
    if (static_cast<unsigned char>(c) <= ' ' || c == '\x7f')
      return failure("'" + std::string(text) + "' has a space or a control character in its path");

  url out;
  out.target = target.empty() || target.front() != '/' ? "/" + std::string(target) : std::string(target);

  std::string_view host;
  std::string_view port;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return failure("'" + std::string(text) + "' has a '[' without its ']'");
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return failure(not_an_ip(authority));
    has_port = !after.empty();
    if (has_port) port = after.substr(1);
    if (!looks_like_ipv6(host)) return failure(not_an_ip(host));
  } else {
    const std::size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    has_port = colon != std::string_view::npos;
    if (has_port) port = authority.substr(colon + 1);
    if (host.empty()) return failure("'" + std::string(text) + "' has no address");
    if (!is_ipv4(host)) return failure(not_an_ip(host));
  }
  out.address = std::string(host);

  if (has_port) {
    const bool digits = !port.empty() && port.size() <= 5 && std::ranges::all_of(port, is_digit);
    unsigned value = 0;
    if (digits)
      for (const char c : port) value = value * 10 + static_cast<unsigned>(c - '0');
    if (!digits || value < 1 || value > 65535)
      return failure("port '" + std::string(port) + "' is not a number from 1 to 65535");
    out.port = static_cast<unsigned short>(value);
  }
  return out;
}

} // namespace homeserver::http
