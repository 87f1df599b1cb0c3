#ifndef MODHOOK_TESTS_DIFFERENTIAL_MODEL_HPP
#define MODHOOK_TESTS_DIFFERENTIAL_MODEL_HPP

// The differential tests' shared half (differential.cpp, async_differential.cpp): the cases,
// the reference model (a plain loop per policy, written from the policy table in DESIGN.md),
// and what a dispatch result shows. Included by one translation unit each.

#include <modhook/modhook.hpp>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

// A result with two kinds of rejection: 0 passes, 1 and 2 do not.
struct verdict_value {
  int code;
};
template <>
struct modhook::pass_traits<verdict_value> {
  static constexpr bool passes(verdict_value v) noexcept { return v.code == 0; }
};

// Larger than std::optional<int>: libc++ 16 keeps expected's has-value flag in the tail
// padding of its value, and constructing an optional<int> there overwrites it (LLVM issue
// 68552, fixed in libc++ 18), so expected<optional<int>, E> with a small E is broken there.
struct diff_error {
  int module;
  int unused[2];
};
struct non_std_exception {
  int module;
};

namespace {

constexpr int max_modules = 32;
constexpr int callback_count = 9;
using all_callbacks = std::make_integer_sequence<int, callback_count>;
enum callback_id { deny, open, deny_expected, lookup, lookup_expected, notify, notify_expected, create, create_expected };
constexpr bool returns_verdict(int c) { return c <= deny_expected; }
constexpr bool returns_optional(int c) { return c == lookup || c == lookup_expected; }
constexpr bool returns_expected(int c) {
  return c == deny_expected || c == lookup_expected || c == notify_expected || c == create_expected;
}

// What one implementation does when called.
enum class act : std::uint8_t { pass, reject_1, reject_2, answer, error, throw_std, throw_other };
const char* name_of(act a) {
  constexpr const char* names[] = {"pass", "reject 1", "reject 2", "answer", "error", "throw std", "throw other"};
  return names[static_cast<int>(a)];
}

// A table by module and callback, indexed with the ints the test counts in.
template <class T>
struct by_module_and_callback {
  std::array<T, static_cast<std::size_t>(max_modules * callback_count)> cells{};
  T& operator()(int m, int c) { return cells[static_cast<std::size_t>(m * callback_count + c)]; }
  const T& operator()(int m, int c) const { return cells[static_cast<std::size_t>(m * callback_count + c)]; }
};

struct case_state {
  int modules = 0;
  by_module_and_callback<bool> implemented;
  by_module_and_callback<act> acts;
  std::vector<int> calls; // module indices, in call order, for the dispatch under way
};

[[noreturn]] void throw_as(act a, int module) {
  if (a == act::throw_std) throw std::runtime_error("module " + std::to_string(module));
  throw non_std_exception{module};
}

// What module `module` returns for callback C when it does `a` (it throws for a throw).
template <int C>
auto outcome_of(act a, int module) {
  if (a == act::throw_std || a == act::throw_other) throw_as(a, module);
  const verdict_value verdict{a == act::reject_1 ? 1 : a == act::reject_2 ? 2 : 0};
  const std::optional<int> answer = a == act::answer ? std::optional<int>(100 + module) : std::nullopt;
  if constexpr (C == deny || C == open) {
    return verdict;
  } else if constexpr (C == deny_expected) {
    using result = modhook::expected<verdict_value, diff_error>;
    return a == act::error ? result(modhook::unexpected(diff_error{module, {}})) : result(verdict);
  } else if constexpr (C == lookup) {
    return answer;
  } else if constexpr (C == lookup_expected) {
    using result = modhook::expected<std::optional<int>, diff_error>;
    return a == act::error ? result(modhook::unexpected(diff_error{module, {}})) : result(answer);
  } else if constexpr (C == notify || C == create) {
    return;
  } else {
    using result = modhook::expected<void, diff_error>;
    return a == act::error ? result(modhook::unexpected(diff_error{module, {}})) : result();
  }
}


// ---- Which module of a static registry's pattern P implements callback C (pattern 0:
// every callback): a constexpr hash. ----

constexpr bool static_implements(int pattern, int module, int c) {
  if (pattern == 0) return true;
  std::uint64_t h = static_cast<std::uint64_t>(pattern * 10007 + module * 101 + c + 1) * 0x9E3779B97F4A7C15u;
  h ^= h >> 29;
  h *= 0xBF58476D1CE4E5B9u;
  h ^= h >> 32;
  return h % 4 != 0;
}

// ---- The model: a plain loop per policy, from the policy table. ----

enum class policy_kind { fail_closed, fail_open, first_result, first_exception, run_all };
constexpr policy_kind policy_of(int c) {
  switch (c) {
  case deny:
  case deny_expected: return policy_kind::fail_closed;
  case open: return policy_kind::fail_open;
  case lookup:
  case lookup_expected: return policy_kind::first_result;
  case create:
  case create_expected: return policy_kind::first_exception;
  default: return policy_kind::run_all;
  }
}

// What a dispatch shows, in one shape for every result type.
struct observed {
  enum class kind { passed, rejected, failed, answered, empty, ok, not_ok } what{};
  int value = 0;         // the rejection code or the answer
  int decided_by = -1;   // a module index; -1 for none
  bool names_ok = true;  // decided_by and every failure name the module as the registry does
  std::size_t failure_count = 0;
  int first_failure = -1;
  act first_failure_act = act::pass;
  std::vector<int> calls;
  std::vector<int> reported; // the modules the failure handler was given, in order
  friend bool operator==(const observed&, const observed&) = default;
};

const char* name_of(observed::kind k) {
  constexpr const char* names[] = {"passed", "rejected", "failed", "answered", "empty", "ok", "not ok"};
  return names[static_cast<int>(k)];
}

constexpr bool is_failure(act a, int c) {
  return a == act::throw_std || a == act::throw_other || (a == act::error && returns_expected(c));
}

observed model(const case_state& s, int c) {
  observed o;
  const policy_kind policy = policy_of(c);
  o.what = policy == policy_kind::first_result ? observed::kind::empty
         : returns_verdict(c)                  ? observed::kind::passed
                                               : observed::kind::ok;
  for (int m = 0; m < s.modules; ++m) {
    if (!s.implemented(m, c)) continue;
    o.calls.push_back(m);
    const act a = s.acts(m, c);
    if (is_failure(a, c)) {
      if (o.failure_count++ == 0) {
        o.first_failure = m;
        o.first_failure_act = a;
      }
      o.reported.push_back(m);
      if (policy == policy_kind::fail_open || policy == policy_kind::run_all) continue;
      o.what = policy == policy_kind::first_exception ? observed::kind::not_ok : observed::kind::failed;
      o.decided_by = m;
      return o;
    }
    if (returns_verdict(c) && (a == act::reject_1 || a == act::reject_2)) {
      o.what = observed::kind::rejected;
      o.value = a == act::reject_1 ? 1 : 2;
      o.decided_by = m;
      return o;
    }
    if (returns_optional(c) && a == act::answer) {
      o.what = observed::kind::answered;
      o.value = 100 + m;
      o.decided_by = m;
      return o;
    }
  }
  if (o.failure_count != 0) { // run_all; fail-open verdicts stay passed
    if (policy == policy_kind::run_all) o.what = observed::kind::not_ok;
    if (policy == policy_kind::run_all) o.decided_by = o.first_failure;
  }
  return o;
}

// ---- What a dispatch result says. ----

// Which module a failure names and what it did: the exception (type and message) or the
// error value must be the one that module produced, else the module is reported as -2.
template <class E>
std::pair<int, act> identify(const modhook::failure<E>& f) {
  const int m = static_cast<int>(f.module.index);
  if constexpr (!std::is_void_v<E>) {
    if (f.error) return {f.error->module == m && !f.threw() ? m : -2, act::error};
  }
  try {
    f.rethrow_if_thrown();
  } catch (const std::runtime_error& e) {
    return {std::string_view(e.what()) == "module " + std::to_string(m) ? m : -2, act::throw_std};
  } catch (const non_std_exception& e) {
    return {e.module == m ? m : -2, act::throw_other};
  } catch (...) {
    return {-3, act::pass};
  }
  return {-4, act::pass}; // neither an exception nor an error value
}

std::string expected_name(int m, bool named) { return named ? "m" + std::to_string(m) : std::string(); }

template <class R>
observed observe_common(const R& r, bool named) {
  observed o;
  if (r.decided_by()) {
    o.decided_by = static_cast<int>(r.decided_by()->index);
    o.names_ok = r.decided_by()->name == expected_name(o.decided_by, named);
  }
  o.failure_count = r.failure_count();
  if (const auto& first = r.first_failure()) {
    std::tie(o.first_failure, o.first_failure_act) = identify(*first);
    if (first->module.name != expected_name(static_cast<int>(first->module.index), named)) o.names_ok = false;
  }
  return o;
}

template <class T, class E>
observed observe(const modhook::verdict<T, E>& v, bool named) {
  observed o = observe_common(v, named);
  o.what = v.passed() ? observed::kind::passed : v.rejected() ? observed::kind::rejected : observed::kind::failed;
  if (v.rejected()) o.value = v.rejection().code;
  return o;
}
template <class T, class E>
observed observe(const modhook::answer<T, E>& a, bool named) {
  observed o = observe_common(a, named);
  o.what = a.has_value() ? observed::kind::answered : a.failed() ? observed::kind::failed : observed::kind::empty;
  if (a.has_value()) o.value = *a;
  return o;
}
template <class E>
observed observe(const modhook::completion<E>& c, bool named) {
  observed o = observe_common(c, named);
  o.what = c.ok() ? observed::kind::ok : observed::kind::not_ok;
  return o;
}

// ---- Cases. ----

act random_act(std::mt19937_64& random, int c) {
  const auto roll = static_cast<int>(random() % 100);
  if (roll < 8) return act::throw_std;
  if (roll < 16) return act::throw_other;
  if (roll < 24 && returns_expected(c)) return act::error;
  if (roll < 32 && returns_verdict(c)) return act::reject_1;
  if (roll < 40 && returns_verdict(c)) return act::reject_2;
  if (roll < 40 && returns_optional(c)) return act::answer;
  return act::pass;
}

// The case's outcomes; `implements(m, c)` says who implements what.
template <class Implements>
case_state random_case(std::mt19937_64& random, int modules, Implements&& implements) {
  case_state s;
  s.modules = modules;
  for (int m = 0; m < modules; ++m)
    for (int c = 0; c < callback_count; ++c) {
      s.implemented(m, c) = implements(m, c);
      s.acts(m, c) = random_act(random, c);
    }
  return s;
}

std::mt19937_64 random_for(std::uint64_t seed, std::uint64_t k, std::uint64_t kind) {
  std::seed_seq sequence{seed, k, kind};
  return std::mt19937_64(sequence);
}

void describe(const case_state& s, int c) {
  std::printf("  %d modules; callback %d (policy %d):\n", s.modules, c, static_cast<int>(policy_of(c)));
  for (int m = 0; m < s.modules; ++m)
    std::printf("    module %d: %s\n", m, s.implemented(m, c) ? name_of(s.acts(m, c)) : "(not implemented)");
}
void print(const char* label, const observed& o) {
  std::printf("  %s: %s value %d decided_by %d names_ok %d failures %zu first %d (%s) calls", label, name_of(o.what),
              o.value, o.decided_by, o.names_ok, o.failure_count, o.first_failure, name_of(o.first_failure_act));
  for (int m : o.calls) std::printf(" %d", m);
  std::printf(" reported");
  for (int m : o.reported) std::printf(" %d", m);
  std::printf("\n");
}

// The programs' options: --cases N (default 100000), --seed S (default 1), --case K (only
// case K, to replay one). False, with the usage printed, on anything else.
struct run_options {
  std::uint64_t cases = 100000, seed = 1;
  std::optional<std::uint64_t> only;
};
bool parse_options(int argc, char** argv, run_options& options) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const std::uint64_t value = std::strtoull(argv[i + 1], nullptr, 10);
    if (flag == "--cases")
      options.cases = value;
    else if (flag == "--seed")
      options.seed = value;
    else if (flag == "--case")
      options.only = value;
    else {
      std::fprintf(stderr, "usage: %s [--cases N] [--seed S] [--case K]\n", argv[0]);
      return false;
    }
  }
  return true;
}

} // namespace

#endif
