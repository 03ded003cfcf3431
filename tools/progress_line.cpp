#include "tools/progress_line.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace hookline {
namespace {

constexpr std::size_t kBarWidth = 40;

// "7s", "3m05s", "2h10m".
std::string shortDuration(double seconds) {
  const auto whole = static_cast<long long>(std::ceil(std::max(seconds, 0.0)));
  char text[32];
  if (whole < 60) {
    std::snprintf(text, sizeof text, "%llds", whole);
  } else if (whole < 3600) {
    std::snprintf(text, sizeof text, "%lldm%02llds", whole / 60, whole % 60);
  } else {
    std::snprintf(text, sizeof text, "%lldh%02lldm", whole / 3600, whole % 3600 / 60);
  }
  return text;
}

}  // namespace

std::string renderProgress(std::size_t done, std::size_t total,
                           std::chrono::duration<double> elapsed) {
  const double share =
      total == 0 ? 1.0 : std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
  const auto filled = static_cast<std::size_t>(share * kBarWidth);
  const double seconds = elapsed.count();
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
  const std::string eta = done >= total ? "0s"
                          : rate > 0    ? shortDuration(static_cast<double>(total - done) / rate)
                                        : "--";
  char numbers[128];
  std::snprintf(numbers, sizeof numbers, "] %zu/%zu  %.0f/s  ETA %s", done, total, rate,
                eta.c_str());
  return "[" + std::string(filled, '#') + std::string(kBarWidth - filled, '.') + numbers;
}

ProgressLine::ProgressLine(std::FILE* out, std::size_t total, bool enabled,
                           std::chrono::milliseconds every)
    : out_(out),
      total_(total),
      enabled_(enabled),
      every_(every),
      started_(Clock::now()),
      next_draw_(started_ + every) {}

bool ProgressLine::enabledFor(std::FILE* out, bool quiet) {
  return !quiet && ::isatty(::fileno(out)) == 1;
}

void ProgressLine::update(std::size_t done) {
  if (!enabled_) {
    return;
  }
  const auto now = Clock::now();
  if (now < next_draw_) {
    return;
  }
  next_draw_ = now + every_;
  draw(done);
}

void ProgressLine::finish(std::size_t done) {
  if (!enabled_ || drawn_width_ == 0) {
    return;
  }
  draw(done);
  std::fputc('\n', out_);
  std::fflush(out_);
  drawn_width_ = 0;
}

double ProgressLine::elapsedSeconds() const {
  return std::chrono::duration<double>(Clock::now() - started_).count();
}

void ProgressLine::draw(std::size_t done) {
  const std::string text = renderProgress(done, total_, Clock::now() - started_);
  const std::size_t blank = drawn_width_ > text.size() ? drawn_width_ - text.size() : 0;
  std::fprintf(out_, "\r%s%s", text.c_str(), std::string(blank, ' ').c_str());
  std::fflush(out_);
  drawn_width_ = text.size();
}

}  // namespace hookline
