#ifndef MODHOOK_TESTS_MIXED_EXPECTED_UNIT_HPP
#define MODHOOK_TESTS_MIXED_EXPECTED_UNIT_HPP

// What each unit of the mixed-expected test runs, on its own category.
#include "mixed_expected.hpp"

#include <modhook/modhook.hpp>

#include <typeinfo>

template <class Category>
unit_report run_unit() {
  modhook::registry<Category> hooks;
  const auto loaded = hooks.load("unit", [](auto& api) {
    (void)api.register_callbacks(Category{.check = [](int x) { return x > 0; }});
  });
  const auto duplicate = hooks.load("unit", [](auto&) {});
  hooks.seal();
  const bool works = loaded && !duplicate &&
                     duplicate.error().reason == modhook::registration_error::kind::duplicate_module_name &&
                     hooks.template dispatch<&Category::check>(1).passed() &&
                     hooks.template dispatch<&Category::check>(0).rejected();
  return {typeid(modhook::registration_error).name(), works};
}

#endif
