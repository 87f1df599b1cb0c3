// The reference host's own client:
//   homeserver_client replay URL SCENARIO   sends each request of SCENARIO, prints what came back
//   homeserver_client get URL PATH          prints the body at PATH (the metrics, say)
//   homeserver_client load URL [--connections C] [--requests N] [--max-seconds S]
//                                           C keep-alive connections send N requests in all
// URL is the homeserver's, http://127.0.0.1:PORT. A scenario line is
//   AS METHOD PATH [type=CONTENT_TYPE] [BODY]
// where AS is "-" (no access token) or a user id whose token an earlier register returned,
// and BODY runs to the end of the line; blank lines and lines starting with '#' are skipped.

#include <utility> // before any Asio header (g++ 12)

#include "environment.hpp"
#include "http/url.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::awaitable;
using asio::use_awaitable;
using homeserver::http::url;

namespace {

struct answer {
  int status = 0;
  std::string body;
  std::string decided_by, failed; // the host's X-Modhook-* headers
};

std::string text(beast::string_view s) { return std::string(s.data(), s.size()); }

// One keep-alive connection, reopened when the server closes it.
class connection {
public:
  explicit connection(asio::any_io_executor executor, url to) : stream_(executor), to_(std::move(to)) {}

  awaitable<answer> send(std::string method, std::string target, std::string token, std::string content_type,
                         std::string body) {
    if (!open_) {
      stream_.expires_after(std::chrono::seconds(10));
      co_await stream_.async_connect(asio::ip::tcp::endpoint(asio::ip::make_address(to_.address), to_.port),
                                     use_awaitable);
      open_ = true;
    }
    bhttp::request<bhttp::string_body> request(bhttp::string_to_verb(method), target, 11);
    if (request.method() == bhttp::verb::unknown) request.method_string(method);
    request.set(bhttp::field::host, to_.address + ":" + std::to_string(to_.port));
    request.set(bhttp::field::user_agent, "homeserver_client");
    if (!token.empty()) request.set(bhttp::field::authorization, "Bearer " + token);
    if (!body.empty())
      request.set(bhttp::field::content_type, content_type.empty() ? "application/json" : content_type);
    request.body() = std::move(body);
    request.keep_alive(true);
    request.prepare_payload();
    stream_.expires_after(std::chrono::seconds(10));
    co_await bhttp::async_write(stream_, request, use_awaitable);
    bhttp::response<bhttp::string_body> response;
    co_await bhttp::async_read(stream_, buffer_, response, use_awaitable);
    if (!response.keep_alive()) {
      beast::error_code ignored;
      stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
      stream_.close();
      open_ = false;
    }
    answer out{static_cast<int>(response.result_int()), std::move(response.body()), {}, {}};
    if (const auto it = response.find("X-Modhook-Decided-By"); it != response.end()) out.decided_by = text(it->value());
    if (const auto it = response.find("X-Modhook-Failed"); it != response.end()) out.failed = text(it->value());
    co_return out;
  }

private:
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  url to_;
  bool open_ = false;
};

// Runs one coroutine to its end on a fresh io_context; rethrows what it threw.
template <class T>
T run(awaitable<T> task) {
  asio::io_context io;
  std::optional<T> out;
  std::exception_ptr failure;
  asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    failure = e;
    if (!e) out = std::move(value);
  });
  io.run();
  if (failure) std::rethrow_exception(failure);
  return std::move(*out);
}

// ---- replay -------------------------------------------------------------------------------

struct scenario_line {
  int line = 0;
  std::string as, method, target, content_type, body;
};

std::vector<scenario_line> read_scenario(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw std::runtime_error(path + ": cannot read the scenario: it does not exist");
  if (!std::filesystem::is_regular_file(path, ec))
    throw std::runtime_error(path + ": cannot read the scenario: it is not a regular file");
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot read the scenario: permission denied");
  std::vector<scenario_line> out;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string_view rest = line;
    const auto token = [&rest]() {
      rest.remove_prefix(std::min(rest.find_first_not_of(" \t"), rest.size()));
      const auto end = std::min(rest.find_first_of(" \t"), rest.size());
      const std::string_view word = rest.substr(0, end);
      rest.remove_prefix(end);
      return std::string(word);
    };
    scenario_line request{number, token(), token(), token(), {}, {}};
    if (request.as.empty() || request.as.starts_with('#')) continue;
    const std::string where = path + ":" + std::to_string(number) + ": ";
    if (request.target.empty()) throw std::runtime_error(where + "expected AS METHOD PATH [type=TYPE] [BODY]");
    if (request.method != "GET" && request.method != "POST" && request.method != "PUT" && request.method != "DELETE")
      throw std::runtime_error(where + "unknown method '" + request.method + "' (GET, POST, PUT or DELETE)");
    if (!request.target.starts_with('/')) throw std::runtime_error(where + "the path must start with '/'");
    rest.remove_prefix(std::min(rest.find_first_not_of(" \t"), rest.size()));
    if (rest.starts_with("type=")) {
      rest.remove_prefix(5);
      request.content_type = token();
      rest.remove_prefix(std::min(rest.find_first_not_of(" \t"), rest.size()));
    }
    request.body = std::string(rest);
    out.push_back(std::move(request));
  }
  if (in.bad()) throw std::runtime_error(path + ": cannot read the scenario");
  if (out.empty()) throw std::runtime_error(path + ": the scenario has no requests");
  return out;
}

