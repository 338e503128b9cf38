// Fuzz target: a project file either loads or fails with StrataError(kProjectFile); never a
// crash or another exception type.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>

#include "strata/core/error.h"
#include "strata/io/project_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto path = std::filesystem::temp_directory_path() /
                           ("strata_fuzz_" + std::to_string(getpid()) + ".toml");
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    (void)strata::io::load_project(path);
  } catch (const strata::StrataError&) {
  }
  return 0;
}
