// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_LIVE_REGISTRY_HPP
#define MODHOOK_LIVE_REGISTRY_HPP

#include <modhook/registry.hpp>
#include <modhook/qsbr.hpp>
#include <modhook/detail/rcu.hpp>

#include <algorithm>
#include <atomic>
#include <numeric>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

MODHOOK_BEGIN_NAMESPACE

/// A loaded module as a live registry lists it.
struct live_module {
  std::string name;
  std::size_t id = 0; ///< the module_ref index: unique for the registry's life, never reused
  bool enabled = true;
};

namespace detail {
// How a live registry knows that no dispatch can reach a set any longer.
struct epoch_reclamation { // read sections marked with an epoch; a change waits for them (rcu.hpp)
  using read_guard = rcu::read_guard;
  static constexpr bool polls = false;
  static constexpr const char* registry_name() noexcept { return "modhook::live_registry"; }
};
struct qsbr_reclamation { // registered threads announce quiescent states; a change never waits (qsbr.hpp)
  using read_guard = qsbr::read_guard;
  static constexpr bool polls = true;
  static constexpr const char* registry_name() noexcept { return "modhook::qsbr_registry"; }
};
} // namespace detail

/// A registry whose modules change while the host dispatches: live_registry and qsbr_registry
/// (below) are its two kinds, which differ in how they know that no dispatch can reach a
/// replaced module any longer.
template <class Reclamation, class... Categories>
class basic_live_registry : public detail::observer_holder_of<Categories...> { // (its observer, if an option names one)
  using live_registry = basic_live_registry; // (the name the messages and the members use)
  static_assert(((category<Categories> || detail::is_registry_option<Categories>)&&...),
                "modhook: live_registry<...>: every category must be a struct declared with MODHOOK_CALLBACKS");
  static_assert(((detail::count_of<Categories, Categories...> == 1) && ...),
                "modhook: live_registry<...>: a category is listed more than once");
  static_assert(detail::observer_count<Categories...> <= 1,
                "modhook: live_registry<...>: at most one modhook::observed_by option");
  struct stores : detail::category_store<Categories>... {};
  struct module_record;
  struct module_set;
  class set_pin;
  struct state;

public:
  using api = module_api<live_registry>;
  using typename detail::observer_holder_of<Categories...>::observer_type;

private:
  // What a dispatch tells module calls to: the observer, or nothing (a module set keeps it).
  using typename detail::observer_holder_of<Categories...>::watch_type;
  using detail::observer_holder_of<Categories...>::watch;

public:
  using instance_ptr = detail::owned_handle;
  class editor;

  basic_live_registry() : current_(new module_set(*this)) {}
  basic_live_registry(const basic_live_registry&) = delete; // modules hold a module_api that points here
  basic_live_registry& operator=(const basic_live_registry&) = delete;
  /// Unloads every module (in reverse load order, once no dispatch can reach it). Destroy the
  /// registry only when no dispatch of it is running or suspended.
  ~basic_live_registry() {
    module_set* last = nullptr;
    std::vector<loaded> modules;
    {
      detail::load_guard lock(mutex_);
      last = current_.exchange(nullptr, std::memory_order_acq_rel);
      modules.swap(state_.modules);
    }
    retire(last);
    drain_retired();
    // The sets are gone: the last references, dropped in reverse load order, destroy the
    // modules in that order, enabled or not.
    while (!modules.empty()) modules.pop_back();
  }

  /// Runs `edit(editor&)`, which loads, unloads, replaces, enables, disables and places
  /// modules, and returns expected<void, registration_error>: on success the new module set is
  /// published at once; on any refusal (the one `edit` returns, or a cycle among the
  /// placements) nothing changes, and the modules the change loaded are destroyed. Changes
  /// are serialized; one made from inside a dispatch is published at once and its old set
  /// retired by the next change made outside any dispatch.
  template <class Edit>
  [[nodiscard]] expected<void, registration_error> change(Edit&& edit) {
    static_assert(std::is_invocable_r_v<expected<void, registration_error>, Edit&, editor&>,
                  "modhook: live_registry::change(edit): edit must be callable as edit(editor&) and return "
                  "expected<void, registration_error>");
    module_set* old = nullptr;
    {
      detail::load_guard lock(mutex_);
      if (editing_) return unexpected(registration_error{registration_error::kind::nested_load, "<change>", {}});
      state next = state_;
      editor e(*this, next);
      struct editing_guard {
        editor*& slot;
        ~editing_guard() { slot = nullptr; }
      } guard{editing_ = &e};
      if (auto done = edit(e); !done) return done;
      auto built = build(next, e.subject_, e.introduced_);
      if (!built) return unexpected(std::move(built).error());
      state_ = std::move(next);
      old = current_.exchange(*built, std::memory_order_acq_rel);
    }
    retire(old);
    return {};
  }

