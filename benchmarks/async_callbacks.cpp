#include "async_callbacks.hpp"

#include <array>
#include <utility>

namespace async_bench {

template <int I>
bool plain(int x) {
  return x != I + 1000;
}
template <int I>
modhook::task<bool> coroutine(int x) {
  co_return x != I + 1000;
}

namespace {
template <int I>
modhook::task<bool> context_coroutine(void* context, int x) {
  co_return x != I + 1000 && context != nullptr;
}
template <int I>
boost::asio::awaitable<bool> asio_coroutine(int x) {
  co_return x != I + 1000;
}

constexpr int count = 16;
template <int... I>
constexpr auto plains(std::integer_sequence<int, I...>) {
  return std::array<bool (*)(int), count>{&plain<I>...};
}
template <int... I>
constexpr auto coroutines(std::integer_sequence<int, I...>) {
  return std::array<task_check, count>{&coroutine<I>...};
}
template <int... I>
constexpr auto context_coroutines(std::integer_sequence<int, I...>) {
  return std::array<context_check, count>{&context_coroutine<I>...};
}
template <int... I>
constexpr auto asio_coroutines(std::integer_sequence<int, I...>) {
  return std::array<asio_check, count>{&asio_coroutine<I>...};
}

} // namespace

bool (*plain_check(int i))(int) { return plains(std::make_integer_sequence<int, count>{})[static_cast<std::size_t>(i)]; }
task_check task_check_function(int i) {
  return coroutines(std::make_integer_sequence<int, count>{})[static_cast<std::size_t>(i)];
}
context_check context_check_function(int i) {
  return context_coroutines(std::make_integer_sequence<int, count>{})[static_cast<std::size_t>(i)];
}
asio_check asio_check_function(int i) {
  return asio_coroutines(std::make_integer_sequence<int, count>{})[static_cast<std::size_t>(i)];
}

// Named by the static registry's modules in async_counts.cpp.
#define MODHOOK_BENCH_INSTANTIATE(I)                                                                                   \
  template bool plain<I>(int);                                                                                         \
  template modhook::task<bool> coroutine<I>(int);
MODHOOK_BENCH_INSTANTIATE(0) MODHOOK_BENCH_INSTANTIATE(1) MODHOOK_BENCH_INSTANTIATE(2) MODHOOK_BENCH_INSTANTIATE(3)
MODHOOK_BENCH_INSTANTIATE(4) MODHOOK_BENCH_INSTANTIATE(5) MODHOOK_BENCH_INSTANTIATE(6) MODHOOK_BENCH_INSTANTIATE(7)
MODHOOK_BENCH_INSTANTIATE(8) MODHOOK_BENCH_INSTANTIATE(9) MODHOOK_BENCH_INSTANTIATE(10) MODHOOK_BENCH_INSTANTIATE(11)
MODHOOK_BENCH_INSTANTIATE(12) MODHOOK_BENCH_INSTANTIATE(13) MODHOOK_BENCH_INSTANTIATE(14) MODHOOK_BENCH_INSTANTIATE(15)
#undef MODHOOK_BENCH_INSTANTIATE

} // namespace async_bench
