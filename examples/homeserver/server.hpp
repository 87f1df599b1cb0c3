#ifndef HOMESERVER_SERVER_HPP
#define HOMESERVER_SERVER_HPP

// The reference host: loads the configured modules, replays actions through them and
// prints each decision with the module that made it, then a summary per callback.

#include "config.hpp"
#include "module_support.hpp"
#include "script.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace homeserver {

class server {
public:
  explicit server(std::ostream& out);
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Loads the modules in order and ends start-up. On the first error (unknown module, a
  /// module rejecting its config) nothing is kept and the error names `config_path`, the
  /// entry and the problem.
  modhook::expected<void, std::string> start(const std::string& config_path, const std::vector<module_entry>& entries);

  /// Runs one action through the modules; with `print`, writes what happened.
  void run(const action& a, bool print = true);

  /// Calls, passes, rejections, failures and (with `timing`) nanoseconds per dispatch, for
  /// every callback.
  void print_summary(bool timing) const;

  const web_resources& web() const noexcept { return *web_; }

private:
  struct room {
    std::string creator;
    state_map state;
    std::string visibility = "private";
  };
  struct callback_stats {
    std::size_t calls = 0, passes = 0, rejections = 0, failures = 0;
    std::chrono::nanoseconds time{};
  };

  template <auto Member, class... Args>
  auto dispatch(Args&&... args);

  void say(const std::string& line);
  void log(const std::string& line);
  void module_log(const std::string& line);
  room* find_room(const std::string& id);

  void do_register(const action& a);
  void do_request(const action& a);
  void do_create_room(const action& a);
  void do_send(const action& a);
  void do_invite(const action& a);
  void do_invite_threepid(const action& a);
  void do_visibility(const action& a);
  void do_shutdown(const action& a);
  void do_profile(const action& a);
  void do_deactivate(const action& a);
  void do_reactivate(const action& a);
  void do_bind(const action& a);
  void do_upload(const action& a);
  void do_web(const action& a);

  std::ostream* out_;
  bool printing_ = true;
  std::unique_ptr<web_resources> web_;
  bool started_ = false;
  std::vector<std::string> startup_log_; // what modules said while loading
  std::vector<std::unique_ptr<module_services>> services_;
  std::unique_ptr<hooks> hooks_; // last: the modules go first, they may hold their services
  std::map<std::string, callback_stats> stats_;
  std::vector<std::string> callback_order_;
  std::map<std::string, room> rooms_;
  std::set<std::string> deactivated_;
  int next_event_ = 1;
};

} // namespace homeserver

#endif
