// The HTTP client: one connection per request, and one deadline for all of it, so that a
// slow service costs its caller at most `timeout`, whichever step is slow.

#include "client.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <cstdint>
#include <utility>

namespace homeserver::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::uint64_t answer_limit = 1024 * 1024;

client_error failure(const url& to, const std::string& why) { return client_error(to.text() + ": " + why); }

std::string describe(const beast::error_code& ec, std::chrono::milliseconds timeout) {
  if (ec == beast::error::timeout) return "no answer within " + std::to_string(timeout.count()) + " ms";
  if (ec == asio::error::connection_refused) return "connection refused";
  if (ec == bhttp::error::end_of_stream) return "the connection closed before an answer";
  if (ec == bhttp::error::partial_message) return "the connection closed in the middle of the answer";
  if (ec == bhttp::error::body_limit) return "the answer's body is over 1 MiB";
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category())
    return "the answer is not HTTP (" + ec.message() + ")";
  return ec.message();
}

std::string host_header(const url& to) {
  std::string host = to.address.find(':') == std::string::npos ? to.address : "[" + to.address + "]";
  return to.port == 80 ? host : host + ":" + std::to_string(to.port);
}

} // namespace

asio::awaitable<reply> fetch(url to, std::string method, std::string body, std::string content_type,
                             std::chrono::milliseconds timeout) {
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(to.address, ec);
  if (ec) throw failure(to, "'" + to.address + "' is not an IP address");

  beast::tcp_stream stream(co_await asio::this_coro::executor);
  stream.expires_after(timeout); // once: connecting, writing and reading share the deadline
  co_await stream.async_connect(tcp::endpoint(address, to.port), asio::redirect_error(asio::use_awaitable, ec));
  if (ec) throw failure(to, describe(ec, timeout));

  bhttp::request<bhttp::string_body> out;
  out.method_string(method);
  out.target(to.target);
  out.version(11);
  out.set(bhttp::field::host, host_header(to));
  out.set(bhttp::field::user_agent, "modhook-homeserver");
  if (!body.empty()) {
    out.set(bhttp::field::content_type, content_type);
    out.body() = std::move(body);
  }
  out.keep_alive(false);
  out.prepare_payload();
  co_await bhttp::async_write(stream, out, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) throw failure(to, describe(ec, timeout));

  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(answer_limit);
  co_await bhttp::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) throw failure(to, describe(ec, timeout));
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);

  bhttp::response<bhttp::string_body> in = parser.release();
  reply answer;
  answer.status = static_cast<int>(in.result_int());
  const beast::string_view type = in[bhttp::field::content_type];
  answer.content_type = std::string(type.data(), type.size());
  answer.body = std::move(in.body());
  co_return answer;
}

} // namespace homeserver::http
