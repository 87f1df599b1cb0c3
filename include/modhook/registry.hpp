// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_REGISTRY_HPP
#define MODHOOK_REGISTRY_HPP

#include <modhook/category.hpp>
#include <modhook/expected.hpp>
#include <modhook/failure.hpp>
#include <modhook/module_api.hpp>
#include <modhook/observer.hpp>
#include <modhook/placement.hpp>
#include <modhook/policy.hpp>
#include <modhook/registration_error.hpp>
#include <modhook/detail/config.hpp>
#include <modhook/detail/diagnostics.hpp>
#include <modhook/detail/erased.hpp>
#include <modhook/detail/async_dispatch.hpp>
#include <modhook/detail/dispatch_awaitable.hpp>
#include <modhook/detail/dispatch_result.hpp>
#include <modhook/detail/failure_sink.hpp>
#include <modhook/detail/load_lock.hpp>
#include <modhook/detail/observe.hpp>
#include <modhook/detail/placement_book.hpp>
#include <modhook/detail/owned.hpp>
#include <modhook/detail/sync_driver.hpp>
#include <modhook/detail/wrap.hpp>

#include <algorithm>
#include <cassert>
#include <concepts>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <numeric>
#include <type_traits>
#include <utility>
#include <vector>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

// The implementations of the callbacks of one signature, in call order (load order, unless
// placed: see reorder). A dispatch
// walks [first, last); `modules` (which module registered each) is read only when a module
// decides or fails; `owners` keeps the callables. The three run in step (`entries` has one
// more, the sentinel below). Everything here is keyed on the signature, not the callback,
// so it is compiled once per signature.
//
// `entries` holds the implementations and then, when there is any, a sentinel whose context
// points back at the store: a dispatch's cold path, holding only the loop's own `last`,
// finds the store (and the failure sink) from it, so the hot loop keeps nothing else alive.
template <class Sig>
struct callback_store : module_table {
  explicit callback_store(callback_ref names) noexcept : module_table{&resolve, names} {
    no_entries.data.object = this;
  }
  callback_store(const callback_store&) = delete; // the sentinel points here
  callback_store& operator=(const callback_store&) = delete;

  // The sentinel while `entries` holds none: `last` is never null, so that a dispatch's cold
  // path always finds its store (see store_sequence's redirected).
  delegate<Sig> no_entries;
  const delegate<Sig>* first = &no_entries;
  const delegate<Sig>* last = &no_entries;
  failure_sink sink{};
  std::vector<delegate<Sig>> entries;
  std::vector<module_ref> modules;
  std::vector<erased<Sig>> owners;
  // In an asynchronous slot, how many implementations are coroutines: with none, a dispatch
  // runs the synchronous loop, without a coroutine frame.
  std::size_t coroutines = 0;
  // The callback's wrappers (detail/wrap.hpp): its slot_store's, made with the registry (not
  // by a module's code, which may live in a library closed before the registry ends; null
  // for an asynchronous callback, which takes none). While there is any, first
  // is last + 1, a range no loop walks, which a dispatch tests for where it tests for an
  // empty range (see store_sequence's redirectable).
  wrapper_list_base* wrappers = nullptr;

  std::size_t size() const noexcept { return modules.size(); }
  bool wrapped() const noexcept { return wrappers != nullptr && wrappers->size() != 0; }

  // The implementations, wrapped or not (what the innermost wrapper's rest runs).
  const delegate<Sig>* begin() const noexcept { return entries.data(); }
  const delegate<Sig>* end() const noexcept { return entries.data() + size(); }

  // The wrappers, of a dispatch returning Result.
  template <class Result>
  wrapper_list<Result, Sig>& wrapper_list_of() noexcept {
    return static_cast<wrapper_list<Result, Sig>&>(*wrappers);
  }
  template <class Result>
  const wrapper_list<Result, Sig>& wrapper_list_of() const noexcept {
    return static_cast<const wrapper_list<Result, Sig>&>(*wrappers);
  }
  // After the wrappers changed: whether the range is redirected follows.
  void wrappers_changed() noexcept { point_range(); }

  // The store a dispatch's `last` belongs to: the sentinel's context.
  static const callback_store& of(const delegate<Sig>* last) noexcept {
    return *static_cast<const callback_store*>(last->data.object);
  }

  MODHOOK_NOINLINE void append(module_ref who, erased<Sig>&& callable) {
    reserve_one_more(modules);
    reserve_one_more(owners);
    // Last: a dispatch reads `entries` through first/last, which only seal_entries() moves.
    if (entries.capacity() < size() + 2) entries.reserve(2 * size() + 4); // one more, and the sentinel
    // All reserved: nothing below can throw, so the vectors stay in step.
    if (callable.is_coroutine()) ++coroutines;
    owners.push_back(std::move(callable));
    modules.push_back(who);
    entries.resize(size() - 1); // drops the sentinel, if any
    entries.push_back(owners.back().target());
    seal_entries();
  }

