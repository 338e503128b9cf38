#pragma once
// `strata buildings extrude` as a job: LoD1 block models from 2D footprints as CityJSON 2.0.
#include <string>

#include "strata/engine/job_result.h"
#include "strata/engine/option_schema.h"

namespace strata::engine {

struct ExtrudeOptions {
  std::string footprints, layer, out, id_field, height_field, storeys_field, base_field, terrain;
  std::string crs, lod = "1.2";
  double height = 0, storey_height = 3.0;  // height: one height for all (0 = from a field)
};

// Writes `out`; every footprint is a building or a rejection in the result's issues. Throws
// StrataError(903) for options that exclude each other.
JobResult run_extrude(const ExtrudeOptions& options);
// Its options but the footprints (given first): the command's flags, Python's keywords. Which
// exclude each other is checked by run_extrude.
const OptionSchema<ExtrudeOptions>& extrude_option_schema();

}  // namespace strata::engine