  /// Loads one module (as editor::load): a change of its own.
  template <class M, class... Args>
  [[nodiscard]] expected<module_ref, registration_error> load(std::string_view name, Args&&... args) {
    return single([&](editor& e) { return e.template load<M>(name, static_cast<Args&&>(args)...); });
  }
  template <class Setup>
    requires std::invocable<Setup&, api&>
  [[nodiscard]] expected<module_ref, registration_error> load(std::string_view name, Setup&& setup) {
    return single([&](editor& e) { return e.load(name, setup); });
  }
  template <class Loader>
  [[nodiscard]] expected<module_ref, registration_error> load_from(std::string_view name, Loader&& loader) {
    return single([&](editor& e) { return e.load_from(name, loader); });
  }
  template <class Loader>
  [[nodiscard]] expected<module_ref, registration_error> replace_from(std::string_view name, Loader&& loader) {
    return single([&](editor& e) { return e.replace_from(name, loader); });
  }
  /// Replaces the module `name` by a new M, in the same place in load order: a change of its own.
  template <class M, class... Args>
  [[nodiscard]] expected<module_ref, registration_error> replace(std::string_view name, Args&&... args) {
    return single([&](editor& e) { return e.template replace<M>(name, static_cast<Args&&>(args)...); });
  }
  [[nodiscard]] expected<void, registration_error> unload(std::string_view name) {
    return change([&](editor& e) { return e.unload(name); });
  }
  [[nodiscard]] expected<void, registration_error> enable(std::string_view name) {
    return change([&](editor& e) { return e.enable(name); });
  }
  [[nodiscard]] expected<void, registration_error> disable(std::string_view name) {
    return change([&](editor& e) { return e.disable(name); });
  }
  [[nodiscard]] expected<void, registration_error> place(std::string_view name, placement where) {
    return change([&](editor& e) { return e.place(name, std::move(where)); });
  }
  template <auto Member>
    requires callback_member<Member>
  [[nodiscard]] expected<void, registration_error> place(std::string_view name, placement where) {
    return change([&](editor& e) { return e.template place<Member>(name, std::move(where)); });
  }

  /// Receives every module failure seen by any dispatch. Refused once a module is loaded.
  template <class Handler>
  [[nodiscard]] expected<void, registration_error> on_failure(Handler&& handler) {
    static_assert(diagnostic::failure_handler_takes_a_failure<std::remove_cvref_t<Handler>>,
                  "modhook: on_failure(handler): the handler must be callable as handler(const modhook::failure<>&)");
    detail::load_guard lock(mutex_);
    if (next_id_ != 0) return unexpected(registration_error{registration_error::kind::sealed, "<failure handler>", {}});
    failure_handler_ = detail::erased<void(const failure<>&)>(std::in_place, static_cast<Handler&&>(handler));
    return {};
  }

  /// The loaded modules, in load order, enabled or not.
  std::vector<live_module> modules() const {
    detail::load_guard lock(mutex_);
    std::vector<live_module> out;
    for (const auto& m : state_.modules) out.push_back({std::string(m.record->name), m.record->id, m.enabled});
    return out;
  }

  /// The modules that implement a callback in the current set, in call order.
  template <auto Member>
    requires callback_member<Member>
  std::vector<std::string> order() const {
    static_assert(holds<category_of<Member>>, "modhook: this registry does not hold the callback's category");
    typename Reclamation::read_guard guard;
    const auto& callbacks = store<slot_of<Member>>(current_.load(std::memory_order_acquire)->callbacks);
    std::vector<std::string> out;
    for (const auto& m : callbacks.modules) out.emplace_back(m.name);
    return out;
  }
  template <auto Member>
    requires callback_member<Member>
  std::size_t implementation_count() const noexcept {
    static_assert(holds<category_of<Member>>, "modhook: this registry does not hold the callback's category");
    typename Reclamation::read_guard guard;
    return store<slot_of<Member>>(current_.load(std::memory_order_acquire)->callbacks).size();
  }

  /// As registry::dispatch, over the module set current when the dispatch begins.
  template <auto Member, class... Args>
    requires callback_member<Member>
  MODHOOK_ALWAYS_INLINE auto dispatch(Args&&... args) const ->
      typename detail::registry_dispatch_return<live_registry, slot_of<Member>, Args...>::type {
    using slot = slot_of<Member>;
    static_assert(holds<category_of<Member>>, "modhook: this registry does not hold the callback's category");
    if constexpr (!holds<category_of<Member>> || !slot::modhook_declared) {
      return {};
    } else if constexpr (!slot::template modhook_accepts<Args...>) {
      slot::template modhook_reject_dispatch<Args...>();
      return {};
    } else {
      using signature = detail::signature<typename slot::signature>;
      if constexpr (detail::awaits_in_place<typename signature::task>) {
        using awaitable = typename detail::registry_dispatch_return<live_registry, slot, Args...>::type;
        return awaitable(std::in_place, this, signature::prepare_owned(static_cast<Args&&>(args)...));
      } else if constexpr (signature::is_async) {
        set_pin pin = pin_current();
        const auto& callbacks = store<slot>(pin->callbacks);
        const watch_type watching = pin->watch;
        return detail::async_dispatch<detail::shape_of<slot>>(
            callbacks, callbacks.first, callbacks.last, std::move(pin),
            signature::prepare_owned(static_cast<Args&&>(args)...), std::index_sequence_for<Args...>{}, watching);
      } else {
        typename Reclamation::read_guard guard;
        auto prepared = signature::prepare(static_cast<Args&&>(args)...);
        return run<slot>(*current_.load(std::memory_order_acquire), prepared, std::index_sequence_for<Args...>{});
      }
    }
  }