// `${NAME}` in a scenario's body is the environment variable NAME (the admin's password): the
// transcript shows the line as written.
std::string from_environment(const std::string& body) {
  auto expanded = homeserver::expand_environment(body);
  if (!expanded) throw std::runtime_error("the scenario: " + expanded.error());
  return std::move(*expanded);
}

// What changes from run to run (tokens, device ids, registration sessions, event times) named
// in the transcript instead of shown.
void mask(nlohmann::json& value) {
  if (value.is_array())
    for (auto& item : value) mask(item);
  if (!value.is_object()) return;
  for (auto& [key, item] : value.items()) {
    if (key == "access_token" || key == "device_id" || key == "session" || key == "origin_server_ts")
      item = "<" + key + ">";
    else
      mask(item);
  }
}

awaitable<int> replay(url to, std::vector<scenario_line> lines) {
  connection c(co_await asio::this_coro::executor, to);
  std::map<std::string, std::string> tokens; // user id -> access token, from register answers
  for (const auto& request : lines) {
    std::cout << '[' << request.line << "] " << request.as << ' ' << request.method << ' ' << request.target;
    if (!request.content_type.empty()) std::cout << " type=" << request.content_type;
    if (!request.body.empty()) std::cout << ' ' << request.body;
    std::cout << '\n';
    std::string token;
    if (request.as != "-") token = tokens.contains(request.as) ? tokens[request.as] : "unknown-user";
    const answer a =
        co_await c.send(request.method, request.target, token, request.content_type, from_environment(request.body));
    const auto body = nlohmann::json::parse(a.body, nullptr, false);
    if (body.is_discarded()) {
      std::cout << "    -> " << a.status << ' ' << a.body;
    } else {
      nlohmann::json shown = body;
      mask(shown);
      std::cout << "    -> " << a.status << ' ' << shown.dump();
    }
    if (!a.decided_by.empty()) std::cout << "  (decided by " << a.decided_by << ')';
    if (!a.failed.empty()) std::cout << "  (failed: " << a.failed << ')';
    std::cout << '\n';
    if (a.status == 200 && body.is_object() && body.contains("access_token") && body.contains("user_id"))
      tokens[body["user_id"].get<std::string>()] = body["access_token"].get<std::string>();
  }
  co_return 0;
}

// ---- load ---------------------------------------------------------------------------------

struct load_state {
  std::uint64_t requests = 0, sent = 0, not_ok = 0, messages = 0;
  std::chrono::steady_clock::time_point deadline;
  std::vector<std::chrono::nanoseconds> latencies;
  std::map<int, std::uint64_t> statuses;
};

// One connection: registers its user, creates its room, then sends messages (with a word the
// censor service masks) and whoami requests, three to one, until the count or the time is up.
awaitable<int> load_connection(url to, int index, load_state* state) {
  connection c(co_await asio::this_coro::executor, to);
  const std::string name = "load" + std::to_string(index);
  const answer registered =
      co_await c.send("POST", "/_matrix/client/v3/register", "", "", R"({"auth":{"type":"m.login.dummy"},"username":")" + name + "\"}");
  const auto account = nlohmann::json::parse(registered.body, nullptr, false);
  if (registered.status != 200 || !account.contains("access_token"))
    throw std::runtime_error("registering " + name + " answered " + std::to_string(registered.status) + " " +
                             registered.body);
  const std::string token = account["access_token"].get<std::string>();
  const answer room =
      co_await c.send("POST", "/_matrix/client/v3/createRoom", token, "", R"({"room_alias_name":")" + name + "\"}");
  if (room.status != 200)
    throw std::runtime_error("creating a room answered " + std::to_string(room.status) + " " + room.body);
  const std::string room_id = nlohmann::json::parse(room.body)["room_id"].get<std::string>();
  for (std::uint64_t n = 0; state->sent < state->requests && std::chrono::steady_clock::now() < state->deadline; ++n) {
    const std::uint64_t k = state->sent++;
    const auto start = std::chrono::steady_clock::now();
    answer a;
    if (n % 4 == 3) // no co_await inside ?: (clang 16 miscompiles it)
      a = co_await c.send("GET", "/_matrix/client/v3/account/whoami", token, "", "");
    else {
      ++state->messages;
      a = co_await c.send(
          "PUT", "/_matrix/client/v3/rooms/" + room_id + "/send/m.room.message/t" + std::to_string(k), token, "",
          R"({"msgtype":"m.text","body":"load message )" + std::to_string(k) + R"(, what a darn day"})");
    }
    state->latencies.push_back(std::chrono::steady_clock::now() - start);
    ++state->statuses[a.status];
    if (a.status != 200) ++state->not_ok;
  }
  co_return 0;
}

