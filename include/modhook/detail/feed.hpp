#ifndef MODHOOK_DETAIL_FEED_HPP
#define MODHOOK_DETAIL_FEED_HPP

#include <modhook/failure.hpp>
#include <modhook/policy.hpp>
#include <modhook/detail/config.hpp>
#include <modhook/detail/signature.hpp>

#include <exception>
#include <new>
#include <type_traits>
#include <utility>
#include <variant>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

template <class Slot>
using combiner_t = typename Slot::policy::template combiner<typename Slot::value_type, typename Slot::error_type>;

// The result a policy's combiner returns for a slot.
template <class Slot>
using dispatch_result_t = decltype(std::declval<combiner_t<Slot>&&>().finish());

// Where failures go besides the combiner: the registry's failure handler.
struct failure_sink {
  void (*report)(const void* context, const failure<>& f) noexcept;
  const void* context;
};

// Cold: a module failed. Names it and reports it; the caller hands it to the policy. The
// combiner is never passed out of line, so on the happy path it can live in registers.
template <class Slot>
MODHOOK_COLD failure<typename Slot::error_type> module_failed(failure<typename Slot::error_type>&& f,
                                                              module_source who, failure_sink sink) {
  f.module = who();
  f.callback = {Slot::category_name, Slot::callback_name};
  sink.report(sink.context, f);
  return std::move(f);
}

template <class Slot>
MODHOOK_COLD failure<typename Slot::error_type> module_threw(module_source who, failure_sink sink) {
  failure<typename Slot::error_type> f;
  f.exception = std::current_exception();
  return detail::module_failed<Slot>(std::move(f), who, sink);
}

template <class Slot, class Error>
MODHOOK_COLD failure<typename Slot::error_type> module_returned_error(Error&& error, module_source who,
                                                                      failure_sink sink) {
  failure<typename Slot::error_type> f;
  f.error.emplace(static_cast<Error&&>(error));
  return detail::module_failed<Slot>(std::move(f), who, sink);
}

// Room for a callback's result, constructed straight from the call (no move, no default
// construction) so only the call sits inside the try block: a policy's own exception is
// never mistaken for a module's failure.
template <class T>
union returned {
  T value;
  returned() noexcept {}
  ~returned() {}
};

template <class T>
struct destroy_on_exit {
  T& value;
  ~destroy_on_exit() { value.~T(); }
};

// Calls one implementation and feeds its outcome to the combiner; returns whether the
// dispatch goes on. A throw, or an unexpected value from an expected-returning callback,
// becomes a failure naming the module and the callback. This is the only place where a
// call meets a policy; every driver (run-time, static, asynchronous) loops over it.
template <class Slot, class Combiner, class Call>
MODHOOK_ALWAYS_INLINE bool feed(Combiner& combiner, Call&& call, module_source who, failure_sink sink) {
  using result = typename Slot::result_type;
  if constexpr (std::is_void_v<result>) {
    MODHOOK_TRY { call(); }
    MODHOOK_CATCH_ALL { return combiner.on_failure(detail::module_threw<Slot>(who, sink)); }
    return combiner.on_result(std::monostate{}, who);
  } else {
    returned<result> r;
    MODHOOK_TRY { ::new (static_cast<void*>(&r.value)) result(call()); }
    MODHOOK_CATCH_ALL { return combiner.on_failure(detail::module_threw<Slot>(who, sink)); }
    destroy_on_exit<result> guard{r.value};
    if constexpr (split_result<result>::is_expected) {
      if (!r.value.has_value()) [[unlikely]]
        return combiner.on_failure(detail::module_returned_error<Slot>(std::move(r.value).error(), who, sink));
      if constexpr (std::is_void_v<typename result::value_type>)
        return combiner.on_result(std::monostate{}, who);
      else
        return combiner.on_result(std::move(*r.value), who);
    } else {
      return combiner.on_result(std::move(r.value), who);
    }
  }
}

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
