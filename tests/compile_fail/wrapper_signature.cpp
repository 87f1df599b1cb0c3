// EXPECT: modhook: wrap<&Category::callback>\(wrapper\): the wrapper must be callable as wrapper\(modhook::rest<R>, arguments...\) and return R
// DIAGNOSTICS: at most 24 lines, the first error naming wrap
// A wrapper that returns what an implementation returns (bool), not what the dispatch returns
// (a verdict): refused where it is registered. The twin returns the rest's verdict.
#include <modhook/modhook.hpp>

#include <string>

struct spam {
  MODHOOK_CALLBACKS(spam, (check_event_for_spam, modhook::all_must_pass, bool(const std::string&)));
};

void setup(modhook::registry<spam>::api& api) {
#ifdef MODHOOK_VALID_TWIN
  (void)api.wrap<&spam::check_event_for_spam>([](auto rest, const std::string&) { return rest(); });
#else
  (void)api.wrap<&spam::check_event_for_spam>([](auto rest, const std::string&) { return rest().passed(); });
#endif
}