  // An implementation another store owns (a live registry's module set borrows its modules'):
  // such a store is built once and never edited, so `owners` stays empty.
  MODHOOK_NOINLINE void borrow(module_ref who, const delegate<Sig>& target, bool coroutine) {
    reserve_one_more(modules);
    if (entries.capacity() < size() + 2) entries.reserve(2 * size() + 4); // as in append
    if (coroutine) ++coroutines;
    modules.push_back(who);
    entries.resize(size() - 1);
    entries.push_back(target);
    seal_entries();
  }
  bool is_coroutine(std::size_t i) const noexcept { return owners[i].is_coroutine(); }

  // Drops every implementation a module registered, wherever it stands.
  MODHOOK_NOINLINE void remove_module(std::size_t index) noexcept {
    if (wrappers != nullptr) wrappers->remove_module(index);
    std::size_t kept = 0;
    for (std::size_t i = 0; i < size(); ++i) {
      if (modules[i].index == index) {
        if (owners[i].is_coroutine()) --coroutines;
        continue;
      }
      if (kept != i) {
        modules[kept] = modules[i];
        entries[kept] = entries[i];
        owners[kept] = std::move(owners[i]);
      }
      ++kept;
    }
    modules.erase(modules.begin() + static_cast<std::ptrdiff_t>(kept), modules.end());
    owners.erase(owners.begin() + static_cast<std::ptrdiff_t>(kept), owners.end());
    entries.resize(kept); // shrinks: cannot throw
    seal_entries();
  }

  // Puts the implementations in the order of `rank` (by module index), stably.
  MODHOOK_NOINLINE void reorder(const std::vector<std::size_t>& rank) {
    std::vector<std::size_t> by(size());
    std::iota(by.begin(), by.end(), std::size_t{0});
    std::stable_sort(by.begin(), by.end(),
                     [&](std::size_t a, std::size_t b) { return rank[modules[a].index] < rank[modules[b].index]; });
    if (wrappers != nullptr) wrappers->reorder(rank);
    if (std::is_sorted(by.begin(), by.end())) return;
    std::vector<module_ref> new_modules;
    std::vector<delegate<Sig>> new_entries;
    std::vector<erased<Sig>> new_owners;
    new_modules.reserve(modules.size());
    new_entries.reserve(entries.capacity());
    new_owners.reserve(owners.capacity());
    for (const std::size_t i : by) {
      new_modules.push_back(modules[i]);
      new_entries.push_back(entries[i]); // the callable's target does not move with it (see remove_module)
      new_owners.push_back(std::move(owners[i]));
    }
    modules = std::move(new_modules);
    entries = std::move(new_entries);
    owners = std::move(new_owners);
    seal_entries();
  }

  static module_ref resolve(const module_table& table, const void* entry) noexcept {
    const auto& self = static_cast<const callback_store&>(table);
    return self.modules[static_cast<std::size_t>(static_cast<const delegate<Sig>*>(entry) - self.entries.data())];
  }

private:
  // Appends the sentinel after the implementations (within capacity: cannot throw) and
  // points [first, last) at them.
  void seal_entries() noexcept {
    if (!entries.empty()) {
      delegate<Sig> sentinel;
      sentinel.data.object = const_cast<void*>(static_cast<const void*>(this));
      entries.push_back(sentinel);
    }
    point_range();
  }
  // [first, last): the implementations before the sentinel, or none; redirected while there
  // are wrappers.
  void point_range() noexcept {
    if (entries.empty()) {
      first = last = &no_entries;
    } else {
      first = entries.data();
      last = first + size();
    }
    if (wrapped()) first = last + 1;
  }

  // Grows like push_back would, but lets the vectors be reserved before any is written.
  template <class Vector>
  static void reserve_one_more(Vector& v) {
    if (v.size() == v.capacity()) v.reserve(v.empty() ? 4 : 2 * v.size());
  }
};

template <class Slot, class Sig, class... Args, class Watch>
dispatch_result_t<Slot> run_wrapped_store(const callback_store<Sig>& callbacks, Watch watch, Args... args);

// A store as the synchronous driver walks it (see detail/sync_driver.hpp): a loop over
// [first, last). What stops the loop finds the store from `last` (see callback_store), so
// that the loop holds no more than a hand-written one: where it is, where it ends; `store`
// serves the general loop, which feeds every outcome. `Redirectable`: the driver tests the
// range first, for a store with wrappers (see run_store), and each() is a loop that tests at
// its end.
template <class Sig, bool Redirectable = false>
struct store_sequence {
  using position = const delegate<Sig>*;
  using who_type = module_source;
  using mark_type = position;
  static constexpr bool last_known = false;
  static constexpr bool may_follow_a_throw = true;
  static constexpr bool redirectable = Redirectable;

  const callback_store<Sig>* store;
  position first;
  position last;

  // The cold path's handle: two words, which travel in registers.
  struct cold_type {
    position at;
    position last;
    store_sequence<Sig> implementations() const noexcept {
      const auto& callbacks = callback_store<Sig>::of(last);
      return {&callbacks, callbacks.begin(), last}; // (not first: a redirected store's is past last)
    }
    module_source source() const noexcept { return module_source(callback_store<Sig>::of(last), at); }
    position next() const noexcept { return at + 1; }
    cold_type resolve() const noexcept { return *this; }
    // (The handle of a redirected range: see redirectable.)
    bool redirected() const noexcept { return at > last; }
    template <class Slot, class... Args>
    dispatch_result_t<Slot> run_redirected(Args... args) const {
      return detail::run_wrapped_store<Slot, Sig, Args...>(callback_store<Sig>::of(last), no_watch{},
                                                           static_cast<Args&&>(args)...);
    }
  };

