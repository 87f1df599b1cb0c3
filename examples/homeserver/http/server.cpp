// The HTTP/1.1 server: one coroutine accepting on the acceptor's strand, one coroutine per
// connection on the connection's own strand (read a request, ask the handler, write the
// answer, again while the client keeps the connection alive).

#include "server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <optional>
#include <utility>
#include <vector>

namespace homeserver::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using asio::use_awaitable;

namespace {

struct connection {
  explicit connection(tcp::socket socket) : stream(std::move(socket)), deadline(stream.get_executor()) {}
  beast::tcp_stream stream;
  // The deadline of the request being read. Not the stream's own timeout, which closes the
  // socket when it expires: a request that stalls half-way gets a 408 first. `reads` tells a
  // deadline that fired as its read ended from one that fired during it.
  asio::steady_timer deadline;
  std::uint64_t reads = 0;
  bool timed_out = false;
  // Chosen to make room at max_connections: closes when its read ends, or after the answer to
  // the request it was reading.
  std::atomic<bool> evicted{false};
  // Since when the connection has waited for (the rest of) a request, in steady-clock ticks;
  // 0 while it is busy with one. Written on the connection's strand, read by the acceptor's
  // (to pick whom to evict).
  std::atomic<std::int64_t> waiting_since{0};
  void start_waiting() noexcept { waiting_since = std::chrono::steady_clock::now().time_since_epoch().count(); }
  bool reading() const noexcept { return waiting_since != 0; }
};

// co_spawn's completion: a coroutine that ends with an exception says so on stderr
// (asio::detached would swallow it).
struct report_exception {
  const char* what;
  void operator()(const std::exception_ptr& failure) const {
    if (!failure) return;
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "homeserver http: %s: %s\n", what, e.what());
    } catch (...) {
      std::fprintf(stderr, "homeserver http: %s: an exception that is not a std::exception\n", what);
    }
  }
};

std::string text(beast::string_view s) { return std::string(s.data(), s.size()); }

request to_request(bhttp::request<bhttp::string_body> in) {
  request out;
  out.method = text(in.method_string());
  out.target = text(in.target());
  out.content_type = text(in[bhttp::field::content_type]);
  out.authorization = text(in[bhttp::field::authorization]);
  out.body = std::move(in.body());
  return out;
}

