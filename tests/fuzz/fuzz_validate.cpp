// Fuzz target: the .poly / .off / .obj / CityJSON readers and the whole validator on any bytes.
// The first byte picks the format; the rest is the file. Reading either succeeds or throws
// StrataError, and validation of whatever was read must finish without any exception or crash.
#include <cstddef>
#include <cstdint>

#include "fuzz_input_file.h"
#include "strata/core/error.h"
#include "strata/io/mesh_readers.h"
#include "strata/spatial/city_model_validation.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const char* const kSuffixes[] = {".poly", ".off", ".obj", ".city.json"};
  const auto path = strata::fuzz::write_input_as(data + 1, size - 1, kSuffixes[data[0] % 4]);
  std::size_t findings = 0;
  strata::spatial::CityModelValidator validator(
      {}, [&](strata::spatial::ObjectValidation&& r) { findings += r.findings.size(); }, 1);
  try {
    (void)strata::io::read_solids_file(
        path.string(), [&](strata::CityObject&& o) { validator.add(std::move(o)); });
  } catch (const strata::StrataError&) {
  }
  validator.finish();
  return 0;
}