  position begin() const noexcept { return first; }
  bool walkable() const noexcept { return first < last; }
  bool redirected() const noexcept { return first > last; }
  template <class Slot, class... Args, class Watch>
  dispatch_result_t<Slot> run_redirected(Watch watch, Args... args) const {
    return detail::run_wrapped_store<Slot, Sig, Args...>(*store, watch, static_cast<Args&&>(args)...);
  }
  template <class F>
  MODHOOK_ALWAYS_INLINE bool each(F&& f) const {
    if constexpr (Redirectable) {
      position it = first;
      do
        if (!f(it)) return false;
      while (++it != last);
    } else {
      for (position it = first; it != last; ++it)
        if (!f(it)) return false;
    }
    return true;
  }
  template <class F>
  MODHOOK_ALWAYS_INLINE void each_from(position from, F&& f) const {
    for (position it = from; it != last; ++it)
      if (!f(it)) break;
  }
  template <class... P>
  MODHOOK_ALWAYS_INLINE decltype(auto) call(position at, P&&... p) const {
    return at->invoke(at->data, static_cast<P&&>(p)...);
  }
  module_source who(position at) const noexcept { return module_source(callback_store<Sig>::of(last), at); }
  module_source source(position at) const noexcept { return module_source(*store, at); }
  failure_sink sink() const noexcept { return store->sink; }
  cold_type cold(position at) const noexcept { return {at, last}; }
  static position mark(position at) noexcept { return at; }
  cold_type thrown(position at) const noexcept { return {at, last}; }
};

// A dispatch of a store with wrappers (see detail/wrap.hpp): the wrappers, around the
// implementations. Called out of line (resume_thrown), its arguments as they travel to a
// cold path (cold_argument), so that a dispatch inlines only the test that brings it here.
template <class Slot, class Sig, class... Args, class Watch>
MODHOOK_ALWAYS_INLINE dispatch_result_t<Slot> run_wrapped_store(const callback_store<Sig>& callbacks, Watch watch,
                                                                Args... args) {
  std::tuple<Args...> prepared(static_cast<Args&&>(args)...);
  constexpr auto arguments = std::index_sequence_for<Args...>{};
  const auto inner = [&] {
    return detail::run<Slot>(store_sequence<Sig>{&callbacks, callbacks.begin(), callbacks.end()}, prepared, arguments,
                             watch);
  };
  if (!callbacks.wrapped()) return inner(); // (not redirected: never so)
  return detail::run_wrapped<Slot>(callbacks.template wrapper_list_of<dispatch_result_t<Slot>>(), 0, inner, prepared,
                                   arguments, callbacks.sink, watch);
}

// The synchronous dispatch of a registry's store, for both run-time registries. A callback
// that may have wrappers has its range tested by the driver (store_sequence's redirectable)
// in place of the loop's own first test: a store with wrappers is redirected out of line.
template <class Slot, class Sig, class Prepared, class Arguments, class Watch>
MODHOOK_ALWAYS_INLINE dispatch_result_t<Slot> run_store(const callback_store<Sig>& callbacks, Prepared& prepared,
                                                        Arguments args, Watch watch) {
  return detail::run<Slot>(store_sequence<Sig, may_be_wrapped<Slot>>{&callbacks, callbacks.first, callbacks.last},
                           prepared, args, watch);
}

// What a store of an asynchronous callback holds for wrappers: nothing.
struct no_wrapper_list {
  explicit no_wrapper_list(callback_ref) noexcept {}
};

// One store per callback, found by its slot type; with its wrappers, if it may have any.
template <class Slot>
struct slot_store : callback_store<typename Slot::signature> {
  using wrappers_type =
      std::conditional_t<may_be_wrapped<Slot>, wrapper_list<dispatch_result_t<Slot>, typename Slot::signature>,
                         no_wrapper_list>;
  slot_store() noexcept
      : callback_store<typename Slot::signature>({Slot::category_name, Slot::callback_name}),
        own_wrappers({Slot::category_name, Slot::callback_name}) {
    if constexpr (may_be_wrapped<Slot>) this->wrappers = &own_wrappers;
  }
  callback_store<typename Slot::signature>& self() noexcept { return *this; }
  [[no_unique_address]] wrappers_type own_wrappers;
};

template <class Category>
struct members_of {
  using type = decltype(Category::modhook_members());
};
template <class Observer>
struct members_of<observed_by<Observer>> {
  using type = void;
};

