#pragma once
// Imports a project's layers into its store as one transaction.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "strata/io/layer_import.h"
#include "strata/io/project_file.h"
#include "strata/io/store.h"

namespace strata::io {

struct ImportOptions {
  std::vector<std::string> only_layers;  // empty: all layers of the project
  bool keep_going = false;               // import the layers that succeed even when another fails
  bool dry_run = false;                  // read and check everything, write nothing
};

struct LayerFailure {
  std::string layer;
  ErrorCode code;
  std::string message;
};

struct ProjectImport {
  std::vector<LayerImport> layers;
  std::vector<LayerFailure> failures;
  std::vector<FeatureIssue> table_issues;
  bool written = false;  // false when nothing was committed (a failure without keep_going)
  nlohmann::json summary() const;  // per layer: counts, join stats, provenance; failures
  // Features or rows rejected, and warnings, over every layer and table (for --strict).
  std::int64_t rejected_or_warned() const {
    std::int64_t n = 0;
    for (const auto& l : layers)
      for (const auto& i : l.issues)
        n += i.status == FeatureStatus::kRejected || i.status == FeatureStatus::kWarning;
    for (const auto& i : table_issues)
      n += i.status == FeatureStatus::kRejected || i.status == FeatureStatus::kWarning;
    return n;
  }
};

// Reads tables and layers into `project_crs`, then writes everything that succeeded to `store` in
// one transaction. Without keep_going, any layer failure means nothing is written. A dry run
// needs no store (pass nullptr).
ProjectImport import_project(const Project& project, const Crs& project_crs, Store* store,
                             const ImportOptions& options, const ProgressFn& progress = {});

}  // namespace strata::io
