// The remote "censor service" of the event_censorer module, as a program: POST /censor with
// an event's JSON answers the event's content with every listed word in its body masked.
// --delay-ms and --garbage make it slow or wrong on purpose, for the module's tests.

#include "http/server.hpp"
#include "json.hpp"

#include <modhook/expected.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <nlohmann/json.hpp>

#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace asio = boost::asio;
namespace http = homeserver::http;

namespace {

struct settings {
  unsigned short port = 0;
  std::vector<std::string> words{"darn", "heck"};
  std::chrono::milliseconds delay{0};
  bool garbage = false;
  std::chrono::seconds stop_after{600};
};

constexpr const char* usage = "usage: censor_service [--port P] [--words w1,w2,...] [--delay-ms N] [--garbage] "
                              "[--stop-after-seconds S]\n";

// `text` as a whole number from `low` to `high`.
std::optional<long> number(std::string_view text, long low, long high) {
  long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < low || value > high) return std::nullopt;
  return value;
}

std::optional<std::vector<std::string>> word_list(std::string_view text) {
  std::vector<std::string> words;
  for (std::size_t from = 0;;) {
    const std::size_t comma = text.find(',', from);
    const std::string_view word = text.substr(from, comma - from); // to the end when there is no comma
    if (word.empty()) return std::nullopt;                         // an empty word would match everywhere
    words.emplace_back(word);
    if (comma == std::string_view::npos) return words;
    from = comma + 1;
  }
}

// The settings, or what is wrong with the arguments.
modhook::expected<settings, std::string> read_arguments(int argc, char** argv) {
  using wrong = modhook::unexpected<std::string>;
  settings out;
  for (int i = 1; i < argc; ++i) {
    const std::string_view option = argv[i];
    if (option == "--garbage") {
      out.garbage = true;
      continue;
    }
    if (option != "--port" && option != "--words" && option != "--delay-ms" && option != "--stop-after-seconds")
      return wrong("unknown option '" + std::string(option) + "'");
    if (i + 1 == argc) return wrong(std::string(option) + " needs a value");
    const std::string_view value = argv[++i];
    if (option == "--words") {
      auto words = word_list(value);
      if (!words) return wrong("--words needs a comma-separated list of non-empty words");
      out.words = std::move(*words);
    } else if (option == "--port") {
      const auto n = number(value, 0, 65535);
      if (!n) return wrong("--port needs a number from 0 (any free port) to 65535");
      out.port = static_cast<unsigned short>(*n);
    } else if (option == "--delay-ms") {
      const auto n = number(value, 0, 3'600'000);
      if (!n) return wrong("--delay-ms needs a number of milliseconds from 0 to 3600000");
      out.delay = std::chrono::milliseconds(*n);
    } else {
      const auto n = number(value, 1, 86'400);
      if (!n) return wrong("--stop-after-seconds needs a number of seconds from 1 to 86400");
      out.stop_after = std::chrono::seconds(*n);
    }
  }
  return out;
}

http::response censored(const std::vector<std::string>& words, const std::string& body) {
  homeserver::json_reading read = homeserver::read_json(body);
  if (!read) return http::matrix_error(400, std::string(read.errcode), "the request body " + read.reason);
  nlohmann::json event = std::move(read.value);
  if (!event.is_object() || !event.contains("content") || !event["content"].is_object())
    return http::matrix_error(400, "M_BAD_JSON", "the request body is not an event with a 'content' object");
  nlohmann::json content = std::move(event["content"]);
  if (const auto text = content.find("body"); text != content.end() && text->is_string()) {
    std::string masked = text->get<std::string>();
    for (const auto& word : words)
      for (auto at = masked.find(word); at != std::string::npos; at = masked.find(word, at + word.size()))
        masked.replace(at, word.size(), word.size(), '*');
    *text = std::move(masked);
  }
  http::response out;
  out.body = content.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return out;
}

asio::awaitable<http::response> answer(std::shared_ptr<const settings> config, http::request in) {
  const std::string path = in.target.substr(0, in.target.find('?'));
  if (in.method != "POST" || path != "/censor")
    co_return http::matrix_error(404, "M_UNRECOGNIZED", "no such endpoint: " + in.method + " " + path);
  if (config->delay.count() > 0) {
    asio::steady_timer latency(co_await asio::this_coro::executor, config->delay);
    co_await latency.async_wait(asio::use_awaitable);
  }
  if (config->garbage) {
    http::response out;
    out.body = "not json at all";
    co_return out;
  }
  co_return censored(config->words, in.body);
}

} // namespace

int main(int argc, char** argv) {
  const auto parsed = read_arguments(argc, argv);
  if (!parsed) {
    std::fprintf(stderr, "censor_service: %s\n%s", parsed.error().c_str(), usage);
    return 2;
  }
  const auto config = std::make_shared<const settings>(*parsed);

  asio::io_context io(1);
  http::server server(io, {.port = config->port}, [config](http::request in) { return answer(config, std::move(in)); });
  const auto port = server.listen();
  if (!port) {
    std::fprintf(stderr, "censor_service: %s\n", port.error().c_str());
    return 1;
  }
  std::printf("censor service listening on http://127.0.0.1:%u/censor\n", static_cast<unsigned>(*port));
  std::fflush(stdout);

  // Either a signal or the deadline stops the server; each cancels the other, so that
  // io.run() returns once the connections are done.
  asio::signal_set signals(io, SIGINT, SIGTERM);
  asio::steady_timer deadline(io, config->stop_after);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    deadline.cancel();
    server.stop();
  });
  deadline.async_wait([&](const boost::system::error_code& ec) {
    if (ec) return;
    signals.cancel();
    server.stop();
  });
  io.run();
  std::printf("censor service stopped after %llu requests\n",
              static_cast<unsigned long long>(server.requests_answered()));
}
