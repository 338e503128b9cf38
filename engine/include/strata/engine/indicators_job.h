#pragma once
// The urban indicators of a project's [indicators] section as a job (docs/indicators.md).
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "strata/io/project_file.h"
#include "strata/io/store.h"

namespace strata::engine {

// Computes the indicators from `store` and writes the outputs the section asks for to
// `out_dir` (removing those it no longer asks for); returns the result JSON and sets `text` to
// the readable summary.
nlohmann::json compute_and_write_indicators(const io::Project& project, io::Store& store,
                                            const std::filesystem::path& out_dir, int threads,
                                            std::string& text);

}  // namespace strata::engine
