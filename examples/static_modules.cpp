// Modules known at compile time: constexpr category objects in a static_registry. Each set
// callback is a direct call the compiler can inline; an unset one costs nothing.

#include <modhook/modhook.hpp>

#include <cstdio>
#include <string>

struct spam_checker {
  MODHOOK_CALLBACKS(spam_checker,
    (user_may_invite, modhook::all_must_pass, bool(const std::string& inviter, const std::string& invitee)),
    (user_may_create_room, modhook::all_must_pass, bool(const std::string& user)));
};

bool no_bots(const std::string& inviter, const std::string&) { return inviter.rfind("@bot", 0) != 0; }

struct rate_limit {
  int max_rooms;
  bool may_create(const std::string& user) const { return user.size() <= static_cast<std::size_t>(max_rooms); }
};
constexpr rate_limit limits{12};

constexpr spam_checker bot_blocker{.user_may_invite = &no_bots};
constexpr spam_checker room_limiter{
    .user_may_invite = [](const std::string&, const std::string& invitee) { return !invitee.empty(); },
    .user_may_create_room = modhook::bind<&rate_limit::may_create>(limits),
};

using hooks = modhook::static_registry<bot_blocker, room_limiter>;
static_assert(hooks::implementation_count<&spam_checker::user_may_create_room> == 1);

int main() {
  for (const char* inviter : {"@ann:example.com", "@bot7:example.com"}) {
    const auto verdict = hooks::dispatch<&spam_checker::user_may_invite>(std::string(inviter), std::string("@bob:example.com"));
    if (verdict)
      std::printf("%s may invite\n", inviter);
    else
      std::printf("%s may not invite (module #%zu)\n", inviter, verdict.decided_by()->index);
  }
  const bool may_create = hooks::dispatch<&spam_checker::user_may_create_room>(std::string("@ann:x")).passed();
  std::printf("@ann:x may create a room: %s\n", may_create ? "yes" : "no");
}
