// Fuzz target: the EPANET / SWMM reader must return a network (with issues) or throw
// StrataError, never crash; every link it returns has a centreline of at least two points,
// finite coordinates and a non-negative diameter.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "fuzz_input_file.h"
#include "strata/core/error.h"
#include "strata/io/network_inp.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = strata::fuzz::write_input(data, size, ".inp");
  try {
    const auto read = strata::io::read_network_inp(path.string());
    for (const auto& link : read.network.links) {
      if (link.centreline.size() < 2 || link.diameter_m < 0) __builtin_trap();
      for (const auto& p : link.centreline)
        if (!std::isfinite(p[0]) || !std::isfinite(p[1]) || !std::isfinite(p[2])) __builtin_trap();
    }
  } catch (const strata::StrataError&) {
  }
  return 0;
}
