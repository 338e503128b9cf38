// Fuzz target: read_city_model (CityJSON or CityGML, by content) on any bytes either reads
// (dropping bad geometries with a note) or throws StrataError; never a crash or another exception.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>

#include "fuzz_input_file.h"
#include "strata/core/error.h"
#include "strata/io/citygml_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = strata::fuzz::write_input(data, size, ".city.json");
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