  /// A hold on the module set current when it was taken: its modules, and their libraries,
  /// stay alive for as long as a snapshot of it does, whatever changes meanwhile. For module
  /// code a host runs outside a dispatch (a handler a module gave it, which may suspend).
  /// Copying one costs an atomic increment; dropping it, a decrement.
  class snapshot;
  /// The current module set, held (see snapshot).
  snapshot hold() const noexcept { return snapshot(pin_current()); }

  /// (qsbr_registry) Frees the module sets, and destroys the modules, that no dispatch can
  /// reach any longer: those replaced before every online registered thread announced a
  /// quiescent state. Each change does it too. Returns how many replaced sets still wait.
  std::size_t reclaim()
    requires(Reclamation::polls)
  {
    return reclaim_ready();
  }

  /// Whether this registry holds category C.
  template <class C>
  static constexpr bool holds = detail::is_one_of<C, Categories...>;

  /// A change under way (see change()): what it does is published when the change returns.
  class editor {
  public:
    using owner_type = live_registry;
    using api = live_registry::api;
    using instance_ptr = live_registry::instance_ptr;
    template <class C>
    static constexpr bool holds = live_registry::holds<C>;

    /// Constructs a module of type M from (args..., api&), under `name`, after the others in
    /// load order. Refused when the name is empty or taken, or the constructor throws.
    template <class M, class... Args>
    [[nodiscard]] expected<module_ref, registration_error> load(std::string_view name, Args&&... args) {
      static_assert(diagnostic::module_is_constructible_from_its_arguments_and_the_api<M, live_registry, Args...>,
                    "modhook: load<M>(name, args...): M must be constructible from (args..., "
                    "modhook::module_api<live_registry>&)");
      return add(name, std::nullopt, {}, [&](api& handle, instance_ptr& instance) {
        instance =
            instance_ptr(new M(static_cast<Args&&>(args)..., handle), [](void* p) { delete static_cast<M*>(p); });
      });
    }
    /// A module without a class: `setup(api)` registers its callbacks.
    template <class Setup>
      requires std::invocable<Setup&, api&>
    [[nodiscard]] expected<module_ref, registration_error> load(std::string_view name, Setup&& setup) {
      return add(name, std::nullopt, {}, [&](api& handle, instance_ptr&) { setup(handle); });
    }
    /// As registry::load_from: `loader.open()` may refuse, else what it returns stays open
    /// until the module is destroyed; `loader.construct(api&)` makes the module.
    template <class Loader>
    [[nodiscard]] expected<module_ref, registration_error> load_from(std::string_view name, Loader&& loader) {
      if (auto refused = owner_->refusal(next_, name, std::nullopt)) return unexpected(std::move(*refused));
      expected<instance_ptr, registration_error> opened = loader.open();
      if (!opened) return unexpected(std::move(opened).error());
      return add(name, std::nullopt, std::move(*opened),
                 [&](api& handle, instance_ptr& instance) { instance = loader.construct(handle); });
    }
    /// Replaces the module `name` with a new M under the same name and in its place.
    template <class M, class... Args>
    [[nodiscard]] expected<module_ref, registration_error> replace(std::string_view name, Args&&... args) {
      const auto at = owner_->find(next_, name);
      if (!at) return unexpected(registration_error{registration_error::kind::not_loaded, std::string(name), {}});
      return add(name, at, {}, [&](api& handle, instance_ptr& instance) {
        instance =
            instance_ptr(new M(static_cast<Args&&>(args)..., handle), [](void* p) { delete static_cast<M*>(p); });
      });
    }
    template <class Loader>
    [[nodiscard]] expected<module_ref, registration_error> replace_from(std::string_view name, Loader&& loader) {
      const auto at = owner_->find(next_, name);
      if (!at) return unexpected(registration_error{registration_error::kind::not_loaded, std::string(name), {}});
      expected<instance_ptr, registration_error> opened = loader.open();
      if (!opened) return unexpected(std::move(opened).error());
      return add(name, at, std::move(*opened),
                 [&](api& handle, instance_ptr& instance) { instance = loader.construct(handle); });
    }
    /// Takes the module out: it is destroyed once no dispatch can reach it.
    [[nodiscard]] expected<void, registration_error> unload(std::string_view name) {
      const auto at = owner_->find(next_, name);
      if (!at) return unexpected(registration_error{registration_error::kind::not_loaded, std::string(name), {}});
      next_.modules.erase(next_.modules.begin() + static_cast<std::ptrdiff_t>(*at));
      next_.placements.forget_own(name);
      subject_ = name;
      return {};
    }
    /// Stops calling the module's callbacks (it stays loaded), or calls them again.
    [[nodiscard]] expected<void, registration_error> enable(std::string_view name) { return set_enabled(name, true); }
    [[nodiscard]] expected<void, registration_error> disable(std::string_view name) { return set_enabled(name, false); }
    /// The host's placement of the module `name` (loaded or to be), as registry::place.
    [[nodiscard]] expected<void, registration_error> place(std::string_view name, placement where) {
      next_.placements.add(detail::placement_record{std::string(name), std::nullopt, true, std::move(where)});
      subject_ = name;
      return {};
    }
    template <auto Member>
      requires callback_member<Member>
    [[nodiscard]] expected<void, registration_error> place(std::string_view name, placement where) {
      static_assert(holds<category_of<Member>>,
                    "modhook: place<Member>: this registry does not hold the callback's category");
      next_.placements.add(detail::placement_record{std::string(name), callback_name<Member>, true, std::move(where)});
      subject_ = name;
      return {};
    }

