// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_ASYNC_DISPATCH_HPP
#define MODHOOK_DETAIL_ASYNC_DISPATCH_HPP

// The asynchronous dispatch driver, for both registries. A template that nothing instantiates
// until an asynchronous callback is dispatched.

#include <modhook/detail/config.hpp>
#include <modhook/module_source.hpp>
#include <modhook/detail/dispatch_result.hpp>
#include <modhook/detail/erased.hpp>
#include <modhook/detail/failure_sink.hpp>
#include <modhook/detail/module_table.hpp>
#include <modhook/detail/observe.hpp>
#include <modhook/detail/outcome.hpp>
#include <modhook/detail/raw_storage.hpp>
#include <modhook/detail/signature.hpp>

#include <coroutine>
#include <cstddef>
#include <exception>
#include <new>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

// Calls the implementations in registration order, each coroutine's task awaited before the
// next implementation is called; a plain callable is called and fed as a synchronous
// dispatch calls and feeds it (feed). Every outcome goes to the slot's combiner as a
// synchronous dispatch's does (feed, module_threw, feed_returned), so no policy rule is
// written twice, and a policy that stops starts no later module. [first, last) are the
// implementations, `modules` names them (a registry's store, a static registry's table);
// `sink` (an object with get(), kept in this frame) is where failures go; `prepared` (the
// arguments: references to the caller's objects, and what the dispatch converted or owns)
// lives in this coroutine's frame, or, given as a reference, in the awaitable that started it.
MODHOOK_COROUTINE_BEGIN
// With a watch (detail/observe.hpp), each call is told to the registry's observer.
template <class Slot, class Sink, class Prepared, std::size_t... I, class Watch = no_watch>
async_dispatch_result_t<Slot> async_dispatch(const module_table& modules,
                                             const delegate<typename Slot::signature>* first,
                                             const delegate<typename Slot::signature>* last, Sink sink,
                                             Prepared prepared, std::index_sequence<I...>, Watch watch = {}) {
  using signature = detail::signature<typename Slot::signature>;
  using result = typename Slot::result_type;
  const failure_sink to = sink.get();
  combiner_t<Slot> combiner;
  // Failures are fed where they are caught, and a module is named only when an outcome is
  // fed: what lives across a co_await lives in the frame, in memory.
  const auto failed = [&](const auto* at, auto& observe) {
    return observe.failed(combiner,
                          detail::module_threw<Slot>(std::current_exception(), module_source(modules, at), to));
  };
  for (const auto* it = first; it != last; ++it) {
    bool go_on = true;
    auto passed = signature::module_arguments(std::get<I>(prepared)...); // before the module's try
    if (it->invoke != nullptr) {
      go_on = detail::feed<Slot>(
          combiner,
          [&]() MODHOOK_INLINE_LAMBDA -> decltype(auto) { return it->invoke(it->data, detail::pass<I>(passed)...); },
          module_source(modules, it), to, watch.begin());
    } else if constexpr (std::is_void_v<result>) {
      auto observe = watch.begin();
      observe.started(module_source(modules, it));
      // One try for the start and the await: a throw before the coroutine has a task, or
      // while it runs, is that module's failure alike.
      bool done = false;
      MODHOOK_TRY {
        co_await it->start(it->data, detail::pass<I>(passed)...);
        done = true;
      }
      MODHOOK_CATCH_ALL { go_on = failed(it, observe); }
      if (done) go_on = observe.returned(combiner.on_result(std::monostate{}, module_source(modules, it)));
    } else {
      auto observe = watch.begin();
      observe.started(module_source(modules, it));
      std::optional<result> r; // (g++ 12 fails on a co_await inside a placement new)
      MODHOOK_TRY { r.emplace(co_await it->start(it->data, detail::pass<I>(passed)...)); }
      MODHOOK_CATCH_ALL { go_on = failed(it, observe); }
      if (r) go_on = detail::feed_returned<Slot>(combiner, *r, module_source(modules, it), to, observe);
    }
    if (!go_on) break;
  }
  co_return std::move(combiner).finish();
}
MODHOOK_COROUTINE_END

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