template <class Category, class Members = typename members_of<Category>::type>
struct category_store;
// A registry's option (modhook::observed_by) among its categories: no callbacks.
template <class Option>
struct category_store<Option, void> {
  void remove_module(std::size_t) noexcept {}
  void set_sink(failure_sink) noexcept {}
  template <class F>
  static void each_slot(F&&) {}
  template <class F>
  void each(F&&) {}
};
template <class Category, auto... Members>
struct category_store<Category, member_list<0, Members...>>
    : slot_store<typename member_pointer<decltype(Members)>::slot>... {
  void remove_module([[maybe_unused]] std::size_t index) noexcept {
    (slot_store<typename member_pointer<decltype(Members)>::slot>::remove_module(index), ...);
  }
  void set_sink([[maybe_unused]] failure_sink to) noexcept {
    ((slot_store<typename member_pointer<decltype(Members)>::slot>::sink = to), ...);
  }
  // f(std::type_identity<Slot>{}) for each callback's slot.
  template <class F>
  static void each_slot([[maybe_unused]] F&& f) {
    (f(std::type_identity<typename member_pointer<decltype(Members)>::slot>{}), ...);
  }
  // f(callback_ref, store&) for each callback.
  template <class F>
  void each([[maybe_unused]] F&& f) {
    (f(static_cast<module_table&>(slot_store<typename member_pointer<decltype(Members)>::slot>::self()).callback,
       slot_store<typename member_pointer<decltype(Members)>::slot>::self()),
     ...);
  }
};

template <class T, class... Ts>
inline constexpr bool is_one_of = (std::is_same_v<T, Ts> || ...);

template <class T, class... Ts>
inline constexpr std::size_t count_of = (std::size_t{std::is_same_v<T, Ts>} + ... + 0);

// The registry's part of the dispatch (a dispatch_awaitable) of a callback whose task type
// awaits any awaitable (task_traits::awaits_any: modhook::task's): the registry and the
// arguments. With no coroutine among the implementations, the synchronous
// loop; else the asynchronous driver over the same store, referring to these arguments.
template <class Registry, class Slot, class Prepared>
struct registry_dispatch {
  static constexpr auto arguments = std::make_index_sequence<std::tuple_size_v<Prepared>>{};
  const Registry* registry;
  Prepared prepared;

  MODHOOK_ALWAYS_INLINE bool plain() const noexcept { return registry->template store<Slot>().coroutines == 0; }
  MODHOOK_ALWAYS_INLINE dispatch_result_t<Slot> run_plain() {
    return registry->template run<Slot>(prepared, arguments);
  }
  async_dispatch_result_t<Slot> start() {
    const auto& callbacks = registry->template store<Slot>();
    return detail::async_dispatch<shape_of<Slot>, given_sink, Prepared&>(
        callbacks, callbacks.first, callbacks.last, given_sink{callbacks.sink}, prepared, arguments, registry->watch());
  }
};

// What holds a dispatch_awaitable's registry and arguments (the live registry has its own).
template <class Registry, class Slot, class Prepared>
struct awaitable_owner {
  using type = registry_dispatch<Registry, Slot, Prepared>;
};
template <class Registry, class Slot, class Prepared>
struct live_dispatch;

// What a registry's dispatch returns: the policy's result; for an asynchronous callback a
// task of it; for a callback whose task type awaits_any (a dispatch the registry can run, with arguments
// it accepts) a dispatch_awaitable.
template <class Registry, class Slot, class... Args>
struct registry_dispatch_return {
  using type = dispatch_return_t<Slot>;
};
template <class Registry, class Slot, class... Args>
  requires(Slot::modhook_declared && awaits_in_place<typename signature<typename Slot::signature>::task> &&
           Registry::template holds<typename Slot::modhook_category> && Slot::template modhook_accepts<Args...>)
struct registry_dispatch_return<Registry, Slot, Args...> {
  using prepared = decltype(signature<typename Slot::signature>::prepare_owned(std::declval<Args>()...));
  using type =
      dispatch_awaitable<async_dispatch_result_t<Slot>, typename awaitable_owner<Registry, Slot, prepared>::type>;
};

} // namespace detail

namespace diagnostic {
template <class Handler>
inline constexpr bool failure_handler_takes_a_failure = std::is_invocable_v<Handler&, const failure<>&>;
// diagnostics: conditions registry.hpp (written by scripts/diagnostics.py from its table)
template <class Module, class Registry, class... Args>
inline constexpr bool module_is_constructible_from_its_arguments_and_the_api =
    std::is_constructible_v<Module, Args&&..., typename Registry::api&>;
template <class Slot, class Registry>
inline constexpr bool registry_holds_the_callback_category = Registry::template holds<typename Slot::modhook_category>;
template <class Category, class Registry>
inline constexpr bool registry_holds_the_category = Registry::template holds<Category>;
// diagnostics: end
} // namespace diagnostic

/// The run-time registry: modules are loaded in order (as a host's configuration lists
/// them), register their callbacks through a module_api, and the host seals the registry
/// when start-up is over. After seal() no registration is accepted, so dispatching from
/// many threads at once is safe.
template <class... Categories>
class registry : public detail::observer_holder_of<Categories...> { // (its observer, if an option names one)
  static_assert(((category<Categories> || detail::is_registry_option<Categories>)&&...),
                "modhook: registry<...>: every category must be a struct declared with MODHOOK_CALLBACKS");
  static_assert(((detail::count_of<Categories, Categories...> == 1) && ...),
                "modhook: registry<...>: a category is listed more than once");
  static_assert(detail::observer_count<Categories...> <= 1,
                "modhook: registry<...>: at most one modhook::observed_by option");

public:
  using api = module_api<registry>;
  using typename detail::observer_holder_of<Categories...>::observer_type;