    /// Withdraws every placement the host gave the module `name` (for all callbacks or one):
    /// its own placements, if it is loaded, then decide, or load order.
    [[nodiscard]] expected<void, registration_error> unplace(std::string_view name) {
      next_.placements.forget_host(name);
      subject_ = name;
      return {};
    }

  private:
    friend live_registry;
    editor(live_registry& owner, state& next) noexcept : owner_(&owner), next_(next) {}

    template <class Construct>
    expected<module_ref, registration_error> add(std::string_view name, std::optional<std::size_t> replacing,
                                                 instance_ptr library, Construct&& construct) {
      if (!replacing)
        if (auto refused = owner_->refusal(next_, name, std::nullopt)) return unexpected(std::move(*refused));
      subject_ = name;
      auto record = owner_->make_record(name, std::move(library));
      loading_ = record.get();
      refused_.reset();
      struct loading_guard {
        module_record*& slot;
        ~loading_guard() { slot = nullptr; }
      } guard{loading_};
#if MODHOOK_HAS_EXCEPTIONS
      try {
        construct(record->handle, record->instance);
      } catch (...) {
        next_.placements.forget_own(name);
        // A refused registration the module threw about is the reason it gives.
        if (refused_) return unexpected(std::move(*refused_));
        return unexpected(
            registration_error{registration_error::kind::module_threw, std::string(name), std::current_exception()});
      }
#else
      construct(record->handle, record->instance);
#endif
      if (refused_) { // even if the module let the error go: the host must hear of it
        next_.placements.forget_own(name);
        return unexpected(std::move(*refused_));
      }
      const module_ref ref{record->id, record->name};
      introduced_.emplace_back(name);
      if (replacing) {
        // The old module's own placements go with it; the new one's stay.
        next_.modules[*replacing] = {std::move(record), next_.modules[*replacing].enabled};
      } else {
        next_.modules.push_back({std::move(record), true});
      }
      return ref;
    }

    expected<void, registration_error> set_enabled(std::string_view name, bool on) {
      const auto at = owner_->find(next_, name);
      if (!at) return unexpected(registration_error{registration_error::kind::not_loaded, std::string(name), {}});
      next_.modules[*at].enabled = on;
      subject_ = name;
      if (on) introduced_.emplace_back(name);
      return {};
    }

    live_registry* owner_;
    state& next_;
    module_record* loading_ = nullptr;          // the module whose constructor is running
    std::optional<registration_error> refused_; // a registration of the loading module refused
    std::string subject_;                       // the module the last step named: the one a cycle blames
    std::vector<std::string> introduced_;       // the modules it loaded, replaced or enabled (an exclusive refusal's)
  };

private:
  friend api;

  // A module, shared by every set that can call it: destroyed with the last of them. Its
  // callbacks go first, then the instance, then the library their code is in.
  struct module_record {
    module_record(live_registry& owner, std::string_view n, std::size_t i, instance_ptr lib)
        : name(owner.intern(n)), id(i), handle(owner.make_api(this)), library(std::move(lib)) {}
    module_record(const module_record&) = delete;
    module_record& operator=(const module_record&) = delete;
    std::string_view name; // interned: see names_
    std::size_t id;
    api handle;
    instance_ptr library{nullptr, nullptr};
    instance_ptr instance{nullptr, nullptr};
    stores callbacks; // the implementations it registered, each callback's in its own store
  };

