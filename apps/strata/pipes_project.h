#pragma once
// The [pipes] analyses of a project file, run by `strata run` as the `strata pipes <kind>`
// commands they describe (docs/pipes.md, "In the project file").
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "strata/core/pipe.h"
#include "strata/io/project_file.h"

namespace strata::cli {

// Parses every analysis's options without running it: throws StrataError(kProjectFile) naming
// the analysis and what is wrong.
void check_project_pipes(const io::Project& project);

// Runs them, writing <output>/pipes/<name>.json and .gpkg; returns the summary per analysis and
// appends a line per analysis to `text`.
nlohmann::json run_project_pipes(const io::Project& project, std::string& text);

// The project's [[pipes.networks]] read with their options and the [pipes] settings, as the
// analyses read them (for exports).
struct ProjectNetwork {
  std::string name, file;
  PipeNetwork network;
  std::optional<std::string> crs;  // as the file (or [pipes] crs) declares it
};
std::vector<ProjectNetwork> load_project_networks(const io::Project& project);

}  // namespace strata::cli
