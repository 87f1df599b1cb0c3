// A qsbr_registry: a dispatch costs the sealed registry's plus a pointer load, because the
// threads that dispatch say when they hold nothing. Here a worker thread, registered, handles
// "requests", announces a quiescent state after each, and is offline while it waits for the
// next; the host replaces a module meanwhile. The change never waits: a replaced module is
// destroyed once every registered thread has announced since, or been offline; here the worker
// is offline, so the change itself destroys it (else a later change or reclaim() would).

#include <modhook/modhook.hpp>

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

struct pipeline {
  MODHOOK_CALLBACKS(pipeline, (on_request, modhook::run_all, void(std::string& answer)));
};
using hooks = modhook::qsbr_registry<pipeline>;

struct greeter {
  std::string word;
  greeter(std::string w, hooks::api& api) : word(std::move(w)) {
    if (!api.register_callbacks(pipeline{.on_request = [this](std::string& a) { a += word; }}))
      throw std::runtime_error("cannot register");
  }
  greeter(const greeter&) = delete;
  greeter& operator=(const greeter&) = delete;
  ~greeter() { std::printf("  (%s destroyed)\n", word.c_str()); }
};

int main() {
  hooks h;
  if (!h.load<greeter>("greeter", "hello")) return 1;

  std::mutex m;
  std::condition_variable cv;
  int asked = 0, answered = 0;
  std::string last;
  std::thread worker([&] {
    const modhook::qsbr::reader_thread registered; // this thread dispatches h
    std::unique_lock<std::mutex> lock(m);
    for (int served = 0; served < 2; ++served) {
      {
        const modhook::qsbr::offline_scope waiting; // blocked: holds nothing back
        cv.wait(lock, [&] { return asked > served; });
      }
      std::string answer;
      h.dispatch<&pipeline::on_request>(answer); // one "request"
      last = answer;
      modhook::qsbr::quiescent(); // between requests: no dispatch of h runs here
      ++answered;
      cv.notify_all();
    }
  });
  const auto request = [&] {
    std::unique_lock<std::mutex> lock(m);
    ++asked;
    cv.notify_all();
    cv.wait(lock, [&] { return answered == asked; });
    std::printf("answer: %s\n", last.c_str());
  };

  request();
  if (!h.replace<greeter>("greeter", "bonjour")) return 1;
  std::printf("replaced, sets still waiting: %zu\n", h.reclaim()); // the change did not wait
  request();
  worker.join();
  std::printf("the worker is gone, sets still waiting: %zu\n", h.reclaim());
}
