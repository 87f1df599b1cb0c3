// EXPECT: modhook: media::on_upload: the signature void\(std::string&&\) has an rvalue-reference parameter
#include "common.hpp"

struct media {
#ifdef MODHOOK_VALID_TWIN
  MODHOOK_CALLBACKS(media, (on_upload, modhook::run_all, void(const std::string&)));
#else
  MODHOOK_CALLBACKS(media, (on_upload, modhook::run_all, void(std::string&&)));
#endif
};
media instance{};
