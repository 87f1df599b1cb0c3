// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_STATIC_REGISTRY_HPP
#define MODHOOK_STATIC_REGISTRY_HPP

#include <modhook/category.hpp>
#include <modhook/failure.hpp>
#include <modhook/placement.hpp>
#include <modhook/policy.hpp>
#include <modhook/detail/config.hpp>
#include <modhook/detail/async_dispatch.hpp>
#include <modhook/detail/dispatch_awaitable.hpp>
#include <modhook/detail/dispatch_result.hpp>
#include <modhook/detail/failure_sink.hpp>
#include <modhook/detail/order.hpp>
#include <modhook/detail/signature.hpp>
#include <modhook/detail/sync_driver.hpp>

#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

// Module positions for a static registry: module_source points at one of these.
template <std::size_t Count>
struct static_module_table : module_table {
  module_ref modules[Count == 0 ? 1 : Count];
};

inline module_ref resolve_static_module(const module_table&, const void* position) noexcept {
  return *static_cast<const module_ref*>(position);
}

template <std::size_t Count>
constexpr static_module_table<Count> make_static_module_table(callback_ref callback) noexcept {
  static_module_table<Count> table{};
  table.resolve = &resolve_static_module;
  table.callback = callback;
  for (std::size_t i = 0; i < Count; ++i) table.modules[i] = module_ref{i, {}};
  return table;
}

// A module named by its position alone: what a static dispatch's inline decision records,
// so the compiler sees a constant rather than a call through the module table.
struct static_module {
  std::size_t position;
  constexpr module_ref operator()() const noexcept { return {position, {}}; }
};

inline void ignore_failure(const void*, const failure<>&) noexcept {}

// Where a static dispatch reports failures. The silent one is empty, so the code that
// carries it to the cold path carries nothing.
struct silent_sink {
  static constexpr failure_sink get() noexcept { return {&ignore_failure, nullptr}; }
};
template <class Handler>
struct handler_sink {
  Handler* handler; // a callable object, which outlives the dispatch
  failure_sink get() const noexcept { return {&report<Handler>, handler}; }
};
// A handler kept here by value (a function pointer; for an asynchronous dispatch, a callable
// given as an rvalue too): an asynchronous dispatch keeps its sink (in its awaitable, or its
// frame), so it may outlive the call that gave the handler.
template <class Function>
struct function_sink {
  Function function;
  failure_sink get() const noexcept { return {&report<Function>, &function}; }
};

// The implementations of an asynchronous callback, for the asynchronous driver: an array of
// constants, and the positions of the modules that gave them.
template <class Sig, std::size_t Count>
struct static_async_table : module_table {
  delegate<Sig> entries[Count == 0 ? 1 : Count];
  std::size_t positions[Count == 0 ? 1 : Count];

  static module_ref module_at(const module_table& table, const void* entry) noexcept {
    const auto& self = static_cast<const static_async_table&>(table);
    return {self.positions[static_cast<const delegate<Sig>*>(entry) - self.entries], {}};
  }
};

// The order of a static registry's modules: call index -> position in the list; or the cycle.
template <std::size_t Count>
struct static_order {
  std::array<std::size_t, Count == 0 ? 1 : Count> at{};
  std::array<std::size_t, Count == 0 ? 1 : Count> cycle{};
  std::size_t cycle_size = 0;
};

template <const auto& Module>
constexpr bool is_placed = requires {
  { Module.place } -> std::convertible_to<const static_placement&>;
};

// Resolves the listed modules' placements (detail/order.hpp's rules), at compile time.
template <const auto&... Modules>
constexpr auto resolve_static_order() {
  constexpr std::size_t n = sizeof...(Modules);
  static_order<n> out;
  std::vector<order_node> nodes(n);
  const void* const addresses[] = {static_cast<const void*>(&Modules)..., nullptr};
  [[maybe_unused]] const auto index_of = [&](const void* address) {
    for (std::size_t j = 0; j < n; ++j)
      if (addresses[j] == address) return j;
    return n; // not listed: constrains nothing
  };
  [[maybe_unused]] std::size_t i = 0;
  // clang-format off
  ([&] {
    if constexpr (is_placed<Modules>) {
      const static_placement& p = Modules.place;
      nodes[i].where = p.where;
      for (const void* other : p.before)
        if (const std::size_t j = index_of(other); other && j != n && j != i) nodes[i].before.push_back(j);
      for (const void* other : p.after)
        if (const std::size_t j = index_of(other); other && j != n && j != i) nodes[j].before.push_back(i);
    }
    ++i;
  }(), ...);
  // clang-format on
  const order_outcome outcome = resolve_order(nodes);
  for (std::size_t k = 0; k < n; ++k) out.at[k] = outcome.cycle.empty() ? outcome.order[k] : k;
  out.cycle_size = outcome.cycle.size();
  for (std::size_t k = 0; k < outcome.cycle.size(); ++k) out.cycle[k] = outcome.cycle[k];
  return out;
}

} // namespace detail

