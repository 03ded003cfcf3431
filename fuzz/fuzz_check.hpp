#pragma once

#include <cstdio>
#include <cstdlib>

// Stops the fuzzer with a message when an invariant breaks; libFuzzer saves the input that
// did it as a crash-* file. Kept as a macro so the report names the failing line.
#define FUZZ_CHECK(condition)                                                                \
  do {                                                                                       \
    if (!(condition)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (false)
