#pragma once
// The [units] section of a project: `strata run` builds the 3D ownership model with the options
// of `strata units build` (or `units generate` without a registry) and saves it into the store.
#include <string>

#include <nlohmann/json.hpp>

#include "strata/io/project_file.h"

namespace strata::cli {

// Parses the options without running (StrataError 970 naming the project line).
void check_project_units(const io::Project& project);

// Runs it: <output>/units/model.city.json, report.json (with the 8xx findings) and
// ownership_errors.gpkg; the model saved into the project store. Returns the summary (counts,
// errors_by_code, files) and appends a line to `text`.
nlohmann::json run_project_units(const io::Project& project, std::string& text);

}  // namespace strata::cli
