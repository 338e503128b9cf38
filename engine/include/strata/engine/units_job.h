#pragma once
// The 3D building-ownership model as a job: `units build` (a registry joined to footprints) and
// `units generate` (units derived from heights), and the [units] section of a project file,
// filled from one option schema.
#include <string>

#include <nlohmann/json.hpp>

#include "strata/engine/job_result.h"
#include "strata/engine/option_schema.h"
#include "strata/io/building_footprints.h"
#include "strata/io/project_file.h"
#include "strata/io/store.h"

namespace strata::engine {

struct UnitsOptions {
  io::FootprintOptions footprints;  // footprints.path: the footprints file
  std::string registry, out, report, profile = "public", store, gpkg, registry_encoding;
  double area_tolerance = 0.05, overlap_tolerance = 0.01;
  std::string as_of;
  bool save = false;
  bool generate = false;  // no registry: storeys and units derived from heights
};

// Every option but the footprints file; `generate` leaves out the registry's.
const OptionSchema<UnitsOptions>& units_option_schema(bool generate);
// What the schema cannot say alone (options that exclude each other, the profile's values);
// throws StrataError(903).
void check_units_options(const UnitsOptions& options);

// Builds the model and writes what the options ask for. `store`: an open project store to link
// the buildings to their land and to save into (a run's own); null: --store is opened. The
// result's `findings` is set when the 8xx checks found problems.
JobResult run_units(const UnitsOptions& options, io::Store* store = nullptr);

// [units] of a project: throws StrataError(970) naming the line for a bad option.
void check_project_units(const io::Project& project);
// Runs it into <output>/units (model.city.json, report.json, ownership_errors.gpkg) and saves
// the model into `store`.
JobResult run_project_units(const io::Project& project, io::Store& store);

}  // namespace strata::engine
