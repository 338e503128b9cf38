#pragma once
// The [pipes] section of a project file: its networks and analyses as jobs of the pipe registry
// (docs/pipes.md, "In the project file"), filled with the same option schemas as
// `strata pipes <kind>`.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "strata/core/pipe.h"
#include "strata/engine/job_result.h"
#include "strata/engine/pipe_analyses.h"
#include "strata/io/project_file.h"

namespace strata::engine {

// The job of one [[pipes.analyses]] table, its options checked; its GeoPackage goes to
// <output>/pipes/<name>.gpkg. Throws StrataError(970) naming the project line.
std::unique_ptr<PipeJob> project_pipe_job(const io::Project& project,
                                          const io::PipeAnalysisSpec& analysis);

// Checks every analysis's options without reading anything (before a run imports).
void check_project_pipes(const io::Project& project);

struct ProjectPipeResult {
  std::string name, kind;
  JobResult result;
  std::filesystem::path json;  // <output>/pipes/<name>.json
  std::optional<std::filesystem::path> gpkg;
};

// Runs them in order, reading each network once (through `cache`), and writes
// <output>/pipes/<name>.json (and .gpkg). Stale files of analyses the project no longer names are
// left alone but never reported: the run's results are what it returns.
std::vector<ProjectPipeResult> run_project_pipes(const io::Project& project, InputCache& cache);

// The summary.json entry of the results (per analysis: kind, files, headline counts) and a
// line per analysis for the text output.
nlohmann::json project_pipes_summary(const std::vector<ProjectPipeResult>& results,
                                     std::string& text);

// The project's [[pipes.networks]] read with their options and the [pipes] settings, as the
// analyses read them (for exports and maps): through `cache`, so nothing is read twice.
struct ProjectNetwork {
  std::string name, file;
  PipeNetwork network;
  std::optional<std::string> crs;  // as the file (or [pipes] crs) declares it
};
std::vector<ProjectNetwork> load_project_networks(const io::Project& project,
                                                  InputCache* cache = nullptr);

}  // namespace strata::engine
