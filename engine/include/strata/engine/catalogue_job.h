#pragma once
// What this strata offers, as jobs: the feature kinds with their canonical fields (`strata
// kinds`) and the export plugins with their options (`strata plugins list`).
#include <filesystem>
#include <vector>

#include "strata/engine/job_result.h"

namespace strata::engine {

JobResult list_kinds();
// Built-in writers and the plugins of `directories` (and STRATA_PLUGIN_PATH); libraries that
// failed to load are listed under "failures" (980).
JobResult list_plugins(const std::vector<std::filesystem::path>& directories);

}  // namespace strata::engine
