#ifndef HOMESERVER_TESTS_CENSOR_STUB_HPP
#define HOMESERVER_TESTS_CENSOR_STUB_HPP

// A stand-in for the censor service, given to the event censorer as its HTTP client: masks
// "darn" in the posted event's body, or fails as the test says. Records what was posted.

#include "module_support.hpp"

#include <string>
#include <vector>

namespace homeserver::test {

struct censor_stub {
  enum class mode { masks, refuses, answers_garbage, answers_500 };
  mode how = mode::masks;
  std::vector<std::string> received; // "URL BODY" of each call, in order

  static boost::asio::awaitable<http::reply> answer(censor_stub* self, http::url to, std::string body) {
    self->received.push_back(to.text() + " " + body);
    if (self->how == mode::refuses) throw http::client_error(to.text() + ": connection refused");
    if (self->how == mode::answers_garbage) co_return http::reply{200, "application/json", "not json"};
    if (self->how == mode::answers_500) co_return http::reply{500, "application/json", "{}"};
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
