// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_OBSERVER_HPP
#define MODHOOK_OBSERVER_HPP

// What an observer is told of each module call, and how a registry is given one.

#include <modhook/failure.hpp>
#include <modhook/detail/config.hpp>

MODHOOK_BEGIN_NAMESPACE

/// One module's implementation of one callback, being called.
struct module_call {
  module_ref module;
  callback_ref callback;
};

/// A module call's outcome, as the callback's policy classified it.
enum class call_outcome : unsigned char {
  passed,  ///< a value the policy went on from (all_must_pass: it passed; first_result: no answer; run_all: done)
  decided, ///< a value that decided the dispatch, which stops there: a rejection, an answer
  failed,  ///< the module threw, or returned an error value: a failure, whatever the policy then does
};

/// A run-time registry's option, listed among its categories: every module call its
/// dispatches make is told to an `Observer` the registry owns (default-constructed; see
/// `observer()`). Without it a registry emits nothing and its dispatch is what it was.
///
///   modhook::registry<modhook::observed_by<modhook::call_stats>, spam_checker, third_party_rules> hooks;
///
/// An observer declares what it wants to hear of (each is optional):
///
///   Token on_call(const module_call&) noexcept;
///       the call starts; what it returns (any default-constructible type, or void) is kept
///       by the dispatch for this call, and given back when it ends
///   void on_return(const module_call&, Token&, call_outcome, const failure<>* failed) noexcept;
///       the call ended (without the Token parameter when on_call returns void); `failed` is
///       the failure when the outcome is `failed`, else null
///
/// An asynchronous implementation's call spans its suspensions: on_call when it is started,
/// on_return when its task completes. Events are called from every thread that dispatches,
/// from noexcept functions (a throw ends the program), and must not change the registry.
/// A dispatch with an observer calls and classifies each implementation as the general loop
/// does (the fast path, which only tests values, has nowhere to tell the observer).
template <class Observer>
struct observed_by {
  using observer = Observer;
};

MODHOOK_END_NAMESPACE

#endif
