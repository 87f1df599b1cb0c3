#ifndef HOMESERVER_TESTS_RUN_HPP
#define HOMESERVER_TESTS_RUN_HPP

// Runs an Asio coroutine to its end on an io_context of its own, for tests of asynchronous
// code: the result, or the coroutine's exception rethrown.

#include <utility> // before any Asio header (g++ 12)

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <optional>

namespace homeserver::test {

template <class T>
boost::asio::awaitable<void> store(boost::asio::awaitable<T> task, std::optional<T>* out) {
  out->emplace(co_await std::move(task));
}

template <class T>
T run(boost::asio::awaitable<T> task) {
  boost::asio::io_context io;
  std::optional<T> out;
  std::exception_ptr failure;
  boost::asio::co_spawn(io, store(std::move(task), &out), [&failure](std::exception_ptr e) { failure = e; });
  io.run();
  if (failure) std::rethrow_exception(failure);
  return std::move(*out);
}

} // namespace homeserver::test

#endif
