// EXPECT: (call to non-.+constexpr.+ function .*constexpr_module_with_a_stateful_callable|non-constexpr function .constexpr_module_with_a_stateful_callable. cannot be used in a constant expression)
// DIAGNOSTICS: at most 40 lines, the first error naming constexpr
#include <modhook/modhook.hpp>

#include <string>

struct rules {
  MODHOOK_CALLBACKS(rules, (check, modhook::all_must_pass, bool(const std::string&)));
};

// A callable with state (here a std::string) cannot live in a constexpr module: the error
// names the reason (the compiler's own error on the constexpr variable comes with its
// notes, which is why the bound is 40, not 15), and the registry adds one line, not a page.
struct word_filter {
  std::string word;
  bool operator()(const std::string& s) const { return s != word; }
};
#ifdef MODHOOK_VALID_TWIN
bool not_spam(const std::string& s) { return s != "spam"; }
constexpr rules censor{.check = &not_spam};
#else
constexpr rules censor{.check = word_filter{"spam"}};
#endif
using hooks = modhook::static_registry<censor>;

bool host() { return hooks::dispatch<&rules::check>(std::string("x")).passed(); }
