// Fuzz target: the building registry reader (CSV through GDAL's CSV driver, JSON by hand on
// nlohmann) either reads rows (rejecting bad ones with a reason) or throws StrataError; never a
// crash, a hang or another exception. Shares go through Share::parse, Chinese numerals included.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_input_file.h"
#include "strata/core/error.h"
#include "strata/io/registry_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // JSON when the input looks like it, CSV otherwise: the reader chooses by extension.
  std::size_t first = 0;
  while (first < size && (data[first] == ' ' || data[first] == '\n' || data[first] == '\t'))
    ++first;
  const bool json = first < size && (data[first] == '{' || data[first] == '[');
  const auto path = strata::fuzz::write_input_as(data, size, json ? ".json" : ".csv");
  try {
    std::vector<strata::FeatureIssue> issues;
    const auto model = strata::io::read_registry(path.string(), issues);
    (void)model;
  } catch (const strata::StrataError&) {
  }
  return 0;
}