  registry() noexcept { (static_cast<detail::category_store<Categories>&>(stores_).set_sink(sink()), ...); }
  registry(const registry&) = delete; // modules hold a module_api that points here
  registry& operator=(const registry&) = delete;
  // Unloads in reverse load order. Each module's callbacks are unregistered before it is
  // destroyed, and its record (name, api) outlives it, so a module's destructor may still
  // use its api or dispatch to the modules loaded before it.
  ~registry() {
    sealed_.set();
    while (!modules_.empty()) {
      unregister(modules_.size() - 1);
      modules_.back()->instance.reset();
      modules_.pop_back();
    }
  }

  /// Constructs a module of type M from (args..., api&), under `name`. If construction
  /// throws, nothing the module registered is kept and the error carries the exception.
  template <class M, class... Args>
  [[nodiscard]] expected<module_ref, registration_error> load(std::string_view name, Args&&... args) {
    if constexpr (!diagnostic::module_is_constructible_from_its_arguments_and_the_api<M, registry, Args...>) {
      // diagnostics: site load (written by scripts/diagnostics.py from its table)
#if defined(__clang__)
      static_assert(
          diagnostic::module_is_constructible_from_its_arguments_and_the_api<M, registry, Args...>,
          "modhook: load<M>(name, args...): M must be constructible from (args..., modhook::module_api<registry>&)");
#else
      static_assert(
          std::is_void_v<decltype(error::the_module_must_be_constructible_from_its_arguments_then_the_api<M, registry,
                                                                                                          Args...>())>);
#endif
      // diagnostics: end
      return unexpected(registration_error{registration_error::kind::module_threw, std::string(name)});
    } else {
      auto construct = [&](api& module_api, instance_ptr& instance) {
        instance =
            instance_ptr(new M(static_cast<Args&&>(args)..., module_api), [](void* p) { delete static_cast<M*>(p); });
      };
      return load_impl(name, &construct_with<decltype(construct)>, &construct);
    }
  }

  /// A module without a class: `setup(api)` registers its callbacks.
  template <class Setup>
    requires std::invocable<Setup&, api&>
  [[nodiscard]] expected<module_ref, registration_error> load(std::string_view name, Setup&& setup) {
    auto construct = [&](api& module_api, instance_ptr&) { setup(module_api); };
    return load_impl(name, &construct_with<decltype(construct)>, &construct);
  }

  /// What owns a module, or what its code lives in: a pointer and the function that releases it.
  using instance_ptr = detail::owned_handle;

  /// The extension point for loaders of modules from elsewhere (modhook::load_shared loads
  /// from a shared library): loads a module under `name` with load()'s guarantees, under the
  /// registry's lock, so that nothing loads in between. After load()'s own refusals (sealed,
  /// a module loading another, an empty or taken name), `loader.open()` may refuse with a
  /// registration_error, or return what must stay open while the module lives (a library;
  /// or an empty instance_ptr), released after the module is destroyed; then
  /// `loader.construct(api&)` returns the module's instance. No module code runs before open()
  /// accepted it.
  template <class Loader>
  [[nodiscard]] expected<module_ref, registration_error> load_from(std::string_view name, Loader&& loader) {
    detail::load_guard lock(mutex_);
    if (auto refused = refusal(name)) return unexpected(std::move(*refused));
    expected<instance_ptr, registration_error> opened = loader.open();
    if (!opened) return unexpected(std::move(opened).error());
    auto construct = [&](api& module_api, instance_ptr& instance) { instance = loader.construct(module_api); };
    return load_impl(name, &construct_with<decltype(construct)>, &construct, std::move(*opened));
  }

  /// The host's placement of the module `name` (loaded or still to load), for all its
  /// callbacks: it takes the place of the module's own (see modhook::placement). Refused when
  /// sealed, or when it would make a cycle, which the error names.
  [[nodiscard]] expected<void, registration_error> place(std::string_view name, placement where) {
    return add_placement(std::string(name), {}, true, std::move(where));
  }
  /// The host's placement of the module `name` for one callback: before any other for it.
  template <auto Member>
    requires callback_member<Member>
  [[nodiscard]] expected<void, registration_error> place(std::string_view name, placement where) {
    static_assert(holds<category_of<Member>>,
                  "modhook: place<Member>: this registry does not hold the callback's category");
    return add_placement(std::string(name), callback_name<Member>, true, std::move(where));
  }

  /// Ends start-up: later loads and registrations are refused.
  void seal() noexcept {
    detail::load_guard lock(mutex_);
    sealed_.set();
  }
  bool sealed() const noexcept { return sealed_.load(); }

  /// Receives every module failure seen by any dispatch (a module that threw or returned an
  /// error value), whatever the policy then does with it. Set it before seal(). An exception
  /// thrown by the handler is discarded: reporting never makes a dispatch fail.
  template <class Handler>
  [[nodiscard]] expected<void, registration_error> on_failure(Handler&& handler) {
    if constexpr (!diagnostic::failure_handler_takes_a_failure<std::remove_cvref_t<Handler>>) {
      static_assert(diagnostic::failure_handler_takes_a_failure<std::remove_cvref_t<Handler>>,
                    "modhook: on_failure(handler): the handler must be callable as handler(const modhook::failure<>&)");
      return {};
    } else {
      return set_failure_handler(static_cast<Handler&&>(handler));
    }
  }

