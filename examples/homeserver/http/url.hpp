#ifndef HOMESERVER_HTTP_URL_HPP
#define HOMESERVER_HTTP_URL_HPP

// http://ADDRESS:PORT/PATH URLs, the only kind the reference host calls: no DNS lookups (the
// address is an IP literal), no TLS.

#include <modhook/expected.hpp>

#include <string>
#include <string_view>

namespace homeserver::http {

struct url {
  std::string address; // an IPv4 or IPv6 literal
  unsigned short port = 80;
  std::string target = "/"; // path and query

  std::string text() const; // back to "http://..."
};

/// The parts of `text`, or an error saying what is wrong with it.
modhook::expected<url, std::string> parse_url(std::string_view text);

} // namespace homeserver::http

#endif
