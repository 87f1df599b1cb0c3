// The host's categories for the shared-library tests, as a host would publish them to the
// authors of its modules. Test modules are built from the same header with one of these
// switches, to be what a module built against another host would be:
//   SHARED_TEST_CHANGED_SIGNATURE: on_sent takes an int more
//   SHARED_TEST_FEWER_CATEGORIES: the registry without shared_admin
//   SHARED_TEST_CHANGED_POLICY: may_send fails open (all_must_pass_fail_open)
//   SHARED_TEST_CHANGED_SIZE: shared_event has a field more, under the same name
//   SHARED_TEST_LIVE: the module is built for shared_live_hooks, a live registry
#ifndef MODHOOK_TESTS_SHARED_CATEGORIES_HPP
#define MODHOOK_TESTS_SHARED_CATEGORIES_HPP

#include <modhook/live_registry.hpp>
#include <modhook/modhook.hpp>

#include <string>
#include <vector>

struct shared_event {
  std::string sender, body;
#if defined(SHARED_TEST_CHANGED_SIZE)
  std::string room;
#endif
};

#if defined(SHARED_TEST_CHANGED_POLICY)
#define SHARED_MAY_SEND_POLICY modhook::all_must_pass_fail_open
#else
#define SHARED_MAY_SEND_POLICY modhook::all_must_pass
#endif

#if defined(SHARED_TEST_CHANGED_SIGNATURE)
#define SHARED_ON_SENT_SIGNATURE void(const shared_event&, int)
#else
#define SHARED_ON_SENT_SIGNATURE void(const shared_event&)
#endif

struct shared_rules {
  MODHOOK_CALLBACKS(shared_rules,
    (may_send, SHARED_MAY_SEND_POLICY, bool(const shared_event&)),
    (on_sent, modhook::run_all, SHARED_ON_SENT_SIGNATURE));
};

struct shared_admin {
  MODHOOK_CALLBACKS(shared_admin,
    (may_shut_down, modhook::all_must_pass, bool(const std::string&)));
};

// The same categories in a live registry (SHARED_TEST_LIVE builds the module against it).
using shared_live_hooks = modhook::live_registry<shared_rules, shared_admin>;

#if defined(SHARED_TEST_FEWER_CATEGORIES)
using shared_hooks = modhook::registry<shared_rules>;
#else
using shared_hooks = modhook::registry<shared_rules, shared_admin>;
#endif

// What a test module is constructed with: where it writes what happens to it, so that a test
// sees which module did what, and in which order.
struct shared_log {
  std::vector<std::string> lines;
};

#endif