bhttp::response<bhttp::string_body> to_beast(response in, unsigned version, bool keep_alive) {
  bhttp::response<bhttp::string_body> out;
  out.version(version);
  out.result(static_cast<unsigned>(in.status));
  out.set(bhttp::field::server, "modhook-homeserver");
  if (!in.content_type.empty()) out.set(bhttp::field::content_type, in.content_type);
  for (const auto& [name, value] : in.headers) out.insert(name, value);
  out.body() = std::move(in.body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  return out;
}

// A request Beast's parser refused as not HTTP (as opposed to a connection that ended).
bool is_malformed(const beast::error_code& ec) {
  if (ec.category() != bhttp::make_error_code(bhttp::error::bad_method).category()) return false;
  switch (static_cast<bhttp::error>(ec.value())) {
  case bhttp::error::bad_line_ending:
  case bhttp::error::bad_method:
  case bhttp::error::bad_target:
  case bhttp::error::bad_version:
  case bhttp::error::bad_status:
  case bhttp::error::bad_reason:
  case bhttp::error::bad_field:
  case bhttp::error::bad_value:
  case bhttp::error::bad_content_length:
  case bhttp::error::bad_transfer_encoding:
  case bhttp::error::bad_chunk:
  case bhttp::error::bad_chunk_extension:
  case bhttp::error::bad_obs_fold: return true;
  default: return false;
  }
}

// The answer to a request that could not be read, if it gets one: none when the client went
// away, was idle, or the server is stopping. `started`: some of the request had come.
std::optional<response> refusal(const beast::error_code& ec, const server_options& options, bool started) {
  if (ec == bhttp::error::body_limit)
    return matrix_error(413, "M_TOO_LARGE", "the request body is over " + std::to_string(options.body_limit) + " bytes");
  if (ec == bhttp::error::header_limit) return matrix_error(431, "M_UNKNOWN", "the request's header is too large");
  if (ec == bhttp::error::buffer_overflow)
    return matrix_error(400, "M_UNKNOWN",
                        "a chunk's size line or a trailer field is over " + std::to_string(options.unparsed_limit) +
                            " bytes");
  if (ec == beast::error::timeout && started)
    return matrix_error(408, "M_UNKNOWN",
                        "the request did not arrive within " + std::to_string(options.idle_timeout.count()) + " ms");
  if (is_malformed(ec)) return matrix_error(400, "M_UNKNOWN", "malformed HTTP request");
  return std::nullopt;
}

// RFC 9112: a server that does not know a transfer coding answers 501. Beast decodes only
// chunked, and would take "gzip, chunked" as chunked, handing the handler compressed bytes.
std::optional<response> unsupported_coding(const bhttp::request_header<>& header) {
  const auto coding = header[bhttp::field::transfer_encoding];
  if (coding.empty() || beast::iequals(coding, "chunked")) return std::nullopt;
  return matrix_error(501, "M_UNRECOGNIZED", "Transfer-Encoding '" + text(coding) + "' is not supported: only chunked");
}

// After an error answer the client may still be sending (a body over the limit, say):
// closing at once would make the kernel reset the connection, and the client would get EPIPE
// or ECONNRESET instead of the answer. So stop sending, and read and discard for a second
// at most.
asio::awaitable<void> drain(std::shared_ptr<connection> c) {
  beast::error_code ec;
  c->stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  c->stream.expires_after(std::chrono::seconds(1));
  std::array<char, 4096> discarded;
  while (!ec) co_await c->stream.async_read_some(asio::buffer(discarded), asio::redirect_error(use_awaitable, ec));
}

} // namespace

struct server::state {
  state(asio::io_context& context, server_options chosen, handler h)
      : io(context), options(chosen), handle(std::move(h)), strand(asio::make_strand(context)), acceptor(strand) {}

  asio::io_context& io;
  const server_options options;
  const handler handle;
  asio::strand<asio::io_context::executor_type> strand; // the acceptor's; guards `connections`
  tcp::acceptor acceptor;
  std::vector<std::weak_ptr<connection>> connections; // so that stop() can end the idle ones
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> answered{0};

  static asio::awaitable<void> accept(std::shared_ptr<state> self);
  static asio::awaitable<void> turn_away(std::shared_ptr<state> self, std::shared_ptr<connection> c);
  // At max_connections: the connection that has waited longest for a request, taken out of
  // `connections`; none when every connection is busy with one.
  std::shared_ptr<connection> evictable();
  static asio::awaitable<void> serve(std::shared_ptr<state> self, std::shared_ptr<connection> c);
  static asio::awaitable<response> respond(std::shared_ptr<state> self, request in);
  static asio::awaitable<bool> send(std::shared_ptr<state> self, std::shared_ptr<connection> c, response answer,
                                    unsigned version, bool keep_alive);
  void shut_down();
};

