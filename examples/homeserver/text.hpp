#ifndef HOMESERVER_TEXT_HPP
#define HOMESERVER_TEXT_HPP

// Text from clients, checked before it names something (a path parameter) and escaped before
// it reaches the log: invalid UTF-8 or a line break there would forge or break log lines.

#include <cstddef>
#include <string>
#include <string_view>

namespace homeserver {

/// The length of the UTF-8 sequence that starts `text` at `i`: 1 to 4, or 0 when it is not
/// one (a stray continuation byte, an overlong form, a surrogate, past U+10FFFF, cut short).
inline std::size_t utf8_sequence(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned low = 0x80, high = 0xBF; // the second byte's range
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;  // no overlong forms
    if (lead == 0xED) high = 0x9F; // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F; // nothing past U+10FFFF
  } else {
    return 0;
  }
  if (i + length > text.size() || byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return length;
}

/// Valid UTF-8 without control characters (C0 and DEL): what may name a room, an event type,
/// a state key or a user.
inline bool is_plain_text(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_sequence(text, i);
    if (n == 0) return false;
    if (n == 1 && (static_cast<unsigned char>(text[i]) < 0x20 || text[i] == 0x7F)) return false;
    i += n;
  }
  return true;
}

/// `text` with every byte that is not plain text (see is_plain_text) written as \xNN, and
/// backslashes doubled, so that the escaping cannot be forged either.
inline std::string escaped_for_log(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  constexpr char digits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = utf8_sequence(text, i);
    const auto c = static_cast<unsigned char>(text[i]);
    if (n == 1 && (c < 0x20 || c == 0x7F)) n = 0;
    if (n == 0) {
      out += "\\x";
      out += digits[c >> 4];
      out += digits[c & 0xF];
      ++i;
      continue;
    }
    if (text[i] == '\\') out += '\\';
    out.append(text, i, n);
    i += n;
  }
  return out;
}

} // namespace homeserver

#endif
