#pragma once
// `strata import` as a job: a project's layers, or one data file (with its kind, name and field
// mapping), into a store in one transaction.
#include <string>
#include <vector>

#include "strata/engine/job_result.h"
#include "strata/io/project_file.h"
#include "strata/io/project_import.h"

namespace strata::engine {

struct ImportJobOptions {
  std::string input;                // project file (.toml) or a data file
  std::vector<std::string> layers;  // only these project layers; empty = all
  bool keep_going = false;          // write the layers that import even if another fails
  bool dry_run = false;             // read and check everything, write nothing
  std::string store;                // overrides the project's store (required for a data file)
  // A data file instead of a project file:
  std::string kind, name, crs, source_layer, project_crs = "EPSG:3826", encoding;
  std::vector<std::string> fields;        // canonical=source (a+b sums numeric fields)
  std::vector<std::string> open_options;  // GDAL open options
};

// The project a data file makes (one layer); throws StrataError(903) naming what is missing.
io::Project data_file_project(const ImportJobOptions& options);

// Imports. The result's `failure` is the first failed layer's code (nothing written unless
// keep_going); `warnings` when features or rows were rejected or warned about.
JobResult run_import(const ImportJobOptions& options, const io::ProgressFn& progress = {});

}  // namespace strata::engine
