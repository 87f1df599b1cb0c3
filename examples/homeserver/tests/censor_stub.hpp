#ifndef HOMESERVER_TESTS_CENSOR_STUB_HPP
#define HOMESERVER_TESTS_CENSOR_STUB_HPP

// A stand-in for the censor service, given to the event censorer as its HTTP client: masks
// "darn" in the posted event's body, or fails as the test says. Records what was posted.

#include "module_support.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace homeserver::test {

struct censor_stub {
  // answers_deep: a JSON object nested one level deeper than max_json_depth; answers_too_deep:
  // 200,000 levels, which a reader that recursed would not survive.
  enum class mode { masks, refuses, answers_garbage, answers_500, answers_deep, answers_too_deep };
  mode how = mode::masks;
  // How long each answer takes (on a timer of the caller's executor): other requests run
  // meanwhile, as they do while the real service answers.
  std::chrono::milliseconds delay{0};
  std::vector<std::string> received; // "URL BODY" of each call, in order

  static boost::asio::awaitable<http::reply> answer(censor_stub* self, http::url to, std::string body) {
    self->received.push_back(to.text() + " " + body);
    if (self->delay.count() > 0) {
      boost::asio::steady_timer wait(co_await boost::asio::this_coro::executor, self->delay);
      co_await wait.async_wait(boost::asio::use_awaitable);
    }
    if (self->how == mode::refuses) throw http::client_error(to.text() + ": connection refused");
    if (self->how == mode::answers_garbage) co_return http::reply{200, "application/json", "not json"};
    if (self->how == mode::answers_500) co_return http::reply{500, "application/json", "{}"};
    if (self->how == mode::answers_deep || self->how == mode::answers_too_deep) {
      const std::size_t levels = self->how == mode::answers_deep ? max_json_depth + 1 : 200'000;
      std::string deep = "{\"body\":";
      for (std::size_t i = 1; i < levels; ++i) deep += "[";
      deep += std::string(levels - 1, ']') + "}";
      co_return http::reply{200, "application/json", std::move(deep)};
    }
    json content = json::parse(body).at("content");
    std::string text = content.at("body").get<std::string>();
    for (auto at = text.find("darn"); at != std::string::npos; at = text.find("darn")) text.replace(at, 4, "****");
    content["body"] = text;
    co_return http::reply{200, "application/json", dump(content)};
  }
  // A lambda that forwards to the coroutine above: no coroutine lambda captures anything.
  http_fetcher fetcher() {
    return [this](const http::url& to, std::string, std::string body, std::string, std::chrono::milliseconds) {
      return answer(this, to, std::move(body));
    };
  }
  // The body of the i-th call.
  std::string body(std::size_t i) const { return received.at(i).substr(received.at(i).find(' ') + 1); }
};

} // namespace homeserver::test

#endif
