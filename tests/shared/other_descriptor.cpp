// A library whose entry point returns a descriptor a host must not read: a layout after the
// host's, or (with SHARED_TEST_OTHER_VERSION) the host's layout from modhook 9.9.9. Its constructor aborts: a host
// that got that far has already failed.
#include <modhook/shared_module.hpp>

#include <cstdlib>

#if defined(SHARED_TEST_OTHER_VERSION)
#define SHARED_TEST_LAYOUT modhook::shared_abi::layout
#define SHARED_TEST_VERSION "9.9.9"
#else
#define SHARED_TEST_LAYOUT (modhook::shared_abi::layout + 1)
#define SHARED_TEST_VERSION MODHOOK_DETAIL_VERSION_STRING
#endif

namespace {
void* construct(void*, void*) { std::abort(); }
void destroy(void*) noexcept { std::abort(); }
constexpr modhook::shared_abi::descriptor_v2 descriptor{
    {modhook::shared_abi::magic, SHARED_TEST_LAYOUT, sizeof(modhook::shared_abi::descriptor_v2), SHARED_TEST_VERSION},
    0, nullptr, 0, nullptr, "()", &construct, &destroy};
} // namespace

extern "C" __attribute__((visibility("default"))) const modhook::shared_abi::header* modhook_module_entry() noexcept {
  return &descriptor.head;
}
