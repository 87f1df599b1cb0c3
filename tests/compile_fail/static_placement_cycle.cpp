// EXPECT: static_registry_placements_form_a_cycle_among_the_modules_at<(0(ul|UL)?, 1(ul|UL)?|1(ul|UL)?, 0(ul|UL)?)>
// DIAGNOSTICS: at most 24 lines, the first error naming static_registry
#include <modhook/modhook.hpp>

#include <string>

struct rules {
  MODHOOK_CALLBACKS(rules, (check, modhook::all_must_pass, bool(const std::string&)));
};

bool allow(const std::string& s) { return s != "spam"; }

// Each placed before the other: no order keeps both. The twin places censor last instead.
extern const modhook::placed<rules> audit;
#ifdef MODHOOK_VALID_TWIN
constexpr modhook::placed<rules> censor{{.check = &allow}, {.where = modhook::position::last}};
#else
constexpr modhook::placed<rules> censor{{.check = &allow}, {.before = {&audit}}};
#endif
constexpr modhook::placed<rules> audit{{.check = &allow}, {.before = {&censor}}};
using hooks = modhook::static_registry<censor, audit>;

bool host() { return hooks::dispatch<&rules::check>(std::string("x")).passed(); }
