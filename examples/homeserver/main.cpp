// The reference homeserver:
//   homeserver CONFIG.yaml [--stop-after-seconds S]
// Listens on 127.0.0.1 at the config's port (0 picks one), loads the config's modules, prints
// the port and the modules, and serves until SIGINT or SIGTERM (or S seconds). SIGHUP reloads
// the modules from the config file (host::reload). A start-up
// error (the config, a module, the port) prints one line naming the file, the entry and the
// problem on stderr, nothing on stdout, and exits with status 1.

#include <utility> // before any Asio header (g++ 12)

#include "config.hpp"
#include "host.hpp"
#include "http/client.hpp"
#include "http/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <charconv>
#include <filesystem>
#include <functional>
#include <chrono>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace asio = boost::asio;

namespace {

int usage() {
  std::cerr << "usage: homeserver CONFIG.yaml [--stop-after-seconds S]\n";
  return 2;
}

std::optional<unsigned> seconds(std::string_view text) {
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value == 0 || value > 86400) return std::nullopt;
  return value;
}

asio::awaitable<homeserver::http::reply> fetch(const homeserver::http::url& to, std::string method, std::string body,
                                               std::string content_type, std::chrono::milliseconds timeout) {
  return homeserver::http::fetch(to, std::move(method), std::move(body), std::move(content_type), timeout);
}

// `modules/` beside this program's file, where the build puts the modules' libraries.
std::string default_modules_dir(const char* argv0) {
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  return ((error ? std::filesystem::absolute(argv0, error) : self).parent_path() / "modules").string();
}

} // namespace

int main(int argc, char** argv) {
  std::optional<std::string> config_path;
  std::optional<unsigned> stop_after;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--stop-after-seconds") {
      if (i + 1 == argc || !(stop_after = seconds(argv[++i]))) return usage();
    } else if (!config_path && !arg.starts_with("--")) {
      config_path = std::string(arg);
    } else {
      return usage();
    }
  }
  if (!config_path) return usage();

  auto config = homeserver::read_host_config(*config_path);
  if (!config) {
    std::cerr << "homeserver: " << config.error() << '\n';
    return 1;
  }
  if (config->server.modules_dir.empty()) config->server.modules_dir = default_modules_dir(argv[0]);

  // The host outlives the io_context: destroying the io_context destroys the coroutines of
  // requests still in progress, which refer to the host.
  homeserver::host host(config->server, std::cout, &fetch);
  asio::io_context io;
  const auto strand = asio::make_strand(io);
  homeserver::http::server server(io, {.port = config->server.port,
                                        .body_limit = config->server.max_request_body,
                                        .idle_timeout = std::chrono::seconds(30),
                                        .max_connections = config->server.max_connections},
                                  [&host, strand](homeserver::http::request request) {
                                    // The host's state lives on one strand; the worker threads parse and write HTTP.
                                    return asio::co_spawn(strand, host.handle(std::move(request)), asio::use_awaitable);
                                  });
  const auto port = server.listen();
  if (!port) {
    std::cerr << "homeserver: " << *config_path << ": server: port " << config->server.port << ": cannot listen on "
              << port.error() << '\n';
    return 1;
  }
  // The metrics on a listener of their own, as Synapse's: not on the port clients use.
  homeserver::http::server metrics_server(io, {.port = config->server.metrics_port, .max_connections = 16},
                                          [&host, strand](homeserver::http::request request) {
                                            return asio::co_spawn(strand, host.handle_metrics(std::move(request)),
                                                                  asio::use_awaitable);
                                          });
  const auto metrics_port = metrics_server.listen();
  if (!metrics_port) {
    std::cerr << "homeserver: " << *config_path << ": server: metrics_port " << config->server.metrics_port
              << ": cannot listen on " << metrics_port.error() << '\n';
    return 1;
  }
  // SIGHUP: the modules are reloaded from the config file, while the server serves. (Caught
  // from before start-up: its default action would end the process.)
  asio::signal_set hangups(strand, SIGHUP);
  std::function<void()> on_hangup = [&] {
    hangups.async_wait([&](boost::system::error_code ec, int) {
      if (ec) return;
      (void)host.reload(); // it logs what it did, or why it refused
      on_hangup();
    });
  };
  on_hangup();
  if (auto started = host.start(*config_path, config->modules, &homeserver::read_host_config); !started) {
    std::cerr << "homeserver: " << started.error() << '\n';
    return 1;
  }
  std::cout << "loaded " << host.module_names().size() << " modules from " << config->server.modules_dir << ":";
  for (const auto& name : host.module_names()) std::cout << ' ' << name;
  std::cout << "\nlistening on http://127.0.0.1:" << *port << " with " << config->server.worker_threads
            << " worker threads" << std::endl;
  std::cout << "metrics on http://127.0.0.1:" << *metrics_port << "/_synapse/metrics" << std::endl;

  // SIGINT, SIGTERM or the time bound: stop accepting, let answers in progress go out, stop.
  asio::signal_set signals(strand, SIGINT, SIGTERM);
  asio::steady_timer bound(strand), grace(strand);
  const auto stop = [&] {
    hangups.cancel();
    signals.cancel();
    bound.cancel();
    server.stop();
    metrics_server.stop();
    host.stop_waiting(); // long-polling syncs answer now, within the grace
    grace.expires_after(std::chrono::milliseconds(500));
    grace.async_wait([&io](boost::system::error_code) { io.stop(); });
  };
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (!ec) stop();
  });
  if (stop_after) {
    bound.expires_after(std::chrono::seconds(*stop_after));
    bound.async_wait([&](boost::system::error_code ec) {
      if (!ec) stop();
    });
  }

  std::vector<std::thread> workers;
  for (unsigned i = 1; i < config->server.worker_threads; ++i) workers.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& worker : workers) worker.join();
  host.join_hashing(); // a password check in progress completes into the io_context, still here
  std::cout << "stopped after " << server.requests_answered() << " requests" << std::endl;
  return 0;
}
