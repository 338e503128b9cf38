#pragma once
// `strata query at X Y Z` and `strata query units`: questions on the 3D ownership model
// written by `units build` (a CityJSON file), answered from a 3D R-tree.
#include <CLI/CLI.hpp>
#include <memory>

#include "cli_output.h"
#include "strata/engine/query_3d_job.h"

namespace strata::cli {

struct Query3dArgs {
  engine::Query3dOptions options;
  CLI::App* at = nullptr;
  CLI::App* units = nullptr;
};

void add_query_3d(CLI::App* query, const std::shared_ptr<Query3dArgs>& args);
// Runs the 3D verb that was given; nothing when none was.
std::optional<int> run_query_3d(const GlobalOptions& g, const Query3dArgs& args);

}  // namespace strata::cli
