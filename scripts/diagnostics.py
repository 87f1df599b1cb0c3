#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""Write modhook's compile-time checks into the headers from one table.

Each check is declared once, in CHECKS below: the condition that must hold, the message
clang++ prints, and the name g++ prints. Where the headers check, they hold a region this
script writes (between `// diagnostics: <what>` and `// diagnostics: end`):

  conditions <header>  the checks' conditions, variable templates in modhook::diagnostic;
  errors               the functions g++ names, declared deleted, in modhook::error;
  site <name>          the checks of SITES[name], in order: the first that fails is reported,
                       clang++ through a static_assert whose message is the check's, g++ through
                       a call of the deleted function (g++ prints only a static_assert's message,
                       so its first line would not name the callback; it does print a deleted
                       function's template arguments).

A macro could write both spellings too, but then every error carries the macro's expansion
notes; written out, each compiler prints what it would for code written by hand.

    python3 scripts/diagnostics.py            rewrite the regions
    python3 scripts/diagnostics.py --check    exit 1 if a region is not what the table says
"""

import argparse
import difflib
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INCLUDE = ROOT / "include" / "modhook"

# name: the condition's name (it reads as the requirement, as clang++ prints it).
# params: its template parameters. error: what g++ names, with its parameters, each one of
# params (`New=Old` renames one). where: the header that defines the condition (beside what
# it tests).
CHECKS = [
    dict(name="callback_name_is_listed_once", where="callback.hpp",
         params="class Slot, std::size_t Occurrences", condition="Occurrences == 1",
         error="this_callback_name_is_listed_more_than_once_in_the_category", error_params="Slot",
         message="modhook: this callback name is listed more than once in the category"),
    dict(name="signature_is_a_function_type_R_of_Args", where="callback.hpp",
         params="class Slot, class Signature", condition="detail::callback_signature<Signature>",
         error="the_signature_is_not_a_function_type_R_of_Args_entries_are_name_policy_signature",
         error_params="Slot, Signature",
         message="modhook: the callback's signature is not a function type R(Args...); entries are "
                 "(name, policy, signature)"),
    dict(name="signature_has_no_rvalue_reference_parameter", where="callback.hpp",
         params="class Slot, class Signature", condition="!detail::signature<Signature>::has_rvalue_parameter",
         error="the_signature_has_an_rvalue_reference_parameter", error_params="Slot, Signature",
         message="modhook: the callback's signature has an rvalue-reference parameter, but every module "
                 "receives the same arguments"),
    dict(name="signature_by_value_parameters_are_copyable", where="callback.hpp",
         params="class Slot, class Signature", condition="detail::signature<Signature>::by_value_parameters_copyable",
         error="a_by_value_parameter_must_be_copyable_every_module_gets_a_copy", error_params="Slot, Signature",
         message="modhook: the callback's signature has a by-value parameter that cannot be copied, but every "
                 "module receives its own copy: take it by const reference"),
    dict(name="all_must_pass_finds_pass_traits_for_the_result", where="callback.hpp",
         params="class Slot, class Policy, class Value",
         condition="!detail::is_all_must_pass<Policy> || passable<Value>",
         error="all_must_pass_needs_a_pass_traits_specialization_for_the_result", error_params="Slot, Result=Value",
         message="modhook: all_must_pass needs modhook::pass_traits<T>::passes(const T&) for the callback's "
                 "result type T: specialize it before declaring the category"),
    dict(name="policy_combines_the_callback_result", where="callback.hpp",
         params="class Slot, class Policy, class Signature",
         condition="policy_for<Policy, typename detail::split_result<typename detail::signature<Signature>::result>::value, "
                   "typename detail::split_result<typename detail::signature<Signature>::result>::error>",
         error="the_policy_cannot_combine_the_callback_result", error_params="Slot, Policy, Signature",
         message="modhook: the callback's policy cannot combine the result of its signature"),
    dict(name="callable_is_not_a_pointer_to_member", where="callback.hpp",
         params="class Slot, class Signature, class Given",
         condition="detail::check_callable<Given, Signature>::value != detail::callable_check::member_pointer",
         error="a_pointer_to_member_needs_an_object_use_modhook_bind", error_params="Slot, Signature, Given",
         message="modhook: a pointer to member needs an object: use modhook::bind<&T::f>(object)"),
    dict(name="callable_takes_the_callback_arguments", where="callback.hpp",
         params="class Slot, class Signature, class Given",
         condition="detail::check_callable<Given, Signature>::value != detail::callable_check::not_invocable",
         error="the_callable_cannot_be_called_with_the_callback_arguments", error_params="Slot, Signature, Given",
         message="modhook: the callable cannot be called with the arguments of the callback's signature"),
    dict(name="callable_result_converts_to_the_callback_result", where="callback.hpp",
         params="class Slot, class Signature, class Given",
         condition="detail::check_callable<Given, Signature>::value != detail::callable_check::wrong_result",
         error="the_callable_result_does_not_convert_to_the_callback_result", error_params="Slot, Signature, Given",
         message="modhook: the callable's result does not convert to the result of the callback's signature"),
    dict(name="callable_returns_a_bool_not_a_pointer_or_a_number", where="callback.hpp",
         params="class Slot, class Signature, class Given",
         condition="detail::check_callable<Given, Signature>::value != detail::callable_check::accidental_bool",
         error="the_callback_decides_with_a_bool_return_one_not_a_pointer_or_a_number",
         error_params="Slot, Signature, Given",
         message="modhook: the callback decides with a bool: a pointer, a string, a number or an enumeration "
                 "converts to it by accident (a string is true); return a bool"),
    dict(name="callable_takes_by_reference_what_the_callback_passes_to_edit", where="callback.hpp",
         params="class Slot, class Signature, class Given",
         condition="detail::check_callable<Given, Signature>::value != "
                   "detail::callable_check::copies_an_editable_argument",
         error="the_callable_takes_by_value_what_the_callback_passes_to_edit", error_params="Slot, Signature, Given",
         message="modhook: the callback passes an argument by non-const reference, for modules to edit, but the "
                 "callable takes it by value: its edits would be lost (take it by reference, or by const "
                 "reference not to edit it)"),
    dict(name="coroutine_returns_the_callback_task_type", where="callback.hpp",
         params="class Slot, class Signature, class Given",
         condition="detail::check_callable<Given, Signature>::value != detail::callable_check::other_task_type",
         error="the_callable_returns_a_task_of_another_type_than_the_callback", error_params="Slot, Signature, Given",
         message="modhook: the callable returns a task of another type than the asynchronous callback's"),
    dict(name="callable_stored_on_the_heap_is_copyable", where="callback.hpp",
         params="class Slot, class Signature, class Given",
         condition="detail::check_callable<Given, Signature>::value != detail::callable_check::not_copyable",
         error="a_callable_stored_on_the_heap_must_be_copy_constructible", error_params="Slot, Signature, Given",
         message="modhook: a callable stored on the heap must be copy-constructible"),
    dict(name="dispatch_arguments_convert_to_the_callback_parameters", where="callback.hpp",
         params="class Slot, class Signature, class... Given",
         condition="detail::signature<Signature>::template accepts<Given...>",
         error="the_dispatch_arguments_do_not_convert_to_the_callback_parameters",
         error_params="Slot, Signature, Given...",
         message="modhook: the dispatch arguments do not convert to the parameters of the callback's signature"),
    dict(name="module_is_constructible_from_its_arguments_and_the_api", where="registry.hpp",
         params="class Module, class Registry, class... Args",
         condition="std::is_constructible_v<Module, Args&&..., typename Registry::api&>",
         error="the_module_must_be_constructible_from_its_arguments_then_the_api",
         error_params="Module, Registry, Args...",
         message="modhook: load<M>(name, args...): M must be constructible from (args..., "
                 "modhook::module_api<registry>&)"),
    dict(name="registry_holds_the_callback_category", where="registry.hpp",
         params="class Slot, class Registry",
         condition="Registry::template holds<typename Slot::modhook_category>",
         error="this_registry_does_not_hold_the_callback_category", error_params="Slot, Registry",
         message="modhook: this registry does not hold the callback's category"),
    dict(name="registry_holds_the_category", where="registry.hpp",
         params="class Category, class Registry", condition="Registry::template holds<Category>",
         error="this_registry_does_not_hold_the_category", error_params="Category, Registry",
         message="modhook: this registry does not hold the category"),
]

# Where the headers check: the checks in order, each with its arguments there. `returns`: the
# site is a function returning whether every check holds; `guarded`: the code around the
# site has already tested its one check's condition.
SITES = {
    "declaration": dict(returns=True, checks=[
        ("callback_name_is_listed_once", "Slot, Occurrences"),
        ("signature_is_a_function_type_R_of_Args", "Slot, Sig"),
        ("signature_has_no_rvalue_reference_parameter", "Slot, Sig"),
        ("signature_by_value_parameters_are_copyable", "Slot, Sig"),
        ("all_must_pass_finds_pass_traits_for_the_result", "Slot, Policy, value_of_signature<Sig>"),
        ("policy_combines_the_callback_result", "Slot, Policy, Sig"),
    ]),
    "callable": dict(checks=[
        ("callable_is_not_a_pointer_to_member", "Slot, Sig, given"),
        ("callable_takes_the_callback_arguments", "Slot, Sig, given"),
        ("callable_result_converts_to_the_callback_result", "Slot, Sig, given"),
        ("callable_returns_a_bool_not_a_pointer_or_a_number", "Slot, Sig, given"),
        ("callable_takes_by_reference_what_the_callback_passes_to_edit", "Slot, Sig, given"),
        ("coroutine_returns_the_callback_task_type", "Slot, Sig, given"),
        ("callable_stored_on_the_heap_is_copyable", "Slot, Sig, given"),
    ]),
    "dispatch": dict(checks=[("dispatch_arguments_convert_to_the_callback_parameters", "Slot, Sig, Args...")]),
    "load": dict(guarded=True, checks=[
        ("module_is_constructible_from_its_arguments_and_the_api", "M, registry, Args...")]),
    "callback_category": dict(checks=[("registry_holds_the_callback_category", "Slot, registry")]),
    "category": dict(guarded=True, checks=[("registry_holds_the_category", "category_type, registry")]),
}

BY_NAME = {c["name"]: c for c in CHECKS}


def split_top(text):
    """Splits a template argument list at its top-level commas."""
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch in "<(":
            depth += 1
        elif ch in ">)":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    if current.strip():
        parts.append(current.strip())
    return parts


def param_name(param):
    return re.sub(r"\.\.\.$", "", param.split()[-1])


def error_arguments(check, arguments):
    """The arguments of the g++ function at a site, from the condition's arguments there."""
    names = [param_name(p) for p in split_top(check["params"])]
    given = dict(zip(names, split_top(arguments)))
    if "..." in check["params"]:  # a pack takes the rest
        pack = names[-1]
        given[pack] = ", ".join(split_top(arguments)[len(names) - 1:])
    out = []
    for entry in split_top(check["error_params"]):
        source = entry.split("=")[-1].rstrip(".")
        out.append(given[source])
    return ", ".join(a for a in out if a)


def error_parameters(check):
    params = {param_name(p): p.rsplit(" ", 1)[0] for p in split_top(check["params"])}
    out = []
    for entry in split_top(check["error_params"]):
        new, _, old = entry.partition("=")
        new = new.rstrip(".")
        old = (old or new).rstrip(".")
        kind = params[old]
        out.append(f"{kind} {new}")
    return ", ".join(out)


def cpp_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def conditions(header):
    lines = []
    for c in CHECKS:
        if c["where"] == header:
            lines.append(f"template <{c['params']}>")
            lines.append(f"inline constexpr bool {c['name']} = {c['condition']};")
    return lines


def errors():
    lines = []
    for c in CHECKS:
        lines.append(f"template <{error_parameters(c)}>")
        lines.append(f"void {c['error']}() = delete;")
    return lines


def report(check, arguments):
    return [
        "#if defined(__clang__)",
        f"static_assert(diagnostic::{check['name']}<{arguments}>, {cpp_string(check['message'])});",
        "#else",
        f"static_assert(std::is_void_v<decltype(error::{check['error']}<{error_arguments(check, arguments)}>())>);",
        "#endif",
    ]


def site(name):
    spec = SITES[name]
    if spec.get("guarded"):
        (check, arguments), = spec["checks"]
        return report(BY_NAME[check], arguments)
    lines = []
    for i, (check, arguments) in enumerate(spec["checks"]):
        keyword = "if" if i == 0 else "} else if"
        lines.append(f"{keyword} constexpr (!diagnostic::{check}<{arguments}>) {{")
        lines += report(BY_NAME[check], arguments)
        if spec.get("returns"):
            lines.append("return false;")
    if spec.get("returns"):
        lines += ["} else {", "return true;"]
    lines.append("}")
    return lines


REGION = re.compile(r"^([ \t]*)// diagnostics: (.+?)\n.*?^[ \t]*// diagnostics: end\n", re.M | re.S)


def rewrite(path):
    text = path.read_text()

    def fill(match):
        indent, what = match.group(1), match.group(2).split(" (")[0].strip()
        kind, _, argument = what.partition(" ")
        body = {"conditions": lambda: conditions(argument), "errors": errors,
                "site": lambda: site(argument)}[kind]()
        return (f"{indent}// diagnostics: {match.group(2)}\n" + "".join(f"{line}\n" for line in body) +
                f"{indent}// diagnostics: end\n")

    return REGION.sub(fill, text)


def formatted(text, path, clang_format):
    return subprocess.run([clang_format, f"--assume-filename={path}", "--style=file"], input=text, text=True,
                          capture_output=True, check=True, cwd=ROOT).stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report regions that differ; change nothing")
    parser.add_argument("--clang-format", default=shutil.which("clang-format-16") or shutil.which("clang-format"))
    args = parser.parse_args()
    if not args.clang_format:
        sys.exit("diagnostics.py: clang-format not found (the regions are laid out by it)")
    stale, regions = [], 0
    for path in sorted(INCLUDE.rglob("*.hpp")):
        text = path.read_text()
        found = len(REGION.findall(text))
        if not found:
            continue
        regions += found
        new = formatted(rewrite(path), path, args.clang_format)
        if new != text:
            stale.append(path)
            if args.check:
                sys.stdout.writelines(difflib.unified_diff(text.splitlines(True), new.splitlines(True),
                                                           str(path), str(path) + " (from the table)"))
            else:
                path.write_text(new)
    used = {check for spec in SITES.values() for check, _ in spec["checks"]}
    if used != set(BY_NAME):
        sys.exit(f"diagnostics.py: checks without a site: {sorted(set(BY_NAME) - used)}")
    if args.check and stale:
        sys.exit(f"diagnostics.py: {len(stale)} header(s) differ from the table: run scripts/diagnostics.py")
    print(f"{len(CHECKS)} checks at {len(SITES)} sites, {regions} regions "
          f"{'as the table says' if args.check else 'written'}")


if __name__ == "__main__":
    main()
