#pragma once
// The `strata pipes` analyses, each registered under `pipes` by add_pipes (docs/pipes.md).
#include "commands.h"

namespace strata::cli {

Runner add_pipes_clearance(CLI::App& pipes, const GlobalOptions& g);
Runner add_pipes_excavation(CLI::App& pipes, const GlobalOptions& g);
Runner add_pipes_detection(CLI::App& pipes, const GlobalOptions& g);
Runner add_pipes_cover(CLI::App& pipes, const GlobalOptions& g);
Runner add_pipes_isolate(CLI::App& pipes, const GlobalOptions& g);
Runner add_pipes_buildings(CLI::App& pipes, const GlobalOptions& g);
Runner add_pipes_parcels(CLI::App& pipes, const GlobalOptions& g);

}  // namespace strata::cli
