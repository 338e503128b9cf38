#pragma once
// `strata inspect` as a job: what a city model file holds.
#include <string>

#include "strata/engine/job_result.h"

namespace strata::engine {

// Version, CRS, objects by type with their extent and height range, geometry types and LoDs,
// and every object, geometry or line left out (result "rejected": the command exits 4) or read
// around (`warnings`). `crs`: for a CityGML whose srsName strata cannot resolve.
JobResult run_inspect(const std::string& file, const std::string& crs = "");

}  // namespace strata::engine
