#pragma once
// Detection-survey points (ground-penetrating radar or electromagnetic locator picks) for the
// detection overlay (docs/pipes.md): PLY, PCD, XYZ/PTS through Open3D; LAS 1.0-1.4 read here;
// CSV and any GDAL point layer through OGR.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "strata/core/feature_issue.h"

namespace strata::io {

struct SurveyPoints {
  std::string format;                         // "PLY", "LAS 1.2", "CSV", ...
  std::vector<std::array<double, 3>> points;  // x, y, z as the file gives them
  std::optional<std::string> crs;             // where the file declares one (CSV/GDAL layers)
  std::vector<FeatureIssue> issues;           // rows that could not be read (CSV, GDAL layers)
};

// Throws StrataError naming the file: 901 unreadable, 904 not a point format strata reads
// (LAZ: compressed, no decoder is packaged for Debian 12), 902 a truncated or inconsistent LAS
// file. Points without a finite x, y and z are issues (CSV rows) or left out and counted.
SurveyPoints read_survey_points(const std::string& path);

// The LAS reader on its own (also used by the fuzz target): the points of an in-memory file.
SurveyPoints read_las(const std::string& name, const std::string& bytes);

}  // namespace strata::io
