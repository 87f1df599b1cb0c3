// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_MODHOOK_HPP
#define MODHOOK_MODHOOK_HPP

// The umbrella header, for users. modhook's own headers include exactly what they use.

#include <modhook/bind.hpp>
#include <modhook/callback.hpp>
#include <modhook/category.hpp>
#include <modhook/expected.hpp>
#include <modhook/failure.hpp>
#include <modhook/module_api.hpp>
#include <modhook/observer.hpp>
#include <modhook/policy.hpp>
#include <modhook/registration_error.hpp>
#include <modhook/live_registry.hpp>
#include <modhook/registry.hpp>
#include <modhook/results.hpp>
#include <modhook/revised.hpp>
#include <modhook/static_registry.hpp>
#include <modhook/version.hpp>
#include <modhook/wrapper.hpp>

#endif
