#pragma once
// Fuzz targets that drive file readers write each input to one temporary file per process.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace strata::fuzz {

// Writes the input to "<tmp>/strata_fuzz_<pid><suffix>" and returns that path.
inline std::filesystem::path write_input(const std::uint8_t* data, std::size_t size,
                                         const std::string& suffix) {
  static const auto path =
      std::filesystem::temp_directory_path() / ("strata_fuzz_" + std::to_string(getpid()) + suffix);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

// Same, for targets whose suffix changes from input to input (readers chosen by extension).
inline std::filesystem::path write_input_as(const std::uint8_t* data, std::size_t size,
                                            const std::string& suffix) {
  const auto path =
      std::filesystem::temp_directory_path() / ("strata_fuzz_" + std::to_string(getpid()) + suffix);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

}  // namespace strata::fuzz
