#pragma once
// Fuzz targets that drive file readers write each input to one temporary file per process.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

namespace strata::fuzz {

// The files written by this process, removed when it exits, so that replays in CI leave
// nothing behind in the temporary directory.
class TemporaryInputs {
 public:
  ~TemporaryInputs() {
    for (const auto& p : paths_) {
      std::error_code ignored;
      std::filesystem::remove(p, ignored);
    }
  }
  void add(const std::filesystem::path& p) { paths_.insert(p); }

 private:
  std::set<std::filesystem::path> paths_;
};

inline TemporaryInputs& temporary_inputs() {
  static TemporaryInputs inputs;
  return inputs;
}

// Writes the input to "<tmp>/strata_fuzz_<pid><suffix>" and returns that path.
inline std::filesystem::path write_input(const std::uint8_t* data, std::size_t size,
                                         const std::string& suffix) {
  static const auto path =
      std::filesystem::temp_directory_path() / ("strata_fuzz_" + std::to_string(getpid()) + suffix);
  temporary_inputs().add(path);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

// Same, for targets whose suffix changes from input to input (readers chosen by extension).
inline std::filesystem::path write_input_as(const std::uint8_t* data, std::size_t size,
                                            const std::string& suffix) {
  const auto path =
      std::filesystem::temp_directory_path() / ("strata_fuzz_" + std::to_string(getpid()) + suffix);
  temporary_inputs().add(path);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

}  // namespace strata::fuzz