namespace error {
// The static registry's one error for placements that contradict each other: the arguments
// are the modules' positions in the registry's list (from 0), each placed before the next,
// the last before the first.
template <std::size_t... Positions>
struct static_registry_placements_form_a_cycle_among_the_modules_at {
  static_assert(sizeof...(Positions) == 0,
                "modhook: static_registry<modules...>: the modules' placements form a cycle (the modules are named "
                "by their positions in the list, from 0, in this template's arguments)");
};
// The static registry's error for an exclusive callback (modhook::exclusive) that two listed
// modules implement: the callback's slot, and the two modules' positions in the list (from 0).
template <class Slot, std::size_t First, std::size_t Second>
struct static_registry_exclusive_callback_is_implemented_by_the_modules_at {
  static_assert(First == Second, // (never: two positions)
                "modhook: static_registry<modules...>: an exclusive callback takes one implementation, and two "
                "modules implement it (the callback, then the modules' positions in the list, from 0, are this "
                "template's arguments)");
};
} // namespace error

/// A static registry module with its place among the others: the category's object, then
/// where it stands, as a run-time module's placement does, naming other listed modules by
/// address:
///
///   extern const rules audit; // (declared first, to be named)
///   constexpr modhook::placed<rules> censor{{.check = &censor_check},
///                                           {.where = modhook::position::first, .before = {&audit}}};
template <class Category>
struct placed : Category {
  static_placement place;
};

/// A registry of modules known at compile time: constexpr objects of category structs, in
/// call order (any mix of categories, any subset of callbacks set). Dispatch has the
/// policies and result types of the run-time registry, but every implementation is a
/// constant, so the compiler calls it directly and can inline it; a callback no module
/// sets compiles to nothing. Modules are called in list order unless placed (modhook::placed),
/// and named by their position in the list: module_ref::name is empty.
///
///   constexpr third_party_rules censor{.check_event_allowed = &censor_check};
///   using hooks = modhook::static_registry<censor, audit>;
///   auto verdict = hooks::dispatch<&third_party_rules::check_event_allowed>(event, state);
template <const auto&... Modules>
class static_registry {
  static_assert((category<std::remove_cvref_t<decltype(Modules)>> && ...),
                "modhook: static_registry<modules...>: every module must be a constexpr object of a category "
                "declared with MODHOOK_CALLBACKS");

  // The call order: order_.at[k] is the position of the module called k-th.
  static constexpr auto order_ = detail::resolve_static_order<Modules...>();
  // The one error for a cycle, where a dispatch is compiled (its arguments name the modules).
  template <std::size_t... K>
  static constexpr void report_cycle(std::index_sequence<K...>) {
    (void)sizeof(error::static_registry_placements_form_a_cycle_among_the_modules_at<order_.cycle[K]...>);
  }
  template <std::size_t Position>
  static constexpr const auto& module_at() noexcept {
    return std::get<Position>(std::tie(Modules...));
  }

  // Whether a module's callback can be read at compile time: a constexpr object whose
  // initializer is a constant expression. One that is not (a callable with state) has had its
  // own error; dispatch adds one that says what a static module must be.
  template <auto Member, const auto& Module>
  static constexpr bool readable = [] {
    if constexpr (std::is_base_of_v<category_of<Member>, std::remove_cvref_t<decltype(Module)>>)
      return requires { typename std::bool_constant<static_cast<bool>(Module.*Member)>; };
    else
      return true;
  }();

  // Module positions, and the callback's names, for failures and deciding modules.
  template <auto Member>
  static constexpr auto table_ = detail::make_static_module_table<sizeof...(Modules)>(callback_name<Member>);

  template <auto Member, const auto& Module>
  static constexpr bool implements = [] {
    if constexpr (!readable<Member, Module>) return false; // reported once, by dispatch
    // A module of the category, or of a type derived from it (`struct censor : rules {}`).
    if constexpr (std::is_base_of_v<category_of<Member>, std::remove_cvref_t<decltype(Module)>>)
      return static_cast<bool>(Module.*Member);
    else
      return false;
  }();

