// Fuzz target: read_city_model (CityJSON or CityGML, by content) on any bytes either reads
// (dropping bad geometries with a note) or throws StrataError; never a crash or another exception.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>

#include "strata/core/error.h"
#include "strata/io/citygml_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto path = std::filesystem::temp_directory_path() /
                           ("strata_fuzz_" + std::to_string(getpid()) + ".city.json");
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    std::size_t points = 0;
    (void)strata::io::read_city_model(path.string(), [&](strata::CityObject&& o) {
      for (const auto& g : o.geometries)
        for (const auto& solid : g.solids)
          for (const auto& shell : solid)
            for (const auto& surface : shell)
              for (const auto& ring : surface) points += ring.size();
    });
  } catch (const strata::StrataError&) {
  }
  return 0;
}