  struct loaded {
    std::shared_ptr<module_record> record;
    bool enabled = true;
  };
  struct state {
    std::vector<loaded> modules{}; // in load order
    detail::placement_book placements{};
  };

  // What a dispatch sees: each callback's implementations in call order, borrowed from the
  // modules it keeps alive. Immutable once published; freed by its last holder.
  struct module_set {
    explicit module_set(const live_registry& owner) noexcept : sink(owner.sink()), watch(owner.watch()) {
      (static_cast<detail::category_store<Categories>&>(callbacks).set_sink(owner.sink()), ...);
    }
    module_set(const module_set&) = delete;
    module_set& operator=(const module_set&) = delete;
    ~module_set() {
      while (!modules.empty()) modules.pop_back(); // unloaded in reverse load order
    }
    stores callbacks;
    detail::failure_sink sink;
    [[no_unique_address]] watch_type watch; // the registry's observer, if any
    std::vector<std::shared_ptr<module_record>> modules{};
    std::atomic<std::size_t> holders{1}; // the registry (until retired) and asynchronous dispatches
  };

  // An asynchronous dispatch's hold on its set: kept in its frame as the driver's sink (or in
  // the awaitable of a dispatch that may not suspend).
  class set_pin {
  public:
    set_pin() noexcept = default;
    explicit set_pin(module_set* set) noexcept : set_(set) {}
    set_pin(set_pin&& other) noexcept : set_(std::exchange(other.set_, nullptr)) {}
    set_pin& operator=(set_pin other) noexcept {
      std::swap(set_, other.set_);
      return *this;
    }
    ~set_pin() {
      if (set_) release(set_);
    }
    module_set* operator->() const noexcept { return set_; }
    detail::failure_sink get() const noexcept { return set_->sink; }
    bool held() const noexcept { return set_ != nullptr; }
    set_pin copy() const noexcept {
      if (set_) set_->holders.fetch_add(1, std::memory_order_relaxed);
      return set_pin(set_);
    }

  private:
    module_set* set_ = nullptr;
  };

public:
  class snapshot {
  public:
    snapshot() noexcept = default;
    snapshot(const snapshot& other) noexcept : pin_(other.pin_.copy()) {}
    snapshot(snapshot&&) noexcept = default;
    snapshot& operator=(snapshot other) noexcept {
      pin_ = std::move(other.pin_);
      return *this;
    }
    ~snapshot() = default;
    explicit operator bool() const noexcept { return pin_.held(); }
    /// The names of the modules it holds, in load order, enabled or not.
    std::vector<std::string> module_names() const {
      std::vector<std::string> out;
      if (pin_.held())
        for (const auto& m : pin_->modules) out.emplace_back(m->name);
      return out;
    }

  private:
    friend live_registry;
    explicit snapshot(set_pin pin) noexcept : pin_(std::move(pin)) {}
    set_pin pin_;
  };

private:
  template <class, class, class>
  friend struct detail::live_dispatch;

  static void release(module_set* set) noexcept {
    if (set->holders.fetch_sub(1, std::memory_order_acq_rel) == 1) delete set;
  }

  set_pin pin_current() const noexcept {
    typename Reclamation::read_guard guard;
    module_set* set = current_.load(std::memory_order_acquire);
    set->holders.fetch_add(1, std::memory_order_relaxed); // (the read section keeps it alive until here)
    return set_pin(set);
  }

  // Frees a set no longer current once no dispatch can reach it. With epochs: inside a
  // dispatch (a module changing the registry), waiting would wait for itself, so the set
  // waits for the next change made outside any, or for the registry's end. With QSBR: the set
  // waits for the end of its grace period, which a later change or reclaim() sees.
  void retire(module_set* old) {
    if (!old) return;
    if constexpr (Reclamation::polls) {
      {
        detail::load_guard lock(mutex_);
        retired_.push_back({old, detail::qsbr::begin_grace()});
      }
      reclaim_ready();
    } else {
      if (detail::rcu::read_guard::active()) {
        detail::load_guard lock(mutex_);
        retired_.push_back({old, 0});
        return;
      }
      std::vector<retired_set> sets;
      {
        detail::load_guard lock(mutex_);
        sets.swap(retired_);
      }
      sets.push_back({old, 0});
      detail::rcu::synchronize();
      for (const retired_set& r : sets) release(r.set);
    }
  }
  std::size_t reclaim_ready() {
    std::vector<module_set*> ready;
    std::size_t waiting = 0;
    {
      detail::load_guard lock(mutex_);
      std::erase_if(retired_, [&](const retired_set& r) {
        if (!detail::qsbr::grace_over(r.grace)) return false;
        ready.push_back(r.set);
        return true;
      });
      waiting = retired_.size();
    }
    for (module_set* set : ready) release(set); // (modules' destructors run outside the lock)
    return waiting;
  }
  // At the registry's end, when no dispatch runs.
  void drain_retired() {
    std::vector<retired_set> sets;
    {
      detail::load_guard lock(mutex_);
      sets.swap(retired_);
    }
    if (sets.empty()) return;
    if constexpr (!Reclamation::polls) detail::rcu::synchronize();
    for (const retired_set& r : sets) release(r.set);
  }

