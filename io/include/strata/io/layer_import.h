#pragma once
// Turns one project layer into model records: reads the source, checks its CRS, maps fields,
// joins a table, reprojects to the project CRS and validates or repairs every geometry. Each
// source feature ends up as a record (imported or repaired) or as a rejection in the issues.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "strata/core/crs.h"
#include "strata/core/feature_issue.h"
#include "strata/core/provenance.h"
#include "strata/core/record.h"
#include "strata/io/project_file.h"
#include "strata/io/table.h"
#include "strata/io/table_join.h"

namespace strata::io {

// Called with (done, total); total is -1 when unknown.
using ProgressFn =
    std::function<void(const std::string& stage, std::int64_t done, std::int64_t total)>;

// A layer's dissolve: how many imported features were merged into how many.
struct DissolveStats {
  std::string field;
  std::int64_t features = 0;
  std::int64_t merged = 0;
};

struct LayerImport {
  Provenance provenance;  // its counts are source features; records can be fewer (dissolve)
  std::vector<Record> records;
  std::vector<FeatureIssue> issues;
  std::optional<JoinStats> join;
  std::optional<DissolveStats> dissolve;
};

// Throws StrataError when the layer cannot be imported as a whole (unreadable file, CRS that
// does not fit, mapped field missing); per-feature problems go into `issues`.
LayerImport import_layer(const LayerSpec& spec, const Crs& project_crs,
                         const std::map<std::string, Table>& tables,
                         const std::string& project_file, const ProgressFn& progress = {});

// SHA-256 of a file, hex (provenance: tells later whether a source changed).
std::string file_sha256(const std::string& path);
// SHA-256 over several files (in name order: per file its name and content hash), for datasets
// made of many files; equals file_sha256 for a single file.
std::string dataset_sha256(std::vector<std::string> files);

}  // namespace strata::io
