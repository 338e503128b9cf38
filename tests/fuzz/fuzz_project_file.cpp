// Fuzz target: a project file either loads or fails with StrataError(kProjectFile); never a
// crash or another exception type.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>

#include "fuzz_input_file.h"
#include "strata/core/error.h"
#include "strata/io/project_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = strata::fuzz::write_input(data, size, ".toml");
  try {
    (void)strata::io::load_project(path);
  } catch (const strata::StrataError&) {
  }
  return 0;
}
