#pragma once
// A project runs as one library call: import every layer (one transaction), run the analyses
// the project names in order, handing each stage's results to the next in memory, and write
// the outputs it asks for with summary.json. The command line (`strata run`), Python and the
// QGIS provider all call this.
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "strata/core/error.h"
#include "strata/engine/observer.h"
#include "strata/io/project_file.h"

namespace strata::engine {

struct RunOptions {
  bool keep_going = false;  // keep the layers that import even if another fails
  bool dry_run = false;     // check the project and its data, write nothing
};

struct RunResult {
  nlohmann::json summary;  // summary.json as written
  std::string text;        // the readable summary
  bool ok = false;
  // Why it is not ok: the first failed layer's code, else an export's, else a map's (985).
  std::optional<ErrorCode> failure;
  enum class Failed { kNothing, kImport, kExport, kRender } failed = Failed::kNothing;
  std::vector<std::string> import_errors;  // "error 901 FILE_UNREADABLE: ..." per failed layer
  std::int64_t rejected_or_warned = 0;     // features or rows rejected or warned about
  // Stages that computed their results around a problem (indicator warnings 955-958, a pipe
  // analysis on a network read around a rejected feature, registry rows rejected): --strict
  // fails the run on them too.
  std::vector<std::string> warned_stages;
  std::size_t files_read = 0;  // pipe inputs read (each file once per way of reading)
  nlohmann::json indicators;   // the indicator table, when the run computed it
};

// Throws StrataError for what stops the run as a whole (970 for the project file, 960 for the
// store, 990 when the observer cancels); a layer, an export or a map that fails is reported in
// the result instead.
RunResult run_project(const io::Project& project, const RunOptions& options, Observer& observer);
RunResult run_project(const std::filesystem::path& project_file, const RunOptions& options,
                      Observer& observer);

}  // namespace strata::engine