  std::size_t module_count() const noexcept { return modules_.size(); }
  module_ref module(std::size_t index) const noexcept { return {index, modules_[index]->name}; }

  /// How many modules implement a callback.
  template <auto Member>
    requires callback_member<Member>
  std::size_t implementation_count() const noexcept {
    using slot = slot_of<Member>;
    if constexpr (!holds<category_of<Member>>) {
      reject_callback_of<slot>();
      return 0;
    } else
      return store<slot>().size();
  }

  /// Calls every implementation of the callback in order (see place) and combines their
  /// results by its policy; exceptions from modules become failures. A synchronous dispatch
  /// never allocates. An asynchronous one is lazy: for modhook::task (a task type that awaits_any), an awaitable that
  /// runs inline when no implementation is a coroutine; for another task type, a task of it.
  template <auto Member, class... Args>
    requires callback_member<Member>
  MODHOOK_ALWAYS_INLINE auto dispatch(Args&&... args) const ->
      typename detail::registry_dispatch_return<registry, slot_of<Member>, Args...>::type {
    using slot = slot_of<Member>;
    if constexpr (!holds<category_of<Member>>) {
      reject_callback_of<slot>();
      return {};
    } else if constexpr (!slot::modhook_declared) {
      return {}; // the category's entry has had its error
    } else if constexpr (!slot::template modhook_accepts<Args...>) {
      slot::template modhook_reject_dispatch<Args...>();
      return {};
    } else {
      assert(sealed() && "modhook: seal() the registry when start-up is over, before dispatching");
      using signature = detail::signature<typename slot::signature>;
      if constexpr (detail::awaits_in_place<typename signature::task>) {
        using awaitable = typename detail::registry_dispatch_return<registry, slot, Args...>::type;
        return awaitable(std::in_place, this, signature::prepare_owned(static_cast<Args&&>(args)...));
      } else if constexpr (signature::is_async) {
        const auto& callbacks = store<slot>();
        return detail::async_dispatch<detail::shape_of<slot>>(
            callbacks, callbacks.first, callbacks.last, detail::given_sink{callbacks.sink},
            signature::prepare_owned(static_cast<Args&&>(args)...), std::index_sequence_for<Args...>{}, watch());
      } else {
        auto prepared = signature::prepare(static_cast<Args&&>(args)...);
        return run<slot>(prepared, std::index_sequence_for<Args...>{});
      }
    }
  }

  /// Whether this registry holds category C.
  template <class C>
  static constexpr bool holds = detail::is_one_of<C, Categories...>;

private:
  friend api;

  std::optional<std::size_t> index_of(std::string_view name) const noexcept {
    for (std::size_t i = 0; i < modules_.size(); ++i)
      if (modules_[i]->name == name) return i;
    return std::nullopt;
  }

  // Applies the placements to every callback, or names the cycle they make (and changes
  // nothing). A registry without placements keeps load order, and does nothing here.
  std::optional<registration_error> apply_order(const std::string& culprit) {
    if (placements_.empty()) return std::nullopt;
    std::vector<std::string_view> names;
    names.reserve(modules_.size());
    for (const auto& m : modules_) names.push_back(m->name);
    const std::string_view waiting = deferred_ ? std::string_view(*deferred_) : std::string_view();
    std::vector<std::vector<std::size_t>> ranks;
    std::optional<registration_error> refused;
    (static_cast<detail::category_store<Categories>&>(stores_).each([&](callback_ref callback, auto&) {
      if (refused) return;
      auto outcome = placements_.order(callback, names, waiting);
      if (!outcome.cycle.empty())
        refused = registration_error{registration_error::kind::order_cycle, culprit, {}, std::move(outcome.cycle)};
      else
        ranks.push_back(std::move(outcome.rank));
    }),
     ...);
    if (refused) return refused;
    std::size_t next = 0;
    (static_cast<detail::category_store<Categories>&>(stores_).each(
         [&](callback_ref, auto& store) { store.reorder(ranks[next++]); }),
     ...);
    return std::nullopt;
  }

  expected<void, registration_error> add_placement(std::string module, std::optional<callback_ref> callback,
                                                   bool by_host, placement where) {
    detail::load_guard lock(mutex_);
    if (sealed()) return unexpected(registration_error{registration_error::kind::sealed, module, {}});
    const bool own_while_loading = loading_ && index_of(module) == modules_.size() - 1 && !by_host;
    placements_.add(detail::placement_record{module, callback, by_host, std::move(where)});
    // A module placing itself while it loads is checked when its load ends.
    if (own_while_loading) return {};
    struct kept_unless_accepted {
      detail::placement_book& records;
      const std::string*& deferred;
      bool accepted = false;
      ~kept_unless_accepted() {
        deferred = nullptr;
        if (!accepted) records.drop_last();
      }
    } added{placements_, deferred_};
    if (loading_) deferred_ = &modules_.back()->name;
    if (auto refused = apply_order(module)) return unexpected(std::move(*refused));
    added.accepted = true;
    return {};
  }
  template <class, class, class>
  friend struct detail::registry_dispatch;

