#ifndef HOMESERVER_HTTP_MESSAGE_HPP
#define HOMESERVER_HTTP_MESSAGE_HPP

// The HTTP messages the homeserver's logic sees: plain values, so that the Matrix API, the
// modules and their tests need no Beast header. http/server.cpp and http/client.cpp convert.

#include <string>
#include <utility>
#include <vector>

namespace homeserver::http {

struct request {
  std::string method;        // "GET", "POST", ...
  std::string target;        // path and query, as sent: "/_matrix/client/v3/createRoom?x=1"
  std::string content_type;  // empty when the request has none
  std::string authorization; // the Authorization header's value, empty when absent
  std::string body;
};

struct response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers; // extra headers
};

} // namespace homeserver::http

#endif
