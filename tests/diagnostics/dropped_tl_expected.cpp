// With tl::expected, modhook's own builds use a copy of its header marked [[nodiscard]], as
// tl-expected's later releases are: this proves the copy is the header they see.
#include <modhook/expected.hpp>

modhook::expected<int, int> parse();

void host() {
#ifdef MODHOOK_VALID_TWIN
  (void)parse();
#else
  parse();
#endif
}
