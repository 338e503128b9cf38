#pragma once
#include <filesystem>
#include <vector>

#include "strata/core/feature_issue.h"

namespace strata::io {
// Writes the import report as CSV (through OGR's CSV driver), one row per issue.
void write_issues_csv(const std::filesystem::path& path, const std::vector<FeatureIssue>& issues);
}  // namespace strata::io