  // The positions in the list of the first two modules that implement the callback.
  template <auto Member>
  static constexpr std::array<std::size_t, 2> first_two_ = [] {
    std::array<std::size_t, 2> found{sizeof...(Modules), sizeof...(Modules)};
    std::size_t seen = 0, position = 0;
    ((implements<Member, Modules> && seen < 2 ? (void)(found[seen++] = position) : void(), ++position), ...);
    return found;
  }();

  // Whether a module called after the `Step`-th implements the callback.
  template <auto Member, std::size_t Step>
  static constexpr bool implemented_after = []<std::size_t... K>(std::index_sequence<K...>) {
    return ((K > Step && implements<Member, module_at<order_.at[K]>()>) || ... || false);
  }(std::make_index_sequence<sizeof...(Modules)>{});

  // Whether no module's implementation is a coroutine: an in-place (awaits_any) dispatch then runs
  // the synchronous dispatch, with no coroutine frame.
  template <auto Member>
  static constexpr bool plain_only = [] {
    if constexpr (detail::signature<typename slot_of<Member>::signature>::is_async)
      return ([] {
        if constexpr (implements<Member, Modules>) // (a module of another category has no such member)
          return !(Modules.*Member).is_coroutine();
        else
          return true;
      }() && ...);
    else
      return true;
  }();

  // Where a dispatch given a handler sends failures (see dispatch(on_failure, args...)).
  template <auto Member, class Handler>
  using sink_for = std::conditional_t<
      std::is_function_v<std::remove_reference_t<Handler>> || std::is_pointer_v<std::remove_cvref_t<Handler>> ||
          (detail::signature<typename slot_of<Member>::signature>::is_async && !std::is_lvalue_reference_v<Handler>),
      detail::function_sink<std::decay_t<Handler>>, detail::handler_sink<std::remove_reference_t<Handler>>>;

  // The static registry's part of an in-place (awaits_any) callback's dispatch (a dispatch_awaitable):
  // the sink and the arguments. A sink that holds a handler (a callable given as an rvalue)
  // stays here: the loops are given a word that refers to it, never a copy.
  template <auto Member, class Sink, class Prepared>
  struct in_place_dispatch {
    Sink sink;
    Prepared prepared;
    static constexpr bool plain() noexcept { return plain_only<Member>; }
    MODHOOK_ALWAYS_INLINE auto run_plain() { return run_sync<Member>(lent_sink(), prepared); }
    auto start() { return start_async<Member>(lent_sink(), prepared); }
    constexpr auto lent_sink() const noexcept {
      if constexpr (std::is_empty_v<Sink>)
        return sink; // silent: a constant
      else
        return detail::given_sink{sink.get()};
    }
  };

  // What dispatch returns: as the run-time registry's (see detail::registry_dispatch_return).
  template <auto Member, class Sink, class... Args>
  struct dispatch_type_of {
    using type = detail::dispatch_return_t<slot_of<Member>>;
  };
  template <auto Member, class Sink, class... Args>
    requires(slot_of<Member>::modhook_declared &&
             detail::awaits_in_place<typename detail::signature<typename slot_of<Member>::signature>::task> &&
             (readable<Member, Modules> && ...) && slot_of<Member>::template modhook_accepts<Args...>)
  struct dispatch_type_of<Member, Sink, Args...> {
    using prepared =
        decltype(detail::signature<typename slot_of<Member>::signature>::prepare_owned(std::declval<Args>()...));
    using type = detail::dispatch_awaitable<detail::async_dispatch_result_t<slot_of<Member>>,
                                            in_place_dispatch<Member, Sink, prepared>>;
  };
  template <auto Member, class Sink, class... Args>
  using dispatch_type = typename dispatch_type_of<Member, Sink, Args...>::type;

public:
  /// How many modules are listed.
  static constexpr std::size_t size() noexcept { return sizeof...(Modules); }

  /// How many modules implement a callback, known at compile time.
  template <auto Member>
    requires callback_member<Member>
  static constexpr std::size_t implementation_count = (std::size_t{implements<Member, Modules>} + ... + 0);

  /// Calls the implementations in module order and combines them by the callback's policy.
  template <auto Member, class... Args>
    requires callback_member<Member>
  MODHOOK_ALWAYS_INLINE static auto dispatch(Args&&... args) -> dispatch_type<Member, detail::silent_sink, Args...> {
    return dispatch_reporting<Member>(detail::silent_sink{}, static_cast<Args&&>(args)...);
  }

