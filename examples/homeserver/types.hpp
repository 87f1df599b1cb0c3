#ifndef HOMESERVER_TYPES_HPP
#define HOMESERVER_TYPES_HPP

// C++ stand-ins for the Synapse types the module callbacks receive.

#include "json.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace homeserver {

struct event {
  std::string event_id;
  std::string room_id;
  std::string sender;
  std::string type;
  std::optional<std::string> state_key; // engaged for state events
  json content;
};

/// The state of a room: state events keyed by (event type, state key).
using state_map = std::map<std::pair<std::string, std::string>, event>;

/// Who performs a request.
struct requester {
  std::string user_id;
  bool is_guest = false;
};

/// A user's profile after an update.
struct profile_info {
  std::string display_name;
  std::optional<std::string> avatar_url;
};

/// An uploaded file: its bytes and what the uploader said about it.
struct media_file {
  std::string bytes;
};
struct file_info {
  std::string name;
  std::string content_type;
  std::uint64_t size = 0;
};

/// check_event_for_spam's answer: not spam, or spam with the reason given to the sender.
struct spam_verdict {
  bool spam = false;
  std::string reason;

  static spam_verdict not_spam() { return {}; }
  static spam_verdict because(std::string why) { return {true, std::move(why)}; }
};

/// check_event_allowed's answer: allowed or not and, when allowed, possibly a replacement
/// for the event's content.
struct allow_result {
  bool allowed = true;
  std::optional<json> replacement_content;

  static allow_result allow() { return {}; }
  static allow_result deny() { return {false, std::nullopt}; }
  static allow_result replace(json content) { return {true, std::move(content)}; }
};

} // namespace homeserver

#endif
