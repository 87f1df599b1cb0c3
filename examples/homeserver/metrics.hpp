#ifndef HOMESERVER_METRICS_HPP
#define HOMESERVER_METRICS_HPP

// Per-callback counters and dispatch latency, written in Prometheus' text format for
// GET /_synapse/metrics. Updated and read on the homeserver's strand only.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace homeserver {

class callback_metrics {
public:
  /// Every callback, in the order they are written out.
  explicit callback_metrics(std::vector<std::string> callbacks);

  struct outcome {
    bool passed = false, rejected = false;
    std::size_t failures = 0;
  };
  void record(const std::string& callback, outcome o, std::chrono::nanoseconds latency);

  /// Prometheus' text exposition format, version 0.0.4.
  std::string text() const;

private:
  // Upper bounds of the latency buckets, in seconds; +Inf is implied.
  static constexpr std::array<double, 12> bounds{0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005,
                                                 0.001,   0.0025,   0.005,   0.01,   0.1,     1.0};
  struct counters {
    std::uint64_t calls = 0, passes = 0, rejections = 0, failures = 0;
    std::array<std::uint64_t, bounds.size()> buckets{}; // not cumulative: one latency, one bucket
    std::chrono::nanoseconds total{};
  };
  std::vector<std::string> order_;
  std::map<std::string, counters, std::less<>> by_callback_;
};

} // namespace homeserver

#endif
