#ifndef MODHOOK_BENCHMARKS_ASYNC_CALLBACKS_HPP
#define MODHOOK_BENCHMARKS_ASYNC_CALLBACKS_HPP

// The asynchronous benchmarks' module bodies, defined in async_callbacks.cpp (another
// translation unit, as in bench_callbacks.hpp): check passes, and every coroutine completes
// without suspending.

#include <modhook/asio.hpp>
#include <modhook/task.hpp>

namespace async_bench {

using task_check = modhook::task<bool> (*)(int);
// A coroutine that takes a context word first: a hand-written {function, context} entry's.
using context_check = modhook::task<bool> (*)(void* context, int);
using asio_check = boost::asio::awaitable<bool> (*)(int);

bool (*plain_check(int i))(int);
// The same functions by name, for constexpr modules (I in 0..15).
template <int I>
bool plain(int x);
template <int I>
modhook::task<bool> coroutine(int x);
task_check task_check_function(int i);
context_check context_check_function(int i);
asio_check asio_check_function(int i);

} // namespace async_bench

#endif
