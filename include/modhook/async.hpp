// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_ASYNC_HPP
#define MODHOOK_ASYNC_HPP

// Asynchronous callbacks for a task type of the host's own: include this where the type's
// modhook::task_traits specialization is declared (task.hpp and asio.hpp do, for theirs).
// It brings the asynchronous dispatch driver, which a registry's dispatch of such a callback
// needs (without it, the program does not link).

#include <modhook/detail/async_dispatch.hpp>
#include <modhook/detail/async_step.hpp>

#endif
