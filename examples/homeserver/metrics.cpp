#include "metrics.hpp"

#include <cstdio>

namespace homeserver {

callback_metrics::callback_metrics(std::vector<std::string> callbacks) : order_(std::move(callbacks)) {
  for (const auto& name : order_) by_callback_[name];
}

void callback_metrics::record(const std::string& callback, outcome o, std::chrono::nanoseconds latency) {
  counters& c = by_callback_[callback];
  ++c.calls;
  c.passes += o.passed ? 1 : 0;
  c.rejections += o.rejected ? 1 : 0;
  c.failures += o.failures;
  const double seconds = std::chrono::duration<double>(latency).count();
  for (std::size_t i = 0; i < bounds.size(); ++i)
    if (seconds <= bounds[i]) {
      ++c.buckets[i];
      break;
    }
  c.total += latency;
}

namespace {
std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}
void family(std::string& out, const char* name, const char* type, const char* help) {
  out += std::string("# HELP ") + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n';
}
} // namespace

std::string callback_metrics::text() const {
  std::string out;
  struct counter_family {
    const char* name;
    const char* help;
    std::uint64_t counters::*field;
  };
  static constexpr counter_family families[] = {
      {"modhook_callback_calls_total", "Dispatches of a module callback.", &counters::calls},
      {"modhook_callback_passes_total", "Dispatches whose combined result let the action go on.", &counters::passes},
      {"modhook_callback_rejections_total", "Dispatches a module decided against the action.", &counters::rejections},
      {"modhook_callback_failures_total", "Module implementations that threw or returned an error.",
       &counters::failures},
  };
  for (const auto& f : families) {
    family(out, f.name, "counter", f.help);
    for (const auto& name : order_)
      out +=
          std::string(f.name) + "{callback=\"" + name + "\"} " + std::to_string(by_callback_.at(name).*f.field) + '\n';
  }
  family(out, "modhook_callback_dispatch_seconds", "histogram", "Time from the start of a dispatch to its result.");
  for (const auto& name : order_) {
    const counters& c = by_callback_.at(name);
    const std::string labels = "{callback=\"" + name + "\",le=\"";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
      cumulative += c.buckets[i];
      out += "modhook_callback_dispatch_seconds_bucket" + labels + number(bounds[i]) + "\"} " +
             std::to_string(cumulative) + '\n';
    }
    out += "modhook_callback_dispatch_seconds_bucket" + labels + "+Inf\"} " + std::to_string(c.calls) + '\n';
    out += "modhook_callback_dispatch_seconds_sum{callback=\"" + name + "\"} " +
           number(std::chrono::duration<double>(c.total).count()) + '\n';
    out += "modhook_callback_dispatch_seconds_count{callback=\"" + name + "\"} " + std::to_string(c.calls) + '\n';
  }
  return out;
}

} // namespace homeserver