asio::awaitable<void> server::state::accept(std::shared_ptr<state> self) {
  using std::chrono::milliseconds;
  constexpr milliseconds first_pause{10}, longest_pause{1000};
  milliseconds pause = first_pause;
  std::chrono::steady_clock::time_point reported{};
  unsigned long unreported = 0;
  for (;;) {
    beast::error_code ec;
    // Each connection gets a strand of its own, so that several threads may run the io_context.
    auto socket =
        co_await self->acceptor.async_accept(asio::make_strand(self->io), asio::redirect_error(use_awaitable, ec));
    if (self->stopping) co_return;
    if (ec) {
      // Out of descriptors, say: not a reason to stop serving, nor to spin. Back off (up to a
      // second), and say so at most once a second.
      const auto now = std::chrono::steady_clock::now();
      if (now - reported >= std::chrono::seconds(1)) {
        std::fprintf(stderr, "homeserver http: accepting a connection: %s (%lu more since the last report)\n",
                     ec.message().c_str(), unreported);
        reported = now;
        unreported = 0;
      } else {
        ++unreported;
      }
      asio::steady_timer timer(self->strand, pause);
      co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
      pause = std::min(pause * 2, longest_pause);
      continue;
    }
    pause = first_pause;
    std::erase_if(self->connections, [](const std::weak_ptr<connection>& c) { return c.expired(); });
    auto c = std::make_shared<connection>(std::move(socket));
    if (self->connections.size() >= self->options.max_connections) {
      std::shared_ptr<connection> evicted = self->evictable();
      if (!evicted) {
        asio::co_spawn(c->stream.get_executor(), turn_away(self, c), report_exception{"turning a connection away"});
        continue;
      }
      // Ends its read at once, as at the end of the stream: the connection closes. One that has
      // a request by now closes after answering it (serve reads `evicted`).
      evicted->evicted = true;
      asio::post(evicted->stream.get_executor(), [evicted] {
        beast::error_code ignored;
        if (!evicted->reading()) return;
        evicted->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        evicted->stream.cancel();
      });
    }
    self->connections.push_back(c);
    asio::co_spawn(c->stream.get_executor(), serve(self, c), report_exception{"serving a connection"});
  }
}

std::shared_ptr<connection> server::state::evictable() {
  auto oldest = connections.end();
  std::int64_t since = 0;
  for (auto it = connections.begin(); it != connections.end(); ++it)
    if (const auto c = it->lock()) {
      const std::int64_t waiting = c->waiting_since;
      if (waiting != 0 && (since == 0 || waiting < since)) {
        since = waiting;
        oldest = it;
      }
    }
  if (oldest == connections.end()) return nullptr;
  std::shared_ptr<connection> out = oldest->lock();
  connections.erase(oldest);
  return out;
}

asio::awaitable<void> server::state::turn_away(std::shared_ptr<state> self, std::shared_ptr<connection> c) {
  c->stream.expires_after(std::chrono::seconds(1));
  (void)co_await send(self, c, matrix_error(503, "M_LIMIT_EXCEEDED", "too many connections: try again later"), 11,
                      false);
  beast::error_code ignored;
  c->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  c->stream.close();
}

