// Fuzz target: the LAS reader (written by hand: no LAS library is packaged for Debian 12) must
// return points or throw StrataError, never crash or read past the input; every point it
// returns is finite.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "strata/core/error.h"
#include "strata/io/survey_points.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    const auto read = strata::io::read_las("fuzz.las", bytes);
    for (const auto& p : read.points)
      if (!std::isfinite(p[0]) || !std::isfinite(p[1]) || !std::isfinite(p[2])) __builtin_trap();
  } catch (const strata::StrataError&) {
  }
  return 0;
}
