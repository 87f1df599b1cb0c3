// The HTTP server, client and URLs. Each test runs a server on 127.0.0.1 (a free port) with
// two threads, and every client or io_context run has a deadline, so that a broken server
// fails a test instead of hanging it.

#include "http/client.hpp"
#include "http/server.hpp"
#include "http/url.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <nlohmann/json.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <chrono>
#include <atomic>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace http = homeserver::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// What the handler saw (it runs on the server's threads).
struct journal {
  std::mutex lock;
  std::vector<http::request> seen;
  std::atomic<bool> released{false}; // what /hold waits for

  std::vector<http::request> requests() {
    const std::lock_guard hold(lock);
    return seen;
  }
};

// The test handler: echoes the body; /throw throws; /slow answers after 300 ms; /hold answers
// once the journal is released (5 s at most).
asio::awaitable<http::response> respond(std::shared_ptr<journal> log, http::request in) {
  {
    const std::lock_guard hold(log->lock);
    log->seen.push_back(in);
  }
  if (in.target == "/throw") throw std::runtime_error("the database is on fire");
  if (in.target == "/slow") {
    asio::steady_timer wait(co_await asio::this_coro::executor, 300ms);
    co_await wait.async_wait(asio::use_awaitable);
  }
  for (int i = 0; in.target == "/hold" && !log->released && i < 500; ++i) {
    asio::steady_timer wait(co_await asio::this_coro::executor, 10ms);
    co_await wait.async_wait(asio::use_awaitable);
  }
  http::response out;
  out.content_type = "text/plain";
  out.body = "you said: " + in.body;
  co_return out;
}

// A server on a free port of 127.0.0.1, run by two threads for 20 s at most.
struct running_server {
  explicit running_server(http::server_options options = {})
      : server(io, options, [seen = log](http::request in) { return respond(seen, std::move(in)); }) {
    const auto bound = server.listen();
    REQUIRE(bound);
    port = *bound;
    for (int i = 0; i < 2; ++i) threads.emplace_back([this] { io.run_for(20s); });
  }
  ~running_server() { (void)stop_and_join(); }
  running_server(const running_server&) = delete;
  running_server& operator=(const running_server&) = delete;

  // How long the threads took to return after stop().
  std::chrono::steady_clock::duration stop_and_join() {
    const auto start = std::chrono::steady_clock::now();
    server.stop();
    for (auto& t : threads)
      if (t.joinable()) t.join();
    return std::chrono::steady_clock::now() - start;
  }
  http::url at(std::string target) const { return http::url{"127.0.0.1", port, std::move(target)}; }

  std::shared_ptr<journal> log = std::make_shared<journal>();
  asio::io_context io;
  http::server server;
  unsigned short port = 0;
  std::vector<std::thread> threads;
};

// Runs `work` on `io` (with whatever else is on it) for 10 s at most.
template <class T>
T run(asio::io_context& io, asio::awaitable<T> work) {
  std::future<T> result = asio::co_spawn(io, std::move(work), asio::use_future);
  io.run_for(10s);
  REQUIRE(result.wait_for(0s) == std::future_status::ready);
  return result.get();
}

template <class T>
T run(asio::awaitable<T> work) {
  asio::io_context io;
  return run(io, std::move(work));
}

// The message of the client_error `work` throws.
std::string failure_of(asio::io_context& io, asio::awaitable<http::reply> work) {
  try {
    (void)run(io, std::move(work));
  } catch (const http::client_error& e) {
    return e.what();
  }
  return "(no client_error)";
}

struct conversation {
  std::vector<bhttp::response<bhttp::string_body>> answers;
  bool closed_by_server = false; // after the answers, within the 5 s deadline
};

// A raw client: sends each of `requests` on one connection and reads an answer after each,
// calls `then`, and reads on until the server closes the connection.
asio::awaitable<conversation> converse(unsigned short port, std::vector<std::string> requests,
                                       std::function<void()> then) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  stream.expires_after(5s);
  co_await stream.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), port), asio::use_awaitable);
  conversation out;
  beast::flat_buffer buffer;
  for (const std::string& raw : requests) {
    co_await asio::async_write(stream, asio::buffer(raw), asio::use_awaitable);
    bhttp::response<bhttp::string_body> answer;
    co_await bhttp::async_read(stream, buffer, answer, asio::use_awaitable);
    out.answers.push_back(std::move(answer));
  }
  then();
  beast::error_code ec;
  std::array<char, 256> rest;
  while (!ec) co_await stream.async_read_some(asio::buffer(rest), asio::redirect_error(asio::use_awaitable, ec));
  out.closed_by_server = ec == asio::error::eof;
  co_return out;
}

