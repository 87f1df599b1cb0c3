// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_FWD_HPP
#define MODHOOK_FWD_HPP

#include <modhook/version.hpp>

MODHOOK_BEGIN_NAMESPACE
template <class Sig, class Policy>
class callback;
template <class... Categories>
class registry;
template <class Reclamation, class... Categories>
class basic_live_registry;
template <class Registry>
class module_api;
struct module_ref;
struct callback_ref;
template <class Error>
struct failure;
struct registration_error;
template <class T, class E>
class verdict;
template <class T, class E>
class answer;
template <class E>
class completion;
class module_source;
struct first_result;
struct first_exception;
struct run_all;
MODHOOK_END_NAMESPACE

#endif
