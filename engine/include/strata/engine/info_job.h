#pragma once
// `strata info` as a job: a store's layers, counts, provenance and import report, and the
// versions of the linked libraries.
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "strata/engine/job_result.h"

namespace strata::engine {

struct InfoOptions {
  std::string target;      // store or project; "" with `libraries` alone
  bool libraries = false;  // the linked libraries' versions
  bool issues = false;     // the import report
  std::string layer;       // restrict the report to one layer
  std::size_t limit = 50;  // issues shown in the text (all of them in the result)
};
JobResult run_info(const InfoOptions& options);

// strata, GDAL, PROJ, Boost, CGAL and Open3D versions of this build.
nlohmann::json library_versions();

}  // namespace strata::engine
