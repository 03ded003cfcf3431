#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>

namespace hookline {

// "[##########..............................] 1200/5000  850/s  ETA 4s": how far a long CLI run
// is, as one line of plain text (no control characters). The rate is over `elapsed`; the ETA
// is "--" until something was done.
std::string renderProgress(std::size_t done, std::size_t total,
                           std::chrono::duration<double> elapsed);

// renderProgress() kept up to date on one terminal line (`hookline emit`, `hookline loadtest`):
// each drawing returns to the start of the line and overwrites the last. Draws at most once
// per `every`, the first time only after `every` (so a short run draws nothing). A disabled
// line writes nothing at all; use enabledFor() to enable it only on a terminal.
//
// Threading: one thread at a time.
class ProgressLine {
 public:
  using Clock = std::chrono::steady_clock;

  ProgressLine(std::FILE* out, std::size_t total, bool enabled,
               std::chrono::milliseconds every = std::chrono::milliseconds(100));

  // True when `out` is a terminal and the user did not ask for quiet.
  static bool enabledFor(std::FILE* out, bool quiet);

  // Redraws with `done` when a drawing is due.
  void update(std::size_t done);
  // Draws `done` one last time and ends the line, when anything was drawn.
  void finish(std::size_t done);

  // Seconds since the line was made.
  double elapsedSeconds() const;

 private:
  void draw(std::size_t done);

  std::FILE* out_;
  std::size_t total_;
  bool enabled_;
  std::chrono::milliseconds every_;
  Clock::time_point started_;
  Clock::time_point next_draw_;
  std::size_t drawn_width_ = 0;  // of the last drawing, to blank what a shorter one leaves
};

}  // namespace hookline