  template <class Step>
  expected<module_ref, registration_error> single(Step&& step) {
    std::optional<module_ref> ref;
    auto done = change([&](editor& e) -> expected<void, registration_error> {
      auto r = step(e);
      if (!r) return unexpected(std::move(r).error());
      ref = *r;
      return {};
    });
    if (!done) return unexpected(std::move(done).error());
    return *ref;
  }

  // A module's api knows its record by address: the api lives in the record, so the address is
  // good for as long as the api is, and naming the module takes no lock.
  static_assert(sizeof(std::uintptr_t) <= sizeof(std::size_t));
  api make_api(module_record* record) noexcept { return api(*this, reinterpret_cast<std::uintptr_t>(record)); }
  static module_record* record_of(std::size_t key) noexcept { return reinterpret_cast<module_record*>(key); }
  module_ref module(std::size_t key) const noexcept {
    const module_record* r = record_of(key);
    return {r->id, r->name};
  }

  // Every module name this registry has seen, kept to its end: the names in dispatch results
  // and failures (module_ref) stay valid after their module is unloaded. Bounded by the
  // distinct names, not by the loads.
  std::string_view intern(std::string_view name) { return *names_.emplace(name).first; }

  std::shared_ptr<module_record> make_record(std::string_view name, instance_ptr library) {
    return std::make_shared<module_record>(*this, name, next_id_++, std::move(library));
  }

  static std::optional<std::size_t> find(const state& s, std::string_view name) noexcept {
    for (std::size_t i = 0; i < s.modules.size(); ++i)
      if (s.modules[i].record->name == name) return i;
    return std::nullopt;
  }

  static std::optional<registration_error> refusal(const state& s, std::string_view name, std::nullopt_t) {
    using kind = registration_error::kind;
    if (name.empty()) return registration_error{kind::empty_module_name, {}, {}};
    if (find(s, name)) return registration_error{kind::duplicate_module_name, std::string(name), {}};
    return std::nullopt;
  }

  // The set a state makes: each callback's implementations, enabled modules only, in the
  // order the placements give (load order where they leave it free); or the cycle they make.
  // A disabled module is ordered as a module that implements nothing: constraints pass
  // through it, and enabling it again cannot make a cycle.
  expected<module_set*, registration_error> build(const state& next, const std::string& subject,
                                                  const std::vector<std::string>& introduced = {}) const {
    auto set = std::make_unique<module_set>(*this);
    std::vector<std::string_view> names;
    for (const auto& m : next.modules) {
      names.push_back(m.record->name);
      set->modules.push_back(m.record); // disabled ones too: a snapshot holds every loaded module
    }
    std::optional<registration_error> refused;
    const auto fill = [&](auto slot_id) {
      using slot = typename decltype(slot_id)::type;
      if (refused) return;
      auto& into = store<slot>(set->callbacks);
      std::vector<std::size_t> by(names.size());
      std::iota(by.begin(), by.end(), std::size_t{0});
      if (!next.placements.empty()) {
        auto order = next.placements.order(into.callback, names);
        if (!order.cycle.empty()) {
          // The change's last step is blamed when its module is in the cycle; else the module
          // the cycle is read from.
          const bool named = std::find(order.in_cycle.begin(), order.in_cycle.end(), subject) != order.in_cycle.end();
          refused = registration_error{registration_error::kind::order_cycle,
                                       named ? subject : std::string(order.in_cycle.front()),
                                       {},
                                       std::move(order.cycle)};
          return;
        }
        std::sort(by.begin(), by.end(), [&](std::size_t a, std::size_t b) { return order.rank[a] < order.rank[b]; });
      }
      for (const std::size_t m : by) {
        if (!next.modules[m].enabled) continue;
        const auto& from = store<slot>(next.modules[m].record->callbacks);
        for (std::size_t k = 0; k < from.size(); ++k)
          into.borrow(from.modules[k], from.entries[k], from.is_coroutine(k));
        if (from.wrapped()) {
          using result = detail::dispatch_result_t<slot>;
          const auto& wrappers = from.template wrapper_list_of<result>();
          for (std::size_t k = 0; k < wrappers.size(); ++k)
            into.template wrapper_list_of<result>().borrow(wrappers.modules[k], wrappers.targets[k]);
          into.wrappers_changed();
        }
      }
      // Two enabled modules that implement an exclusive callback meet here. The one the change
      // brought in (loaded, replaced or enabled) is refused, naming the other; if both or
      // neither, the later loaded.
      if constexpr (detail::is_exclusive<typename slot::policy>) {
        if (into.size() > 1) {
          const auto brought = [&](const module_ref& m) {
            return std::find(introduced.begin(), introduced.end(), m.name) != introduced.end();
          };
          const module_ref& a = into.modules[0];
          const module_ref& b = into.modules[1];
          const bool blame_a = brought(a) != brought(b) ? brought(a) : a.index > b.index;
          refused = registration_error::exclusive_taken(std::string((blame_a ? a : b).name), slot::category_name,
                                                        slot::callback_name, (blame_a ? b : a).name);
        }
      }
    };
    (detail::category_store<Categories>::each_slot(fill), ...);
    if (refused) return unexpected(std::move(*refused));
    return set.release();
  }

