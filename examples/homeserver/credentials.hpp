#ifndef HOMESERVER_CREDENTIALS_HPP
#define HOMESERVER_CREDENTIALS_HPP

// Access tokens and password hashes, through libsodium: tokens are random bytes from the
// operating system's CSPRNG (nothing in one token tells anything of another); a password is
// kept only as an Argon2id hash with a salt of its own.

#include <cstddef>
#include <string>
#include <string_view>

namespace homeserver {

/// What hashing one password costs (Argon2id's passes and memory). `interactive` is
/// libsodium's recommendation for a login; `minimum` is for tests, never for a server.
struct password_cost {
  unsigned long long passes;
  std::size_t memory_bytes;
  static password_cost interactive() noexcept;
  static password_cost minimum() noexcept;
};

/// The longest password taken (bytes): hashing costs the same for any length, but the request
/// body that carries it need not be large.
inline constexpr std::size_t max_password_bytes = 512;

/// `prefix` then 256 random bits, base64url without padding (43 characters).
std::string random_token(std::string_view prefix);

/// A device id as Synapse makes them: 10 random capital letters.
std::string random_device_id();

/// The Argon2id hash of `password`, in the PHC string form ("$argon2id$v=19$m=...,t=...,p=1$
/// salt$hash"), with a fresh random salt. Throws std::bad_alloc when the memory is not there.
std::string hash_password(std::string_view password, password_cost cost);

/// Whether `password` is the one `hash` (from hash_password) was made from.
bool password_matches(const std::string& hash, std::string_view password);

} // namespace homeserver

#endif
