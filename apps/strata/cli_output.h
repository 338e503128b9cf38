#pragma once
// How every command reports: a JSON document on stdout with --json, readable text otherwise;
// progress and log lines on stderr; exit codes from one table (docs/cli.md).
#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "strata/core/error.h"
#include "strata/io/layer_import.h"

namespace strata::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitNotFound = 1,     // a query found nothing at that point
  kExitUsage = 2,        // bad command-line arguments
  kExitProjectFile = 3,  // the project file is invalid
  kExitInputData = 4,    // input data could not be imported (as a whole, or some layers)
  kExitStore = 5,        // the store cannot be opened or written
  kExitInternal = 6,
  kExitInvalid = 7,  // validation ran and found errors
  kExitExport = 8,   // an export plugin could not be loaded or failed
  kExitRender = 9,   // a map, 3D view or the report could not be drawn
};

int exit_code_for(ErrorCode code);

struct GlobalOptions {
  bool json = false;
  bool quiet = false;
  // --strict: every warning that something was left out or guessed around becomes a failure
  // (exit 4), for pipelines that publish what strata says.
  bool strict = false;
  // Set when a command runs inside another (the pipe analyses of `strata run`): its result goes
  // here instead of stdout.
  std::function<void(const nlohmann::json& result, const std::string& text)> capture;
};

// Prints the command's result: `json` as-is with --json, or `text` otherwise.
void emit(const GlobalOptions& g, const std::string& command, bool ok, const nlohmann::json& result,
          const std::string& text);
// The same for a result with a long list (100,000s of findings): with --json the list is
// written item by item after the rest of `result`, instead of being built in memory first.
void emit_with_list(const GlobalOptions& g, const std::string& command, bool ok,
                    nlohmann::json result, const std::string& list_key, std::size_t count,
                    const std::function<nlohmann::json(std::size_t)>& item,
                    const std::string& text);
// Prints an error the same way and returns its exit code.
int emit_error(const GlobalOptions& g, const std::string& command, const StrataError& e);

// Progress on stderr (suppressed by --quiet): a line per step, or an updating line on a TTY.
io::ProgressFn progress_printer(const GlobalOptions& g);

std::string strata_version();

}  // namespace strata::cli
