// Asynchronous callbacks on Boost.Asio: the host's request handler is an Asio coroutine that
// co_awaits the dispatch; the censor module is an Asio coroutine that awaits a (simulated)
// remote service before it answers, while the io_context's thread serves other requests; a
// second module is a plain function, called inline. (The reference homeserver,
// examples/homeserver/, makes the remote service a real HTTP one.)

#include <modhook/asio.hpp>
#include <modhook/modhook.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstdio>
#include <string>

namespace asio = boost::asio;

struct event {
  std::string sender, body;
};

struct third_party_rules {
  MODHOOK_CALLBACKS(third_party_rules,
    (check_event_allowed, modhook::all_must_pass, asio::awaitable<bool>(const event&)),
    (on_new_event, modhook::run_all, asio::awaitable<void>(const event&)));
};
using hooks = modhook::registry<third_party_rules>;

// Stands in for a remote censoring service: answers after a delay, on the caller's executor.
asio::awaitable<bool> remote_censor_allows(std::string body) {
  asio::steady_timer latency(co_await asio::this_coro::executor, std::chrono::milliseconds(5));
  co_await latency.async_wait(asio::use_awaitable);
  co_return body.find("darn") == std::string::npos;
}

class censor {
public:
  explicit censor(hooks::api& api) {
    (void)api.register_callbacks(third_party_rules{
        .check_event_allowed = modhook::bind<&censor::check>(this),
    });
  }
  asio::awaitable<bool> check(const event& e) { co_return co_await remote_censor_allows(e.body); }
};

bool not_from_bots(const event& e) { return e.sender.rfind("@bot", 0) != 0; }
void log_event(const event& e) { std::printf("stored: %s: %s\n", e.sender.c_str(), e.body.c_str()); }

int main() {
  hooks h;
  if (!h.load<censor>("censor") ||
      !h.load("bot_filter", [](hooks::api& api) {
        (void)api.register_callbacks(third_party_rules{.check_event_allowed = &not_from_bots, .on_new_event = &log_event});
      }))
    return 1;
  h.seal();

  asio::io_context io;
  const auto handle = [&](event e) -> asio::awaitable<void> {
    const auto verdict = co_await h.dispatch<&third_party_rules::check_event_allowed>(e);
    if (!verdict) {
      std::printf("refused: %s: %s (by %s)\n", e.sender.c_str(), e.body.c_str(),
                  verdict.decided_by() ? std::string(verdict.decided_by()->name).c_str() : "?");
      co_return;
    }
    (void)co_await h.dispatch<&third_party_rules::on_new_event>(e);
  };
  // Three requests in flight at once on one thread: each suspends in the censor's call.
  for (event e : {event{"@ann:example.com", "hello"}, event{"@bob:example.com", "darn it"},
                  event{"@bot7:example.com", "buy now"}})
    asio::co_spawn(io, handle(e), asio::detached);
  io.run();
}
