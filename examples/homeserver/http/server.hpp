#ifndef HOMESERVER_HTTP_SERVER_HPP
#define HOMESERVER_HTTP_SERVER_HPP

// An HTTP/1.1 server on Boost.Beast and Asio coroutines: listens on 127.0.0.1, keeps
// connections alive, limits request bodies, headers, what a connection buffers and how many
// connections are open, and hands each request to one asynchronous handler. Errors in the
// request itself are answered here (400, 408, 413, 431, 501) and never reach the handler; a
// handler that throws gives a 500.

#include "message.hpp"

#include <modhook/expected.hpp>

#include <utility> // first: Asio 1.74's awaitable.hpp uses std::exchange without it (g++ 12)

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace homeserver::http {

using handler = std::function<boost::asio::awaitable<response>(request)>;

struct server_options {
  unsigned short port = 0;                       // 0: the system picks a free port
  std::size_t body_limit = 1024 * 1024;          // a larger body is answered 413
  std::chrono::milliseconds idle_timeout{30000}; // a connection idle (or stalled) for this long is closed
  // What a connection may hold of a request not yet parsed: the header (its own limit, 8 KiB,
  // is checked first), a chunk's size line with its extensions, a trailer field. More is
  // answered 400 and the connection closed. (The body goes to the request, up to body_limit.)
  std::size_t unparsed_limit = 16 * 1024;
  // Connections open at once. One more evicts the connection that has waited longest for a
  // request (an idle keep-alive, a slow client); when every connection is busy with a request,
  // the new one is answered 503 and closed. The default leaves half of the usual limit of
  // 1,024 descriptors to the rest of the process (modules' connections, libraries, files).
  std::size_t max_connections = 512;
};

class server {
public:
  server(boost::asio::io_context& io, server_options options, handler h);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds 127.0.0.1:port and starts accepting; the port actually bound, or an error that
  /// names the address and the reason ("127.0.0.1:8008: Address already in use").
  modhook::expected<unsigned short, std::string> listen();
  /// Stops accepting; connections close after the response in progress. Thread-safe.
  void stop();
  /// Requests answered so far (including the errors answered here).
  std::uint64_t requests_answered() const noexcept;

private:
  struct state;
  std::shared_ptr<state> state_;
};

/// An error body in Matrix's shape: {"errcode": ..., "error": ...}.
response matrix_error(int status, std::string errcode, std::string error);

} // namespace homeserver::http

#endif
