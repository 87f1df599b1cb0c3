// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_PLACEMENT_BOOK_HPP
#define MODHOOK_DETAIL_PLACEMENT_BOOK_HPP

// The placements a run-time registry was given (by module name: the host may place a module
// before it loads), and the order they make for one callback among the modules at hand.
// Shared by modhook::registry and modhook::live_registry, which differ only in where their
// modules' names come from.

#include <modhook/failure.hpp>
#include <modhook/placement.hpp>
#include <modhook/detail/config.hpp>
#include <modhook/detail/order.hpp>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

struct placement_record {
  std::string module;
  std::optional<callback_ref> callback; // none: for all the module's callbacks
  bool by_host;
  placement where;
};

// The order of one callback's modules, or the sentence naming the cycle that prevents it.
struct callback_order {
  std::vector<std::size_t> rank;            // rank[m]: where module m (of the names given) is called
  std::string cycle;                        // non-empty when there is no order
  std::vector<std::string_view> in_cycle{}; // then: the modules in it, the first named first
};

class placement_book {
public:
  bool empty() const noexcept { return records_.empty(); }
  void add(placement_record record) { records_.push_back(std::move(record)); }
  void drop_last() noexcept { records_.pop_back(); }
  // A module refused or unloaded takes its own placements along; the host's of its name
  // stay, for a module of that name to come.
  void forget_own(std::string_view module) {
    std::erase_if(records_, [&](const placement_record& r) { return r.module == module && !r.by_host; });
  }
  void forget_host(std::string_view module) {
    std::erase_if(records_, [&](const placement_record& r) { return r.module == module && r.by_host; });
  }

  // What decides a module's place for a callback: the host's for the callback, the host's,
  // the module's for the callback, the module's; the latest of a kind. The module `waiting`
  // (one whose load is not over) has its own placements left out: they are checked when its
  // load ends, and the host's must not be blamed for them.
  const placement* find(std::string_view module, callback_ref callback, std::string_view waiting = {}) const noexcept {
    const placement* found[4] = {nullptr, nullptr, nullptr, nullptr};
    for (const auto& record : records_) {
      if (record.module != module) continue;
      if (!record.by_host && !waiting.empty() && waiting == module) continue;
      const bool for_callback = record.callback.has_value();
      if (for_callback && *record.callback != callback) continue;
      found[(record.by_host ? 0 : 2) + (for_callback ? 0 : 1)] = &record.where;
    }
    for (const placement* p : found)
      if (p) return p;
    return nullptr;
  }

  // The order of `names` (the modules at hand, in load order) for a callback.
  callback_order order(callback_ref callback, const std::vector<std::string_view>& names,
                       std::string_view waiting = {}) const {
    const auto index_of = [&](std::string_view name) -> std::optional<std::size_t> {
      for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == name) return i;
      return std::nullopt;
    };
    std::vector<order_node> nodes(names.size());
    for (std::size_t m = 0; m < names.size(); ++m) {
      const placement* p = find(names[m], callback, waiting);
      if (!p) continue;
      nodes[m].where = p->where;
      for (const auto& name : p->before)
        if (const auto other = index_of(name); other && *other != m) nodes[m].before.push_back(*other);
      for (const auto& name : p->after)
        if (const auto other = index_of(name); other && *other != m) nodes[*other].before.push_back(m);
    }
    const auto outcome = resolve_order(nodes);
    callback_order result;
    if (!outcome.cycle.empty()) {
      result.cycle = describe_cycle(callback, names, outcome.cycle, waiting);
      for (const std::size_t m : outcome.cycle) result.in_cycle.push_back(names[m]);
      return result;
    }
    result.rank.resize(names.size());
    for (std::size_t i = 0; i < outcome.order.size(); ++i) result.rank[outcome.order[i]] = i;
    return result;
  }

private:
  // "a before b (a: before b)", and so on, around the cycle.
  std::string describe_cycle(callback_ref callback, const std::vector<std::string_view>& names,
                             const std::vector<std::size_t>& cycle, std::string_view waiting) const {
    static constexpr const char* positions[] = {"first", "middle", "last"};
    std::string text =
        "placements form a cycle for " + std::string(callback.category) + "::" + std::string(callback.name) + ": ";
    for (std::size_t i = 0; i < cycle.size(); ++i) {
      const std::string a(names[cycle[i]]);
      const std::string b(names[cycle[(i + 1) % cycle.size()]]);
      const placement* pa = find(a, callback, waiting);
      const placement* pb = find(b, callback, waiting);
      std::string why;
      if (pa && std::find(pa->before.begin(), pa->before.end(), b) != pa->before.end())
        why = a + ": before " + b;
      else if (pb && std::find(pb->after.begin(), pb->after.end(), a) != pb->after.end())
        why = b + ": after " + a;
      else
        why = a + " is " + positions[rank(pa ? pa->where : position::middle)] + ", " + b + " is " +
              positions[rank(pb ? pb->where : position::middle)];
      text += (i ? ", " : "") + a + " before " + b + " (" + why + ")";
    }
    return text;
  }

  std::vector<placement_record> records_;
};

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