  template <class C>
  [[nodiscard]] expected<void, registration_error> register_callbacks(std::size_t key, C&& callbacks) {
    using category_type = std::remove_cvref_t<C>;
    static_assert(category<category_type>,
                  "modhook: register_callbacks: the argument must be a category declared with MODHOOK_CALLBACKS");
    static_assert(holds<category_type>, "modhook: this registry does not hold the category");
    if constexpr (holds<category_type>) {
      detail::load_guard lock(mutex_);
      module_record* r = record_of(key);
      if (!editing_ || editing_->loading_ != r)
        return unexpected(registration_error{registration_error::kind::not_loading, std::string(r->name), {}});
      // (Another module's implementation of an exclusive callback is met in build().)
      if (auto refused =
              exclusive_refusal({r->id, r->name}, r->callbacks, callbacks, category_type::modhook_members())) {
        if (!editing_->refused_) editing_->refused_ = *refused;
        return unexpected(std::move(*refused));
      }
      append({r->id, r->name}, r->callbacks, static_cast<C&&>(callbacks), category_type::modhook_members());
    }
    return {};
  }

  template <auto Member, class W>
  [[nodiscard]] expected<void, registration_error> add_wrapper(std::size_t key, W&& wrapper) {
    using slot = slot_of<Member>;
    static_assert(holds<category_of<Member>>, "modhook: this registry does not hold the callback's category");
    if constexpr (holds<category_of<Member>> && slot::modhook_declared &&
                  detail::check_wrapper<slot, std::decay_t<W>>()) {
      using result = detail::dispatch_result_t<slot>;
      using signature = typename detail::wrapper_list<result, typename slot::signature>::signature;
      detail::erased<signature> callable(std::in_place, static_cast<W&&>(wrapper));
      detail::load_guard lock(mutex_);
      module_record* r = record_of(key);
      if (!editing_ || editing_->loading_ != r)
        return unexpected(registration_error{registration_error::kind::not_loading, std::string(r->name), {}});
      if (!callable) return {}; // an empty callable wraps nothing
      auto& own = store<slot>(r->callbacks);
      own.template wrapper_list_of<result>().append({r->id, r->name}, std::move(callable));
      own.wrappers_changed();
    }
    return {};
  }

  // A module's second implementation of an exclusive callback (two registrations of it).
  template <class C, auto... Members>
  static std::optional<registration_error>
  exclusive_refusal([[maybe_unused]] module_ref who, [[maybe_unused]] const stores& own,
                    [[maybe_unused]] const C& callbacks, detail::member_list<0, Members...>) {
    std::optional<registration_error> refused;
    (
        [&] {
          using slot = slot_of<Members>;
          if constexpr (detail::is_exclusive<typename slot::policy>)
            if (!refused && callbacks.*Members && store<slot>(own).size() != 0)
              refused = registration_error::exclusive_taken(std::string(who.name), slot::category_name,
                                                            slot::callback_name, who.name);
        }(),
        ...);
    return refused;
  }

  template <class C, auto... Members>
  static void append([[maybe_unused]] module_ref who, [[maybe_unused]] stores& into, [[maybe_unused]] C&& callbacks,
                     detail::member_list<0, Members...>) {
    (append_one<Members>(who, into, static_cast<C&&>(callbacks).*Members), ...);
  }
  template <auto Member, class Slot>
  static void append_one(module_ref who, stores& into, Slot&& slot) {
    using signature = typename slot_of<Member>::signature;
    if (slot) store<slot_of<Member>>(into).append(who, detail::erased<signature>(static_cast<Slot&&>(slot)));
  }

  // A module's own placement (module_api::place): while a change is under way (its load, say),
  // part of that change; later, a change of its own.
  expected<void, registration_error> add_placement(std::string module, std::optional<callback_ref> callback,
                                                   bool by_host, placement where) {
    detail::placement_record record{std::move(module), callback, by_host, std::move(where)};
    {
      detail::load_guard lock(mutex_);
      if (editing_) {
        editing_->next_.placements.add(std::move(record));
        return {};
      }
    }
    // A change of its own, which retires the old set outside the lock: waiting for readers
    // under it would deadlock with a reader that asks for the modules (modules()).
    return change([&](editor& e) -> expected<void, registration_error> {
      e.subject_ = record.module;
      e.next_.placements.add(std::move(record));
      return {};
    });
  }

