// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_ORDER_HPP
#define MODHOOK_DETAIL_ORDER_HPP

// The order of a callback's modules from their placements: a stable topological order. The
// constraints are each module's position (first before middle before last) and its
// before/after edges; among the orders that keep them, the one that is smallest in load
// order at each step (Kahn's algorithm, always taking the earliest-loaded module that is
// free to go), which keeps load order wherever the placements leave it free.

#include <modhook/placement.hpp>
#include <modhook/detail/config.hpp>

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

struct order_node {
  position where = position::middle;
  std::vector<std::size_t> before; // the nodes that must come after this one
};

struct order_outcome {
  std::vector<std::size_t> order; // every node, in calling order; empty when there is a cycle
  std::vector<std::size_t> cycle; // else: nodes each before the next, the last before the first
};

constexpr std::size_t rank(position where) noexcept { return static_cast<std::size_t>(where); }

// (constexpr: the static registry resolves its order at compile time.)
constexpr order_outcome resolve_order(const std::vector<order_node>& nodes) {
  const std::size_t n = nodes.size();
  std::vector<std::size_t> waiting_for(n, 0); // predecessors by an edge, not yet placed
  for (const auto& node : nodes)
    for (const std::size_t next : node.before) ++waiting_for[next];
  std::size_t unplaced_of_rank[3] = {0, 0, 0};
  for (const auto& node : nodes) ++unplaced_of_rank[rank(node.where)];
  std::vector<char> placed(n, 0);
  order_outcome out;
  out.order.reserve(n);
  const auto ready = [&](std::size_t i) {
    if (placed[i] || waiting_for[i] != 0) return false;
    for (std::size_t r = 0; r < rank(nodes[i].where); ++r)
      if (unplaced_of_rank[r] != 0) return false;
    return true;
  };
  while (out.order.size() < n) {
    std::size_t next = n;
    for (std::size_t i = 0; i < n && next == n; ++i)
      if (ready(i)) next = i;
    if (next == n) break; // a cycle among the unplaced
    placed[next] = 1;
    --unplaced_of_rank[rank(nodes[next].where)];
    for (const std::size_t after : nodes[next].before) --waiting_for[after];
    out.order.push_back(next);
  }
  if (out.order.size() == n) return out;

  // A cycle among the unplaced, as short as any (the clearest to read): a breadth-first
  // search from each node back to itself, along edges first, then positions.
  const auto successors = [&](std::size_t u) {
    std::vector<std::size_t> out_edges;
    for (const std::size_t v : nodes[u].before)
      if (!placed[v]) out_edges.push_back(v);
    for (std::size_t v = 0; v < n; ++v)
      if (!placed[v] && rank(nodes[u].where) < rank(nodes[v].where)) out_edges.push_back(v);
    return out_edges;
  };
  for (std::size_t start = 0; start < n; ++start) {
    if (placed[start]) continue;
    std::vector<std::size_t> parent(n, n);
    std::vector<std::size_t> frontier{start};
    bool closed = false;
    std::size_t last = n;
    while (!frontier.empty() && !closed) {
      std::vector<std::size_t> next_frontier;
      for (const std::size_t u : frontier) {
        for (const std::size_t v : successors(u)) {
          if (v == start) {
            closed = true;
            last = u;
            break;
          }
          if (parent[v] == n && v != start) {
            parent[v] = u;
            next_frontier.push_back(v);
          }
        }
        if (closed) break;
      }
      frontier = std::move(next_frontier);
    }
    if (!closed) continue;
    std::vector<std::size_t> cycle;
    for (std::size_t v = last; v != start; v = parent[v]) cycle.push_back(v);
    cycle.push_back(start);
    std::reverse(cycle.begin(), cycle.end());
    if (out.cycle.empty() || cycle.size() < out.cycle.size()) out.cycle = std::move(cycle);
  }
  // (The searches start from the earliest-loaded module: the cycle kept starts at its own
  // earliest-loaded, so that the same cycle always reads the same way.)
  out.order.clear();
  return out;
}

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
