#pragma once
// `strata validate` as a job: geometric validation of 3D city objects and meshes with val3dity's
// error codes (CityJSON, CityJSONSeq, CityGML, .poly, .off, .obj), the options in one schema.
#include <string>
#include <vector>

#include "strata/engine/job_result.h"
#include "strata/engine/option_schema.h"
#include "strata/spatial/city_model_validation.h"

namespace strata::engine {

struct ValidateOptions {
  std::string file;                       // the file to validate
  std::vector<std::string> inner_shells;  // shells added as cavities of the first solid
  std::string primitive = "Solid";        // how .poly/.off/.obj shells are read
  spatial::ValidationTolerances tolerances;
  std::string report;  // the full per-feature report (JSON), streamed as objects complete
  std::string gpkg;    // every error as a 3D point, layer validation_errors
  unsigned threads = 0;
  std::string crs;  // CRS of a CityGML whose srsName strata cannot resolve
};

// Every option but the file.
const OptionSchema<ValidateOptions>& validate_option_schema();

// Validates the file. The result's `findings` is set when an object is invalid; `failure` when
// the file could not be read (its errors are in the result's file_errors, "ok": false);
// `warnings` when the reader read around something (e.g. an axis order).
JobResult run_validate(const ValidateOptions& options);

}  // namespace strata::engine
