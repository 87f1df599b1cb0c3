#include "credentials.hpp"

#include <sodium.h>

#include <array>
#include <new>
#include <stdexcept>

namespace homeserver {

namespace {
// libsodium must be initialised before its CSPRNG is used; once, from any thread.
void ready() {
  static const bool initialised = sodium_init() >= 0;
  if (!initialised) throw std::runtime_error("libsodium could not be initialised");
}
} // namespace

password_cost password_cost::interactive() noexcept {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}
password_cost password_cost::minimum() noexcept { return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN}; }

std::string random_token(std::string_view prefix) {
  ready();
  std::array<unsigned char, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::array<char, sodium_base64_ENCODED_LEN(32, variant)> text{};
  sodium_bin2base64(text.data(), text.size(), bytes.data(), bytes.size(), variant);
  sodium_memzero(bytes.data(), bytes.size());
  return std::string(prefix) + text.data();
}

std::string random_device_id() {
  ready();
  std::string id(10, 'A');
  for (char& c : id) c = static_cast<char>('A' + randombytes_uniform(26));
  return id;
}

std::string hash_password(std::string_view password, password_cost cost) {
  ready();
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), cost.passes, cost.memory_bytes,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::bad_alloc(); // the only reason libsodium gives: the memory asked for
  return out.data();
}

bool password_matches(const std::string& hash, std::string_view password) {
  ready();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

} // namespace homeserver
