// EXPECT: (a_by_value_parameter_must_be_copyable_every_module_gets_a_copy\(\) \[with Slot = rules::modhook_slot_on_message|signature_by_value_parameters_are_copyable<rules::modhook_slot_on_message)
// DIAGNOSTICS: at most 15 lines, the first error naming on_message
#include <modhook/modhook.hpp>

#include <memory>

// As a newcomer writes it: the category, a module taking the argument by value, a dispatch
// that moves it in. One error, the category's: the dispatch adds none.
struct rules {
#ifdef MODHOOK_VALID_TWIN
  MODHOOK_CALLBACKS(rules, (on_message, modhook::run_all, void(const std::unique_ptr<int>&)));
#else
  MODHOOK_CALLBACKS(rules, (on_message, modhook::run_all, void(std::unique_ptr<int>)));
#endif
};
using hooks = modhook::registry<rules>;

int main() {
  hooks h;
  (void)h.load("m", [](hooks::api& api) {
#ifdef MODHOOK_VALID_TWIN
    (void)api.register_callbacks(rules{.on_message = [](const std::unique_ptr<int>&) {}});
#else
    (void)api.register_callbacks(rules{.on_message = [](std::unique_ptr<int>) {}});
#endif
  });
  h.seal();
#ifdef MODHOOK_VALID_TWIN
  const auto message = std::make_unique<int>(1);
  h.dispatch<&rules::on_message>(message);
#else
  h.dispatch<&rules::on_message>(std::make_unique<int>(1));
#endif
}