  template <class Slot, class Prepared, std::size_t... I>
  MODHOOK_ALWAYS_INLINE static detail::dispatch_result_t<Slot> run(const module_set& set, Prepared& prepared,
                                                                   std::index_sequence<I...> args) {
    return detail::run_store<detail::shape_of<Slot>>(store<Slot>(set.callbacks), prepared, args, set.watch);
  }

  template <class Slot>
  static detail::callback_store<typename Slot::signature>& store(stores& s) noexcept {
    return static_cast<detail::slot_store<Slot>&>(s);
  }
  template <class Slot>
  static const detail::callback_store<typename Slot::signature>& store(const stores& s) noexcept {
    return static_cast<const detail::slot_store<Slot>&>(s);
  }

  detail::failure_sink sink() const noexcept {
    return {&detail::report<decltype(failure_handler_)>, &failure_handler_};
  }
  std::atomic<module_set*> current_;
  detail::erased<void(const failure<>&)> failure_handler_;
  mutable detail::load_lock mutex_; // serializes changes (recursive: a module's constructor registers under it)
  state state_;                     // the modules and placements of the current set (guarded by mutex_)
  editor* editing_ = nullptr;       // the change under way (guarded by mutex_)
  std::size_t next_id_ = 0;
  struct retired_set {
    module_set* set;
    std::uint64_t grace; // (QSBR) the grace period after which no dispatch can reach it
  };
  std::vector<retired_set> retired_;         // sets retired and not yet freed (see retire)
  std::set<std::string, std::less<>> names_; // (guarded by mutex_)
};

/// The registry whose modules change while the host dispatches: load, unload, replace, enable,
/// disable and place them at any time, from any thread. Every change builds a new immutable
/// module set and publishes it with one pointer; a dispatch uses the set that was current when
/// it began, to its end (an asynchronous one across its suspensions). A replaced or unloaded
/// module is destroyed, and its library closed, once no dispatch can reach it. A change is all
/// or nothing: refused, it leaves the running set as it was.
///
/// A synchronous dispatch takes no lock and makes no atomic read-modify-write: it marks its
/// thread with an epoch (a thread-local store) and loads the set's pointer (read-copy-update).
/// An asynchronous dispatch holds its set by a reference count: one atomic increment and one
/// decrement per dispatch.
template <class... Categories>
using live_registry = basic_live_registry<detail::epoch_reclamation, Categories...>;

/// A live registry whose synchronous dispatch costs one pointer load more than the sealed
/// registry's, and nothing else: quiescent-state-based reclamation. Every thread that
/// dispatches it must be registered (a modhook::qsbr::reader_thread) and announce from time to
/// time that no dispatch runs on it (modhook::qsbr::quiescent(), say between two requests), or
/// be offline (modhook::qsbr::offline_scope) while it blocks. A change never waits: a replaced
/// module is destroyed by a later change, or reclaim(), once every online registered thread
/// has announced a quiescent state since it was replaced.
template <class... Categories>
using qsbr_registry = basic_live_registry<detail::qsbr_reclamation, Categories...>;

namespace detail {
// A live registry's dispatch of a callback whose task type awaits any awaitable: the set is
// held from await_ready on, so that the choice of loop and the loop see the same one.
template <class Registry, class Slot, class Prepared>
struct live_dispatch {
  static constexpr auto arguments = std::make_index_sequence<std::tuple_size_v<Prepared>>{};
  const Registry* registry;
  Prepared prepared;
  typename Registry::set_pin pin{};

  bool plain() noexcept {
    pin = registry->pin_current();
    return Registry::template store<Slot>(pin->callbacks).coroutines == 0;
  }
  MODHOOK_ALWAYS_INLINE dispatch_result_t<Slot> run_plain() {
    return Registry::template run<Slot>(*pin.operator->(), prepared, arguments);
  }
  async_dispatch_result_t<Slot> start() {
    const auto& callbacks = Registry::template store<Slot>(pin->callbacks);
    const auto watching = pin->watch;
    return detail::async_dispatch<shape_of<Slot>, typename Registry::set_pin, Prepared&>(
        callbacks, callbacks.first, callbacks.last, std::move(pin), prepared, arguments, watching);
  }
};

template <class Reclamation, class... Categories, class Slot, class Prepared>
struct awaitable_owner<basic_live_registry<Reclamation, Categories...>, Slot, Prepared> {
  using type = live_dispatch<basic_live_registry<Reclamation, Categories...>, Slot, Prepared>;
};
} // namespace detail

MODHOOK_END_NAMESPACE

#endif
