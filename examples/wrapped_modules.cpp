// Wrappers: modules that run around a callback's implementations. A rate limiter rejects a
// sender's flood without asking the spam checkers; a cache answers a lookup it has seen,
// and asks the modules otherwise; a timer sees every verdict, failures included.

#include <modhook/modhook.hpp>

#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

struct message {
  std::string sender;
  std::string body;
};

struct spam {
  MODHOOK_CALLBACKS(spam,
    (check_message, modhook::all_must_pass, bool(const message&)),
    (lookup_display_name, modhook::first_result, std::optional<std::string>(const std::string&)));
};

using hooks = modhook::registry<spam>;
using verdict = modhook::verdict<bool, void>;
using name_answer = modhook::answer<std::string, void>;

// Rejects a sender's fourth message and later ones, before any checker runs.
struct rate_limit {
  std::map<std::string, int> sent;
  explicit rate_limit(hooks::api& api) {
    const modhook::module_ref self = api.module();
    (void)api.wrap<&spam::check_message>([this, self](modhook::rest<verdict> rest, const message& m) {
      if (++sent[m.sender] > 3) return verdict::rejected_by(self, false);
      return rest();
    });
  }
};

// Keeps the answers the modules gave; counts the lookups it could not answer.
struct name_cache {
  std::map<std::string, std::string> known;
  name_cache(int& asked, hooks::api& api) {
    const modhook::module_ref self = api.module();
    (void)api.wrap<&spam::lookup_display_name>([this, self, &asked](auto rest, const std::string& user) -> name_answer {
      if (auto hit = known.find(user); hit != known.end()) return name_answer::answered_by(self, hit->second);
      ++asked;
      name_answer found = rest();
      if (found) known.emplace(user, *found);
      return found;
    });
  }
};

// Sees every verdict the modules inside it reach, and how long they took.
struct timings {
  int verdicts = 0, failures = 0;
  std::chrono::nanoseconds spent{};
};
struct timer {
  timer(timings& seen, hooks::api& api) {
    (void)api.wrap<&spam::check_message>([&seen](auto rest, const message&) {
      const auto start = std::chrono::steady_clock::now();
      verdict v = rest(); // a module's failure is in the verdict, never thrown
      seen.spent += std::chrono::steady_clock::now() - start;
      ++seen.verdicts;
      if (v.failed()) ++seen.failures;
      return v;
    });
  }
};

int main() {
  timings seen;
  int asked = 0;
  hooks h;
  // Wrappers nest in load order: rate_limit outermost, then timer, then the checkers.
  (void)h.load<rate_limit>("rate_limit");
  (void)h.load<timer>("timer", seen);
  (void)h.load<name_cache>("name_cache", asked);
  (void)h.load("words", [](hooks::api& api) {
    (void)api.register_callbacks(spam{
        .check_message = [](const message& m) {
          if (m.body == "crash") throw std::runtime_error("the word list is gone");
          return m.body.find("casino") == std::string::npos;
        },
        .lookup_display_name = [](const std::string& user) -> std::optional<std::string> {
          if (user == "@alice:example.org") return "Alice";
          return std::nullopt;
        },
    });
  });
  h.seal();

  for (const char* body : {"hello", "cheap casino", "crash", "hello again", "one more"}) {
    const verdict v = h.dispatch<&spam::check_message>(message{"@bob:example.org", body});
    std::printf("%-13s %s", body, v.passed() ? "sent" : v.rejected() ? "rejected" : "failed");
    if (v.decided_by()) std::printf(" (%s)", std::string(v.decided_by()->name).c_str());
    std::printf("\n");
  }
  std::printf("timer: %d verdicts reached by the checkers, %d failed\n", seen.verdicts, seen.failures);
  for (int i = 0; i < 3; ++i) {
    const name_answer name = h.dispatch<&spam::lookup_display_name>(std::string("@alice:example.org"));
    std::printf("display name: %s, from %s\n", name->c_str(), std::string(name.decided_by()->name).c_str());
  }
  std::printf("name_cache asked the modules %d time(s)\n", asked);
}