  // The error for a callback of a category this registry does not hold: called only then.
  template <class Slot>
  static void reject_callback_of() noexcept {
    // diagnostics: site callback_category (written by scripts/diagnostics.py from its table)
    if constexpr (!diagnostic::registry_holds_the_callback_category<Slot, registry>) {
#if defined(__clang__)
      static_assert(diagnostic::registry_holds_the_callback_category<Slot, registry>,
                    "modhook: this registry does not hold the callback's category");
#else
      static_assert(
          std::is_void_v<decltype(error::this_registry_does_not_hold_the_callback_category<Slot, registry>())>);
#endif
    }
    // diagnostics: end
  }

  template <class Handler>
  expected<void, registration_error> set_failure_handler(Handler&& handler) {
    detail::load_guard lock(mutex_);
    if (sealed()) return unexpected(registration_error{registration_error::kind::sealed, "<failure handler>", {}});
    failure_handler_ = detail::erased<void(const failure<>&)>(std::in_place, static_cast<Handler&&>(handler));
    return {};
  }

  // The dispatch: the synchronous driver over this callback's store. Apart from finding the
  // store (which carries its names), everything is keyed on the slot's shape (signature and
  // policy): callbacks of one shape share the code.
  template <class Slot, class Prepared, std::size_t... I>
  MODHOOK_ALWAYS_INLINE detail::dispatch_result_t<Slot> run(Prepared& prepared, std::index_sequence<I...> args) const {
    return detail::run_store<detail::shape_of<Slot>>(store<Slot>(), prepared, args, watch());
  }

  // What a dispatch tells module calls to: the observer, or nothing.
  using detail::observer_holder_of<Categories...>::watch;

  detail::failure_sink sink() const noexcept {
    return {&detail::report<decltype(failure_handler_)>, &failure_handler_};
  }

  void unregister(std::size_t index) noexcept {
    (static_cast<detail::category_store<Categories>&>(stores_).remove_module(index), ...);
  }

  // Destroyed in reverse: the instance, then the library its code is in (a shared module's).
  struct module_record {
    std::string name;
    api handle;
    instance_ptr library{nullptr, nullptr};
    instance_ptr instance{nullptr, nullptr};
  };

  template <class Construct>
  static void construct_with(void* construct, api& module_api, instance_ptr& instance) {
    (*static_cast<Construct*>(construct))(module_api, instance);
  }

  // Why a module could not be loaded under `name` now, if it could not. (Caller holds mutex_.)
  std::optional<registration_error> refusal(std::string_view name) const {
    using kind = registration_error::kind;
    if (sealed()) return registration_error{kind::sealed, std::string(name), {}};
    if (loading_) return registration_error{kind::nested_load, std::string(name), {}};
    if (name.empty()) return registration_error{kind::empty_module_name, {}, {}};
    for (const auto& m : modules_)
      if (m->name == name) return registration_error{kind::duplicate_module_name, std::string(name), {}};
    return std::nullopt;
  }

  // One function for every module: what differs, the construction, comes as a pointer. A
  // shared module's library comes along, to be closed after the module is gone.
  MODHOOK_NOINLINE expected<module_ref, registration_error> load_impl(std::string_view name,
                                                                      void (*construct)(void*, api&, instance_ptr&),
                                                                      void* context,
                                                                      instance_ptr library = {nullptr, nullptr}) {
    detail::load_guard lock(mutex_);
    if (auto refused = refusal(name)) return unexpected(std::move(*refused));

    const std::size_t index = modules_.size();
    modules_.push_back(detail::owned<module_record>(
        new module_record{std::string(name), api(*this, index), std::move(library), {nullptr, nullptr}}));
    struct loading_guard {
      bool& flag;
      ~loading_guard() { flag = false; }
    } guard{loading_ = true};
    // A module refused leaves as if never loaded: its callbacks, its own placements (the
    // host's of its name stay, for a module of that name to come), its instance.
    const auto forget = [&] {
      unregister(index);
      placements_.forget_own(name);
      modules_.back()->instance.reset();
      modules_.pop_back();
    };
#if MODHOOK_HAS_EXCEPTIONS
    try {
      construct(context, modules_.back()->handle, modules_.back()->instance);
    } catch (...) {
      // A refused registration the module threw about is the reason it gives.
      registration_error error =
          refused_while_loading_
              ? std::move(*refused_while_loading_)
              : registration_error{registration_error::kind::module_threw, std::string(name), std::current_exception()};
      refused_while_loading_.reset();
      forget();
      return unexpected(std::move(error));
    }
#else
    construct(context, modules_.back()->handle, modules_.back()->instance);
#endif
    if (refused_while_loading_) { // (an exclusive callback taken: see register_callbacks)
      registration_error refusal = std::move(*refused_while_loading_);
      refused_while_loading_.reset();
      forget();
      return unexpected(std::move(refusal));
    }
    // Its place among the others (its own placements, the host's, those naming it): a cycle
    // refuses the module.
    std::optional<registration_error> refused;
#if MODHOOK_HAS_EXCEPTIONS
    try {
      refused = apply_order(std::string(name));
    } catch (...) { // (out of memory: the module goes, the exception with it)
      forget();
      throw;
    }
#else
    refused = apply_order(std::string(name));
#endif
    if (refused) {
      forget();
      return unexpected(std::move(*refused));
    }
    return module(index);
  }