int load(const url& to, int connections, std::uint64_t requests, unsigned max_seconds) {
  asio::io_context io;
  load_state state;
  state.requests = requests;
  state.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(max_seconds);
  state.latencies.reserve(requests);
  std::exception_ptr failure;
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < connections; ++i)
    asio::co_spawn(io, load_connection(to, i, &state), [&failure](std::exception_ptr e, int) {
      if (e && !failure) failure = e;
    });
  io.run();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (failure) std::rethrow_exception(failure);
  auto& l = state.latencies;
  std::sort(l.begin(), l.end());
  const auto ms = [&](double q) {
    return l.empty() ? 0.0
                     : std::chrono::duration<double, std::milli>(
                           l[static_cast<std::size_t>(q * static_cast<double>(l.size() - 1))])
                           .count();
  };
  std::cout << "load: " << l.size() << " requests, " << state.messages << " messages, over " << connections
            << " connections in " << elapsed
            << " s: " << static_cast<long long>(static_cast<double>(l.size()) / elapsed) << " requests/s, p50 "
            << ms(0.50) << " ms, p99 " << ms(0.99) << " ms; statuses:";
  for (const auto& [status, count] : state.statuses) std::cout << ' ' << status << " x" << count;
  std::cout << std::endl;
  if (l.size() < requests) {
    std::cerr << "homeserver_client: load: stopped at the time bound (" << max_seconds << " s) after " << l.size()
              << " of " << requests << " requests\n";
    return 1;
  }
  if (state.not_ok != 0) {
    std::cerr << "homeserver_client: load: " << state.not_ok << " answers were not 200\n";
    return 1;
  }
  return 0;
}

awaitable<int> get(url to, std::string path) {
  connection c(co_await asio::this_coro::executor, to);
  const answer a = co_await c.send("GET", path, "", "", "");
  std::cout << a.body;
  co_return a.status == 200 ? 0 : 1;
}

int usage() {
  std::cerr << "usage: homeserver_client replay URL SCENARIO\n"
               "       homeserver_client get URL PATH\n"
               "       homeserver_client load URL [--connections C] [--requests N] [--max-seconds S]\n";
  return 2;
}

std::optional<std::uint64_t> number(std::string_view text, std::uint64_t low, std::uint64_t high) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value < low || value > high) return std::nullopt;
  return value;
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage();
  const std::string_view mode = argv[1];
  const auto to = homeserver::http::parse_url(argv[2]);
  if (!to) {
    std::cerr << "homeserver_client: the homeserver's URL " << to.error() << '\n';
    return 2;
  }
  try {
    if (mode == "replay" && argc == 4) return run(replay(*to, read_scenario(argv[3])));
    if (mode == "get" && argc == 4) return run(get(*to, argv[3]));
    if (mode == "load") {
      std::uint64_t connections = 32, requests = 20000, max_seconds = 120;
      for (int i = 3; i < argc; i += 2) {
        const std::string_view flag = argv[i];
        if (i + 1 == argc) return usage();
        std::optional<std::uint64_t> value;
        if (flag == "--connections" && (value = number(argv[i + 1], 1, 1000)))
          connections = *value;
        else if (flag == "--requests" && (value = number(argv[i + 1], 1, 10'000'000)))
          requests = *value;
        else if (flag == "--max-seconds" && (value = number(argv[i + 1], 1, 3600)))
          max_seconds = *value;
        else
          return usage();
      }
      return load(*to, static_cast<int>(connections), requests, static_cast<unsigned>(max_seconds));
    }
  } catch (const boost::system::system_error& e) {
    std::cerr << "homeserver_client: " << to->text() << ": " << e.code().message() << '\n';
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "homeserver_client: " << e.what() << '\n';
    return 1;
  }
  return usage();
}
