// Fuzz target: detection-survey point files (PLY, PCD, XYZ through Open3D; CSV through GDAL),
// chosen by the input's first byte. Each either reads points or throws StrataError; every point
// returned is finite.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_input_file.h"
#include "strata/core/error.h"
#include "strata/io/survey_points.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const char* const suffixes[] = {".ply", ".pcd", ".xyz", ".csv"};
  std::string suffix = ".xyz";
  if (size >= 3 && data[0] == 'p' && data[1] == 'l' && data[2] == 'y')
    suffix = ".ply";
  else if (size >= 1 && data[0] == '#')
    suffix = ".pcd";
  else if (size >= 1)
    suffix = suffixes[data[size - 1] % 4];
  const auto path = strata::fuzz::write_input_as(data, size, suffix);
  try {
    const auto read = strata::io::read_survey_points(path.string());
    for (const auto& p : read.points)
      if (!std::isfinite(p[0]) || !std::isfinite(p[1]) || !std::isfinite(p[2])) __builtin_trap();
  } catch (const strata::StrataError&) {
  }
  return 0;
}