  template <class C>
  [[nodiscard]] expected<void, registration_error> register_callbacks(std::size_t index, C&& callbacks) {
    using category_type = std::remove_cvref_t<C>;
    static_assert(category<category_type>,
                  "modhook: register_callbacks: the argument must be a category declared with MODHOOK_CALLBACKS");
    if constexpr (!holds<category_type>) {
      // diagnostics: site category (written by scripts/diagnostics.py from its table)
#if defined(__clang__)
      static_assert(diagnostic::registry_holds_the_category<category_type, registry>,
                    "modhook: this registry does not hold the category");
#else
      static_assert(
          std::is_void_v<decltype(error::this_registry_does_not_hold_the_category<category_type, registry>())>);
#endif
      // diagnostics: end
      return {};
    } else {
      detail::load_guard lock(mutex_);
      if (sealed()) return unexpected(registration_error{registration_error::kind::sealed, modules_[index]->name, {}});
      if (auto refused = exclusive_refusal(module(index), callbacks, category_type::modhook_members())) {
        // The load fails too, even if the module lets the error go: the host must hear of it.
        if (loading_ && index == modules_.size() - 1 && !refused_while_loading_) refused_while_loading_ = *refused;
        return unexpected(std::move(*refused));
      }
      append(module(index), static_cast<C&&>(callbacks), category_type::modhook_members());
      return {};
    }
  }

  template <auto Member, class W>
  [[nodiscard]] expected<void, registration_error> add_wrapper(std::size_t index, W&& wrapper) {
    using slot = slot_of<Member>;
    if constexpr (!holds<category_of<Member>>) {
      reject_callback_of<slot>();
      return {};
    } else if constexpr (!slot::modhook_declared || !detail::check_wrapper<slot, std::decay_t<W>>()) {
      return {};
    } else {
      using result = detail::dispatch_result_t<slot>;
      using signature = typename detail::wrapper_list<result, typename slot::signature>::signature;
      detail::erased<signature> callable(std::in_place, static_cast<W&&>(wrapper)); // (the module's code, unlocked)
      detail::load_guard lock(mutex_);
      if (sealed()) return unexpected(registration_error{registration_error::kind::sealed, modules_[index]->name, {}});
      if (!callable) return {}; // an empty callable wraps nothing, as an unset callback registers nothing
      auto& callbacks = store<slot>();
      callbacks.template wrapper_list_of<result>().append(module(index), std::move(callable));
      callbacks.wrappers_changed();
      return {};
    }
  }

  // Why `callbacks` may not be added, if one of them is exclusive and implemented already:
  // checked for all before any is added, so that a refused registration adds nothing.
  template <class C, auto... Members>
  std::optional<registration_error> exclusive_refusal([[maybe_unused]] module_ref who,
                                                      [[maybe_unused]] const C& callbacks,
                                                      detail::member_list<0, Members...>) const {
    std::optional<registration_error> refused;
    (
        [&] {
          using slot = slot_of<Members>;
          if constexpr (detail::is_exclusive<typename slot::policy>) {
            const auto& taken = store<slot>();
            if (!refused && callbacks.*Members && taken.size() != 0)
              refused = registration_error::exclusive_taken(std::string(who.name), slot::category_name,
                                                            slot::callback_name, taken.modules.front().name);
          }
        }(),
        ...);
    return refused;
  }

  template <class C, auto... Members>
  void append([[maybe_unused]] module_ref who, [[maybe_unused]] C&& callbacks, detail::member_list<0, Members...>) {
    (append_one<Members>(who, static_cast<C&&>(callbacks).*Members), ...);
  }

  template <auto Member, class Slot>
  void append_one(module_ref who, Slot&& slot) {
    using signature = typename slot_of<Member>::signature;
    if (slot) store<slot_of<Member>>().append(who, detail::erased<signature>(static_cast<Slot&&>(slot)));
  }

  template <class Slot>
  detail::callback_store<typename Slot::signature>& store() noexcept {
    return static_cast<detail::slot_store<Slot>&>(stores_);
  }
  template <class Slot>
  const detail::callback_store<typename Slot::signature>& store() const noexcept {
    return static_cast<const detail::slot_store<Slot>&>(stores_);
  }

  struct stores : detail::category_store<Categories>... {};

  stores stores_;
  detail::erased<void(const failure<>&)> failure_handler_;
  detail::placement_book placements_;
  std::vector<detail::owned<module_record>> modules_;
  detail::load_lock mutex_;
  detail::sealed_flag sealed_;
  bool loading_ = false;                                    // a module is being constructed (guarded by mutex_)
  std::optional<registration_error> refused_while_loading_; // the loading module's refused registration
  const std::string* deferred_ = nullptr; // the loading module, whose own placements wait (see placement_book::find)
};

MODHOOK_END_NAMESPACE

#endif