asio::awaitable<conversation> converse(unsigned short port, std::vector<std::string> requests) {
  return converse(port, std::move(requests), [] {});
}

// Sends the start of a request, ends the sending side, and reads until the server closes:
// the number of bytes the server sent back.
asio::awaitable<std::size_t> send_truncated(unsigned short port, std::string start) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  stream.expires_after(5s);
  co_await stream.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), port), asio::use_awaitable);
  co_await asio::async_write(stream, asio::buffer(start), asio::use_awaitable);
  stream.socket().shutdown(tcp::socket::shutdown_send);
  std::size_t received = 0;
  beast::error_code ec;
  std::array<char, 256> rest;
  while (!ec)
    received += co_await stream.async_read_some(asio::buffer(rest), asio::redirect_error(asio::use_awaitable, ec));
  if (ec != asio::error::eof) throw std::runtime_error("send_truncated: " + ec.message());
  co_return received;
}

// Accepts one connection, reads a request's header, and answers something that is not HTTP.
asio::awaitable<void> answer_garbage(tcp::acceptor acceptor) {
  tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
  std::string request;
  (void)co_await asio::async_read_until(socket, asio::dynamic_buffer(request), "\r\n\r\n", asio::use_awaitable);
  (void)co_await asio::async_write(socket, asio::buffer(std::string_view("not http at all\r\n\r\n")),
                                   asio::use_awaitable);
  socket.shutdown(tcp::socket::shutdown_both);
}

nlohmann::json json_of(const std::string& body) { return nlohmann::json::parse(body, nullptr, false); }

unsigned short closed_port() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  return acceptor.local_endpoint().port(); // closed again when this returns
}

} // namespace

TEST_CASE("a request reaches the handler and its answer comes back through fetch") {
  running_server s;
  const http::reply answer =
      run(http::fetch(s.at("/rooms/1?full=yes"), "PUT", "{\"name\":\"x\"}", "application/json", 5000ms));
  CHECK(answer.status == 200);
  CHECK(answer.content_type == "text/plain");
  CHECK(answer.body == "you said: {\"name\":\"x\"}");
  const auto seen = s.log->requests();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].method == "PUT");
  CHECK(seen[0].target == "/rooms/1?full=yes");
  CHECK(seen[0].content_type == "application/json");
  CHECK(seen[0].authorization.empty());
  CHECK(seen[0].body == "{\"name\":\"x\"}");
  CHECK(s.server.requests_answered() == 1);
}

TEST_CASE("a connection is kept alive until the client asks to close it") {
  running_server s;
  const conversation c = run(
      converse(s.port, {"GET /first HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer abc\r\n\r\n",
                        "POST /second HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"}));
  REQUIRE(c.answers.size() == 2);
  CHECK(c.answers[0].result_int() == 200);
  CHECK(c.answers[0].keep_alive());
  CHECK(c.answers[0][bhttp::field::server] == "modhook-homeserver");
  CHECK(c.answers[0].body() == "you said: ");
  CHECK(c.answers[1].body() == "you said: hello");
  CHECK_FALSE(c.answers[1].keep_alive());
  CHECK(c.closed_by_server);
  const auto seen = s.log->requests();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].method == "GET");
  CHECK(seen[0].authorization == "Bearer abc");
  CHECK(seen[1].method == "POST");
  CHECK(seen[1].target == "/second");
  CHECK(seen[1].body == "hello");
}

TEST_CASE("a body over the limit is answered 413, even while the client is still sending it") {
  running_server s({.port = 0, .body_limit = 1024, .idle_timeout = 30000ms});
  // 4 MiB is more than the sockets' buffers: the client still writes when the 413 is sent.
  const http::reply answer =
      run(http::fetch(s.at("/upload"), "POST", std::string(4 * 1024 * 1024, 'x'), "text/plain", 5000ms));
  CHECK(answer.status == 413);
  CHECK(json_of(answer.body) ==
        nlohmann::json{{"errcode", "M_TOO_LARGE"}, {"error", "the request body is over 1024 bytes"}});
  CHECK(s.log->requests().empty());
}

