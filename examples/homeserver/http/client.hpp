#ifndef HOMESERVER_HTTP_CLIENT_HPP
#define HOMESERVER_HTTP_CLIENT_HPP

// An asynchronous HTTP/1.1 client on Boost.Beast: one request per connection, with one
// deadline over connecting, writing and reading. Failures throw http::client_error with a
// message naming the URL and what went wrong.

#include "message.hpp"
#include "url.hpp"

#include <utility> // first: Asio 1.74's awaitable.hpp uses std::exchange without it (g++ 12)

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <stdexcept>
#include <string>

namespace homeserver::http {

struct client_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct reply {
  int status = 0;
  std::string content_type;
  std::string body;
};

/// Sends `method` to `to` with `body` (as `content_type`) and returns the answer. Runs on the
/// calling coroutine's executor. Throws client_error when the connection is refused, the
/// deadline passes, or the answer is not HTTP. (`to` by value: the coroutine starts when it is
/// awaited, and a reference could dangle by then.)
boost::asio::awaitable<reply> fetch(url to, std::string method, std::string body, std::string content_type,
                                    std::chrono::milliseconds timeout);

} // namespace homeserver::http

#endif