  /// As dispatch, and gives every module failure to `on_failure(const failure<>&)` too: a
  /// function, or any callable (it must live until the dispatch returns; a temporary does).
  /// An asynchronous dispatch keeps a function, or a callable given as an rvalue, itself; a
  /// callable given as an lvalue must live until the dispatch completes.
  template <auto Member, class Handler, class... Args>
    requires callback_member<Member> && std::is_invocable_v<Handler&, const failure<>&>
  MODHOOK_ALWAYS_INLINE static auto dispatch(Handler&& on_failure, Args&&... args)
      -> dispatch_type<Member, sink_for<Member, Handler>, Args...> {
    using sink = sink_for<Member, Handler>;
    if constexpr (std::is_same_v<sink, detail::function_sink<std::decay_t<Handler>>>)
      return dispatch_reporting<Member>(sink{static_cast<Handler&&>(on_failure)}, static_cast<Args&&>(args)...);
    else
      return dispatch_reporting<Member>(sink{&on_failure}, static_cast<Args&&>(args)...);
  }

private:
  // An asynchronous callback's implementations, in module order, for the asynchronous driver.
  template <auto Member>
  static constexpr auto async_table_ = [] {
    using sig = typename detail::shape_of<slot_of<Member>>::signature;
    detail::static_async_table<sig, implementation_count<Member>> table{};
    table.resolve = &decltype(table)::module_at;
    table.callback = callback_name<Member>;
    [[maybe_unused]] std::size_t implemented = 0; // unused when there are no modules
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      // clang-format off
      ([&] {
        if constexpr (implements<Member, module_at<order_.at[K]>()>) {
          table.entries[implemented] = (module_at<order_.at[K]>().*Member).target();
          table.positions[implemented++] = order_.at[K];
        }
      }(), ...);
      // clang-format on
    }(std::make_index_sequence<sizeof...(Modules)>{});
    return table;
  }();

  template <auto Member, class Sink, class... Args>
  MODHOOK_ALWAYS_INLINE static auto dispatch_reporting(Sink sink, Args&&... args)
      -> dispatch_type<Member, Sink, Args...> {
    using slot = slot_of<Member>;
    using signature = detail::signature<typename slot::signature>;
    if constexpr (order_.cycle_size != 0) {
      report_cycle(std::make_index_sequence<order_.cycle_size>{});
      return {};
    } else if constexpr (!(readable<Member, Modules> && ...)) {
      static_assert((readable<Member, Modules> && ...),
                    "modhook: static_registry<modules...>: every module must be a constant expression: a constexpr "
                    "object whose callables hold no state (functions, stateless lambdas, bind<&T::f>(static object), "
                    "bind<&f>())");
      return {};
    } else if constexpr (!slot::modhook_declared) {
      return {}; // the category's entry has had its error
    } else if constexpr (detail::is_exclusive<typename slot::policy> && implementation_count<Member> > 1) {
      (void)sizeof(
          error::static_registry_exclusive_callback_is_implemented_by_the_modules_at<slot, first_two_<Member>[0],
                                                                                     first_two_<Member>[1]>);
      return {};
    } else if constexpr (!slot::template modhook_accepts<Args...>) {
      slot::template modhook_reject_dispatch<Args...>();
      return {};
    } else if constexpr (detail::awaits_in_place<typename signature::task>) {
      return dispatch_type<Member, Sink, Args...>(std::in_place, std::move(sink),
                                                  signature::prepare_owned(static_cast<Args&&>(args)...));
    } else if constexpr (signature::is_async) {
      return start_async<Member>(sink, signature::prepare_owned(static_cast<Args&&>(args)...));
    } else {
      auto prepared = signature::prepare(static_cast<Args&&>(args)...);
      return run_sync<Member>(sink, prepared);
    }
  }

  // An asynchronous callback's dispatch by the asynchronous driver, walking the constants in
  // an array as it walks a registry's store. `prepared` is kept in its frame, or, given as an
  // lvalue (a dispatch_awaitable's), referred to.
  template <auto Member, class Sink, class Prepared>
  static auto start_async(Sink sink, Prepared&& prepared) {
    constexpr const auto& table = async_table_<Member>;
    return detail::async_dispatch<detail::shape_of<slot_of<Member>>, Sink, Prepared>(
        table, table.entries, table.entries + implementation_count<Member>, sink, static_cast<Prepared&&>(prepared),
        std::make_index_sequence<std::tuple_size_v<std::remove_cvref_t<Prepared>>>{});
  }

  // The step (call index) of the last module that implements the callback (size() if none does).
  template <auto Member>
  static constexpr std::size_t last_implementation() {
    std::size_t last = sizeof...(Modules);
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      ((implements<Member, module_at<order_.at[K]>()> ? (void)(last = K) : void()), ...);
    }(std::make_index_sequence<sizeof...(Modules)>{});
    return last;
  }

  // The implementations of a callback as the synchronous driver walks them (see
  // detail/sync_driver.hpp): every module, unrolled at compile time, each implementation a
  // constant called directly, an unset one no code at all.
  template <auto Member, class Sink>
  struct sequence {
    using who_type = detail::static_module;
    struct mark_type {}; // the module that threw is the kept exception's `where`
    static constexpr bool last_known = true;
    static constexpr bool may_follow_a_throw = implementation_count<Member> > 1;
    static constexpr std::size_t last_position = last_implementation<Member>();

    // A module (at `Position` in the list) called `Step`-th.
    template <const auto& Module, std::size_t Position, std::size_t Step>
    struct position {
      static constexpr std::size_t where = Step;
      static constexpr bool followed = implemented_after<Member, Step>;
      static constexpr bool last = Step == last_position;
    };
    // The cold path's handle: the sink (empty when silent) and a step known at run time, so
    // that the cold functions are compiled once per callback, not once per module.
    struct cold_type {
      [[no_unique_address]] Sink sink;
      std::size_t at;
      sequence implementations() const noexcept { return {sink}; }
      module_source source() const noexcept {
        return module_source(table_<Member>, &table_<Member>.modules[order_.at[at]]);
      }
      std::size_t next() const noexcept { return at + 1; }
    };
    struct thrown_type {
      [[no_unique_address]] Sink sink;
      cold_type resolve() const noexcept { return {sink, detail::kept_exception::where()}; }
    };

    [[no_unique_address]] Sink sink_;

    static constexpr std::size_t begin() noexcept { return 0; }
    template <class F>
    MODHOOK_ALWAYS_INLINE bool each(F&& f) const {
      return [&]<std::size_t... K>(std::index_sequence<K...>) MODHOOK_INLINE_LAMBDA {
        return (step<module_at<order_.at[K]>(), order_.at[K], K>(f) && ...);
      }(std::make_index_sequence<sizeof...(Modules)>{});
    }
    template <class F>
    MODHOOK_ALWAYS_INLINE void each_from([[maybe_unused]] std::size_t from, [[maybe_unused]] F&& f) const {
      [&]<std::size_t... K>(std::index_sequence<K...>) MODHOOK_INLINE_LAMBDA {
        (void)((K < from || step<module_at<order_.at[K]>(), order_.at[K], K>(f)) && ...);
      }(std::make_index_sequence<sizeof...(Modules)>{});
    }
    template <const auto& Module, std::size_t Position, std::size_t Step, class... P>
    MODHOOK_ALWAYS_INLINE static decltype(auto) call(position<Module, Position, Step>, P&&... p) {
      constexpr auto target = (Module.*Member).target(); // a constant: a direct call, inlinable
      return target.invoke(target.data, static_cast<P&&>(p)...);
    }
    template <const auto& Module, std::size_t Position, std::size_t Step>
    static constexpr detail::static_module who(position<Module, Position, Step>) noexcept {
      return {Position};
    }
    template <const auto& Module, std::size_t Position, std::size_t Step>
    static constexpr module_source source(position<Module, Position, Step>) noexcept {
      return module_source(table_<Member>, &table_<Member>.modules[Position]);
    }
    detail::failure_sink sink() const noexcept { return sink_.get(); }
    template <const auto& Module, std::size_t Position, std::size_t Step>
    cold_type cold(position<Module, Position, Step>) const noexcept {
      return {sink_, Step};
    }
    template <class At>
    static constexpr mark_type mark(At) noexcept {
      return {};
    }
    thrown_type thrown(mark_type) const noexcept { return {sink_}; }

  private:
    // One module: the callback's implementation if it sets one; else nothing, not even code.
    template <const auto& Module, std::size_t Position, std::size_t Step, class F>
    MODHOOK_ALWAYS_INLINE static bool step([[maybe_unused]] F& f) {
      if constexpr (!implements<Member, Module>)
        return true; // not this module's category, or left unset
      else
        return f(position<Module, Position, Step>{});
    }
  };

  // The synchronous dispatch (of a synchronous callback, or of an asynchronous one whose
  // implementations are all plain callables), by the synchronous driver.
  template <auto Member, class Sink, class Prepared>
  MODHOOK_ALWAYS_INLINE static auto run_sync(Sink sink, Prepared& prepared)
      -> detail::dispatch_result_t<slot_of<Member>> {
    return detail::run<detail::shape_of<slot_of<Member>>>(sequence<Member, Sink>{sink}, prepared,
                                                          std::make_index_sequence<std::tuple_size_v<Prepared>>{});
  }
};

MODHOOK_END_NAMESPACE

#endif