asio::awaitable<void> server::state::serve(std::shared_ptr<state> self, std::shared_ptr<connection> c) {
  beast::flat_buffer buffer(self->options.unparsed_limit);
  bool keep_alive = true;
  while (keep_alive && !self->stopping) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(self->options.body_limit);
    beast::error_code ec;
    c->stream.expires_never();
    c->timed_out = false;
    c->deadline.expires_after(self->options.idle_timeout);
    c->deadline.async_wait([c, read = ++c->reads](const beast::error_code& e) {
      if (e || c->reads != read || !c->reading()) return;
      c->timed_out = true;
      // A shutdown, not only a cancel: it also ends a read that starts after this runs (the
      // body's, after the header's), and the 408 can still be sent.
      beast::error_code ignored;
      c->stream.socket().shutdown(tcp::socket::shutdown_receive, ignored);
      c->stream.cancel();
    });
    c->start_waiting();
    co_await bhttp::async_read_header(c->stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    if (!ec) {
      if (std::optional<response> refused = unsupported_coding(parser.get())) {
        c->waiting_since = 0;
        c->deadline.cancel();
        if (co_await send(self, c, std::move(*refused), 11, false)) co_await drain(c);
        break;
      }
      if (!parser.is_done())
        co_await bhttp::async_read(c->stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    }
    c->waiting_since = 0;
    c->deadline.cancel();
    if (ec && c->timed_out) ec = beast::error::timeout;
    if (ec) {
      const bool started = parser.got_some() || buffer.size() > 0;
      if (std::optional<response> answer = refusal(ec, self->options, started)) {
        const bool sent = co_await send(self, c, std::move(*answer), 11, false);
        if (sent) co_await drain(c);
      }
      break;
    }
    bhttp::request<bhttp::string_body> in = parser.release();
    const unsigned version = in.version();
    keep_alive = in.keep_alive();
    response answer = co_await respond(self, to_request(std::move(in)));
    keep_alive = keep_alive && !self->stopping && !c->evicted;
    const bool sent = co_await send(self, c, std::move(answer), version, keep_alive);
    if (!sent) break;
  }
  beast::error_code ignored;
  c->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  c->stream.close();
}

asio::awaitable<response> server::state::respond(std::shared_ptr<state> self, request in) {
  std::string failure;
  try {
    response out = co_await self->handle(std::move(in));
    if (out.status >= 100 && out.status <= 599) co_return out;
    failure = "the handler answered status " + std::to_string(out.status);
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "an exception that is not a std::exception";
  }
  co_return matrix_error(500, "M_UNKNOWN", "internal error: " + failure);
}

asio::awaitable<bool> server::state::send(std::shared_ptr<state> self, std::shared_ptr<connection> c, response answer,
                                          unsigned version, bool keep_alive) {
  bhttp::response<bhttp::string_body> out = to_beast(std::move(answer), version, keep_alive);
  // Counted before the write: a client that has the answer finds it counted.
  ++self->answered;
  beast::error_code ec;
  c->stream.expires_after(self->options.idle_timeout);
  co_await bhttp::async_write(c->stream, out, asio::redirect_error(use_awaitable, ec));
  co_return !ec;
}

// On the strand. A connection waiting for its next request stops reading (its read ends at
// once, as at the end of the stream); one busy with a request answers it, without
// keep-alive, and closes.
void server::state::shut_down() {
  stopping = true;
  beast::error_code ignored;
  acceptor.close(ignored);
  for (const auto& weak : connections)
    if (auto c = weak.lock())
      asio::post(c->stream.get_executor(), [c] {
        beast::error_code ignored_too;
        if (c->reading()) c->stream.socket().shutdown(tcp::socket::shutdown_receive, ignored_too);
      });
  connections.clear();
}

server::server(asio::io_context& io, server_options options, handler h)
    : state_(std::make_shared<state>(io, options, std::move(h))) {}

server::~server() { stop(); }

modhook::expected<unsigned short, std::string> server::listen() {
  const tcp::endpoint at(asio::ip::address_v4::loopback(), state_->options.port);
  const auto failure = [&](const std::string& why) {
    return modhook::unexpected<std::string>("127.0.0.1:" + std::to_string(at.port()) + ": " + why);
  };
  if (state_->stopping) return failure("the server is stopped");
  tcp::acceptor& acceptor = state_->acceptor;
  if (acceptor.is_open()) return failure("the server is listening already");
  beast::error_code ec;
  acceptor.open(at.protocol(), ec);
  // So that a restart on the same port does not wait for the old connections' TIME_WAIT.
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(at, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  const unsigned short port = ec ? 0 : acceptor.local_endpoint(ec).port();
  if (ec) {
    beast::error_code ignored;
    acceptor.close(ignored);
    return failure(ec.message());
  }
  asio::co_spawn(state_->strand, state::accept(state_), report_exception{"accepting connections"});
  return port;
}

void server::stop() {
  asio::post(state_->strand, [self = state_] { self->shut_down(); });
}

std::uint64_t server::requests_answered() const noexcept { return state_->answered; }

response matrix_error(int status, std::string errcode, std::string error) {
  const nlohmann::json body = {{"errcode", std::move(errcode)}, {"error", std::move(error)}};
  response out;
  out.status = status;
  out.content_type = "application/json";
  // Replaced, not thrown on: an error message may quote what the client sent.
  out.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return out;
}

} // namespace homeserver::http
