// EXPECT: modhook: wrap<&Category::callback>: wrappers of asynchronous callbacks are not supported yet
// DIAGNOSTICS: at most 24 lines, the first error naming wrap
// A wrapper of an asynchronous callback: not yet supported, said so where it is registered.
// The twin wraps the synchronous callback of the same category.
#include <modhook/modhook.hpp>
#include <modhook/task.hpp>

#include <string>

struct spam {
  MODHOOK_CALLBACKS(spam,
    (check_event_for_spam, modhook::all_must_pass, bool(const std::string&)),
    (check_later, modhook::all_must_pass, modhook::task<bool>(const std::string&)));
};

void setup(modhook::registry<spam>::api& api) {
#ifdef MODHOOK_VALID_TWIN
  (void)api.wrap<&spam::check_event_for_spam>([](auto rest, const std::string&) { return rest(); });
#else
  (void)api.wrap<&spam::check_later>([](auto rest, const std::string&) { return rest(); });
#endif
}
