#ifndef MODHOOK_VERSION_HPP
#define MODHOOK_VERSION_HPP

#define MODHOOK_VERSION_MAJOR 0
#define MODHOOK_VERSION_MINOR 1
#define MODHOOK_VERSION_PATCH 0
#define MODHOOK_VERSION (MODHOOK_VERSION_MAJOR * 10000 + MODHOOK_VERSION_MINOR * 100 + MODHOOK_VERSION_PATCH)

// Every entity lives in a versioned inline namespace, so two incompatible modhook versions
// linked into one program fail to link instead of silently mixing layouts.
#define MODHOOK_BEGIN_NAMESPACE namespace modhook { inline namespace v0 {
#define MODHOOK_END_NAMESPACE } }

#endif