TEST_CASE("a header over 8 KiB is answered 431 and the connection closed") {
  running_server s;
  const conversation c =
      run(converse(s.port, {"GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(9000, 'y') + "\r\n\r\n"}));
  REQUIRE(c.answers.size() == 1);
  CHECK(c.answers[0].result_int() == 431);
  CHECK(json_of(c.answers[0].body())["errcode"] == "M_UNKNOWN");
  CHECK(c.closed_by_server);
}

TEST_CASE("a chunk extension or a trailer field over 16 KiB is answered 400 and the connection closed") {
  running_server s;
  const std::string start = "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const std::string& request :
       {start + "5;" + std::string(20000, 'e') + "\r\nhello\r\n0\r\n\r\n",
        start + "5\r\nhello\r\n0\r\nX-Trailer: " + std::string(20000, 't') + "\r\n\r\n"}) {
    const conversation c = run(converse(s.port, {request}));
    REQUIRE(c.answers.size() == 1);
    CHECK(c.answers[0].result_int() == 400);
    CHECK(json_of(c.answers[0].body()) ==
          nlohmann::json{{"errcode", "M_UNKNOWN"},
                         {"error", "a chunk's size line or a trailer field is over 16384 bytes"}});
    CHECK(c.closed_by_server);
  }
  // Under the limit, both are taken.
  const conversation fine =
      run(converse(s.port, {start + "5;" + std::string(1000, 'e') + "\r\nhello\r\n0\r\nX-T: t\r\n\r\n"}));
  REQUIRE(fine.answers.size() == 1);
  CHECK(fine.answers[0].body() == "you said: hello");
  CHECK(s.log->requests().size() == 1);
}

TEST_CASE("a transfer coding other than chunked is answered 501, the handler never asked") {
  running_server s;
  for (const char* coding : {"gzip, chunked", "gzip", "chunked, chunked"}) {
    INFO(coding);
    const conversation c = run(converse(
        s.port, {std::string("POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: ") + coding + "\r\n\r\n0\r\n\r\n"}));
    REQUIRE(c.answers.size() == 1);
    CHECK(c.answers[0].result_int() == 501);
    CHECK(json_of(c.answers[0].body())["error"] ==
          std::string("Transfer-Encoding '") + coding + "' is not supported: only chunked");
    CHECK(c.closed_by_server);
  }
  CHECK(s.log->requests().empty());
}

TEST_CASE("a request that stalls is answered 408, an idle connection is closed without an answer") {
  running_server s({.port = 0, .body_limit = 1024, .idle_timeout = 300ms});
  const conversation stalled = run(converse(s.port, {"GET / HTTP/1.1\r\nHost: h\r\n"}));
  REQUIRE(stalled.answers.size() == 1);
  CHECK(stalled.answers[0].result_int() == 408);
  CHECK(json_of(stalled.answers[0].body())["error"] == "the request did not arrive within 300 ms");
  CHECK(stalled.closed_by_server);
  const conversation idle = run(converse(s.port, {}));
  CHECK(idle.answers.empty());
  CHECK(idle.closed_by_server);
  CHECK(s.log->requests().empty());
}

TEST_CASE("at max_connections the longest-waiting connection makes room, and when all are busy the next gets 503") {
  running_server s({.port = 0, .body_limit = 1024, .idle_timeout = 30000ms, .max_connections = 2});
  asio::io_context io;
  // Two idle connections, then a third client: the first idle one is closed, the client answered.
  // The first waits longest: it connects, and the second a moment after.
  std::future<conversation> first = asio::co_spawn(io, converse(s.port, {}), asio::use_future);
  io.run_for(100ms);
  std::future<conversation> second = asio::co_spawn(io, converse(s.port, {}), asio::use_future);
  io.run_for(100ms);
  std::future<conversation> third = asio::co_spawn(
      io, converse(s.port, {"GET /third HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"}), asio::use_future);
  const auto ready = [](auto& f) { return f.wait_for(0s) == std::future_status::ready; };
  for (int i = 0; i < 300 && !(ready(third) && ready(first)); ++i) io.run_for(10ms);
  REQUIRE(ready(third));
  const conversation answered = third.get();
  REQUIRE(answered.answers.size() == 1);
  CHECK(answered.answers[0].result_int() == 200);
  REQUIRE(ready(first));
  const conversation evicted = first.get();
  CHECK(evicted.answers.empty());
  CHECK(evicted.closed_by_server);
  CHECK_FALSE(ready(second)); // still open, still waiting

  // Two connections busy with a request: the next is turned away with 503.
  running_server busy({.port = 0, .body_limit = 1024, .idle_timeout = 30000ms, .max_connections = 2});
  asio::io_context clients;
  const std::string hold = "GET /hold HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
  std::future<conversation> a = asio::co_spawn(clients, converse(busy.port, {hold}), asio::use_future);
  std::future<conversation> b = asio::co_spawn(clients, converse(busy.port, {hold}), asio::use_future);
  for (int i = 0; i < 500 && busy.log->requests().size() < 2; ++i) clients.run_for(10ms);
  REQUIRE(busy.log->requests().size() == 2);
  std::future<conversation> turned =
      asio::co_spawn(clients, converse(busy.port, {"GET /third HTTP/1.1\r\nHost: h\r\n\r\n"}), asio::use_future);
  for (int i = 0; i < 500 && turned.wait_for(0s) != std::future_status::ready; ++i) clients.run_for(10ms);
  REQUIRE(turned.wait_for(0s) == std::future_status::ready);
  const conversation refused = turned.get();
  REQUIRE(refused.answers.size() == 1);
  CHECK(refused.answers[0].result_int() == 503);
  CHECK(json_of(refused.answers[0].body())["errcode"] == "M_LIMIT_EXCEEDED");
  CHECK(refused.closed_by_server);
  busy.log->released = true;
  clients.run_for(2s);
  REQUIRE(a.wait_for(0s) == std::future_status::ready);
  REQUIRE(b.wait_for(0s) == std::future_status::ready);
  CHECK(a.get().answers.at(0).result_int() == 200);
  CHECK(b.get().answers.at(0).result_int() == 200);
}

TEST_CASE("a request that is not HTTP is answered 400 and the connection closed") {
  running_server s;
  const conversation c = run(converse(s.port, {"this is not http\r\n\r\n"}));
  REQUIRE(c.answers.size() == 1);
  CHECK(c.answers[0].result_int() == 400);
  CHECK(json_of(c.answers[0].body()) == nlohmann::json{{"errcode", "M_UNKNOWN"}, {"error", "malformed HTTP request"}});
  CHECK_FALSE(c.answers[0].keep_alive());
  CHECK(c.closed_by_server);
  CHECK(s.log->requests().empty());
}

TEST_CASE("a request cut short is closed without an answer, and the server serves the next client") {
  running_server s;
  CHECK(run(send_truncated(s.port, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc")) == 0);
  CHECK(run(send_truncated(s.port, "GET / HT")) == 0);
  CHECK(s.server.requests_answered() == 0);
  const http::reply answer = run(http::fetch(s.at("/"), "GET", "", "", 5000ms));
  CHECK(answer.status == 200);
  CHECK(s.server.requests_answered() == 1);
}

TEST_CASE("a handler that throws gives a 500 with its message") {
  running_server s;
  const http::reply answer = run(http::fetch(s.at("/throw"), "GET", "", "", 5000ms));
  CHECK(answer.status == 500);
  CHECK(answer.content_type == "application/json");
  CHECK(json_of(answer.body) ==
        nlohmann::json{{"errcode", "M_UNKNOWN"}, {"error", "internal error: the database is on fire"}});
}

TEST_CASE("stop() ends an idle kept-alive connection at once, and the threads return") {
  running_server s;
  const auto start = std::chrono::steady_clock::now();
  const conversation c = run(converse(s.port, {"GET / HTTP/1.1\r\nHost: h\r\n\r\n"}, [&s] { s.server.stop(); }));
  REQUIRE(c.answers.size() == 1);
  CHECK(c.answers[0].keep_alive());
  CHECK(c.closed_by_server);
  CHECK(std::chrono::steady_clock::now() - start < 2s); // not the 30 s idle timeout
  CHECK(s.stop_and_join() < 2s);
}

asio::awaitable<void> stop_after(http::server* server, std::chrono::milliseconds delay) {
  asio::steady_timer wait(co_await asio::this_coro::executor, delay);
  co_await wait.async_wait(asio::use_awaitable);
  server->stop();
}

TEST_CASE("stop() lets the request in progress finish, answered without keep-alive") {
  running_server s;
  asio::io_context io;
  auto stopped = asio::co_spawn(io, stop_after(&s.server, 100ms), asio::use_future);
  const conversation c = run(io, converse(s.port, {"GET /slow HTTP/1.1\r\nHost: h\r\n\r\n"}));
  CHECK(stopped.wait_for(0s) == std::future_status::ready);
  REQUIRE(c.answers.size() == 1);
  CHECK(c.answers[0].result_int() == 200);
  CHECK_FALSE(c.answers[0].keep_alive());
  CHECK(c.closed_by_server);
  CHECK(s.stop_and_join() < 2s);
}

TEST_CASE("listen() on a port in use names the address and the reason") {
  running_server s;
  asio::io_context io;
  http::server second(io, {.port = s.port, .body_limit = 1024, .idle_timeout = 1000ms},
                      [](http::request) -> asio::awaitable<http::response> { co_return http::response{}; });
  const auto bound = second.listen();
  REQUIRE_FALSE(bound);
  CHECK(bound.error() == "127.0.0.1:" + std::to_string(s.port) + ": Address already in use");
}

TEST_CASE("fetch from a closed port fails with 'connection refused'") {
  asio::io_context io;
  const http::url to{"127.0.0.1", closed_port(), "/censor"};
  CHECK(failure_of(io, http::fetch(to, "POST", "{}", "application/json", 5000ms)) ==
        to.text() + ": connection refused");
}

TEST_CASE("fetch from a server that never answers fails at the deadline") {
  asio::io_context io;
  // Listening, never accepting: the kernel completes the connection, nobody reads.
  tcp::acceptor silent(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  const http::url to{"127.0.0.1", silent.local_endpoint().port(), "/censor"};
  const auto start = std::chrono::steady_clock::now();
  CHECK(failure_of(io, http::fetch(to, "POST", "{}", "application/json", 200ms)) ==
        to.text() + ": no answer within 200 ms");
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(took >= 200ms);
  CHECK(took < 2s);
}

TEST_CASE("fetch from a server that answers something else than HTTP fails") {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  const http::url to{"127.0.0.1", acceptor.local_endpoint().port(), "/censor"};
  auto garbage_served = asio::co_spawn(io, answer_garbage(std::move(acceptor)), asio::use_future);
  CHECK(failure_of(io, http::fetch(to, "POST", "{}", "application/json", 5000ms)) ==
        to.text() + ": the answer is not HTTP (bad version)");
  REQUIRE(garbage_served.wait_for(0s) == std::future_status::ready);
  garbage_served.get();
}

TEST_CASE("parse_url takes http:// URLs with an IP address") {
  const auto v4 = http::parse_url("http://127.0.0.1:8008/censor?x=1");
  REQUIRE(v4);
  CHECK(v4->address == "127.0.0.1");
  CHECK(v4->port == 8008);
  CHECK(v4->target == "/censor?x=1");
  CHECK(v4->text() == "http://127.0.0.1:8008/censor?x=1");

  const auto v6 = http::parse_url("http://[::1]:9000/x");
  REQUIRE(v6);
  CHECK(v6->address == "::1");
  CHECK(v6->port == 9000);
  CHECK(v6->text() == "http://[::1]:9000/x");

  const auto bare = http::parse_url("http://10.0.0.255");
  REQUIRE(bare);
  CHECK(bare->port == 80);
  CHECK(bare->target == "/");
  CHECK(bare->text() == "http://10.0.0.255/");

  const auto query = http::parse_url("http://10.0.0.1?q=2#part");
  REQUIRE(query);
  CHECK(query->target == "/?q=2");
}

TEST_CASE("parse_url refuses anything else, saying why") {
  const auto refusal = [](std::string_view text) {
    const auto parsed = http::parse_url(text);
    return parsed ? std::string("(accepted)") : parsed.error();
  };
  CHECK(refusal("ftp://x") == "'ftp://x' is not an http:// URL");
  CHECK(refusal("https://127.0.0.1/") == "'https://127.0.0.1/' is not an http:// URL");
  CHECK(refusal("http://127.0.0.1:99999/") == "port '99999' is not a number from 1 to 65535");
  CHECK(refusal("http://127.0.0.1:0/") == "port '0' is not a number from 1 to 65535");
  CHECK(refusal("http://127.0.0.1:80a/") == "port '80a' is not a number from 1 to 65535");
  CHECK(refusal("http://example.com/") ==
        "'example.com' is not an IP address (the reference host does no DNS lookups)");
  CHECK(refusal("http://256.0.0.1/") == "'256.0.0.1' is not an IP address (the reference host does no DNS lookups)");
  CHECK(refusal("http://1.2.3/") == "'1.2.3' is not an IP address (the reference host does no DNS lookups)");
  CHECK(refusal("http://01.2.3.4/") == "'01.2.3.4' is not an IP address (the reference host does no DNS lookups)");
  CHECK(refusal("http://[fe80::g]/") == "'fe80::g' is not an IP address (the reference host does no DNS lookups)");
  CHECK(refusal("http://[::1/") == "'http://[::1/' has a '[' without its ']'");
  CHECK(refusal("http:///x") == "'http:///x' has no address");
  CHECK(refusal("http://1.2.3.4/a b") == "'http://1.2.3.4/a b' has a space or a control character in its path");
}
