// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_DIAGNOSTICS_HPP
#define MODHOOK_DETAIL_DIAGNOSTICS_HPP

// The errors a module author meets (a callable of the wrong kind for a callback; a dispatch
// with the wrong arguments, or through a registry without the category) and those a category
// author meets (a name listed twice, a signature that is not one, an rvalue-reference
// parameter, a policy that cannot combine the result).
// Each first error line names the callback (through its slot type,
// `category::modhook_slot_name`), the callback's signature and what was given.
//
// Each check is declared once, in the table of scripts/diagnostics.py (its condition, the
// name g++ prints, the message clang++ prints), which writes the regions marked
// `// diagnostics:` here and where the headers check. C++20 cannot compute a static_assert
// message, and a macro writing both spellings would make every error carry its expansion
// notes. clang++ prints a failed static_assert's condition with its template arguments, so
// there the condition carries the names; g++ prints only the message, so there the check
// names a deleted function in an unevaluated operand instead, whose error line shows its
// template arguments (and the code around stays usable in a constant expression). Either way
// the first failed check of a site is the only one reported: the slot is then constructed
// empty, and a dispatch that failed its check returns an empty result.

#include <modhook/detail/config.hpp>

MODHOOK_BEGIN_NAMESPACE

// The conditions are variable templates in namespace modhook::diagnostic, defined beside
// what they test (callback.hpp, registry.hpp) and named to read as the requirement.

/// What g++ reports, by name, when a check fails (declared, never defined).
namespace error {
// diagnostics: errors (written by scripts/diagnostics.py from its table)
template <class Slot>
void this_callback_name_is_listed_more_than_once_in_the_category() = delete;
template <class Slot, class Signature>
void the_signature_is_not_a_function_type_R_of_Args_entries_are_name_policy_signature() = delete;
template <class Slot, class Signature>
void the_signature_has_an_rvalue_reference_parameter() = delete;
template <class Slot, class Signature>
void a_by_value_parameter_must_be_copyable_every_module_gets_a_copy() = delete;
template <class Slot, class Result>
void all_must_pass_needs_a_pass_traits_specialization_for_the_result() = delete;
template <class Slot, class Policy, class Signature>
void the_policy_cannot_combine_the_callback_result() = delete;
template <class Slot, class Signature, class Given>
void a_pointer_to_member_needs_an_object_use_modhook_bind() = delete;
template <class Slot, class Signature, class Given>
void the_callable_cannot_be_called_with_the_callback_arguments() = delete;
template <class Slot, class Signature, class Given>
void the_callable_result_does_not_convert_to_the_callback_result() = delete;
template <class Slot, class Signature, class Given>
void the_callback_decides_with_a_bool_return_one_not_a_pointer_or_a_number() = delete;
template <class Slot, class Signature, class Given>
void the_callable_takes_by_value_what_the_callback_passes_to_edit() = delete;
template <class Slot, class Signature, class Given>
void the_callable_returns_a_task_of_another_type_than_the_callback() = delete;
template <class Slot, class Signature, class Given>
void a_callable_stored_on_the_heap_must_be_copy_constructible() = delete;
template <class Slot, class Signature, class... Given>
void the_dispatch_arguments_do_not_convert_to_the_callback_parameters() = delete;
template <class Module, class Registry, class... Args>
void the_module_must_be_constructible_from_its_arguments_then_the_api() = delete;
template <class Slot, class Registry>
void this_registry_does_not_hold_the_callback_category() = delete;
template <class Category, class Registry>
void this_registry_does_not_hold_the_category() = delete;
// diagnostics: end
} // namespace error

MODHOOK_END_NAMESPACE

#endif
