#pragma once
// The fate of one input feature (or table row): imported, repaired or rejected, and why.
#include <cstdint>
#include <optional>
#include <string>

#include "strata/core/error.h"

namespace strata {

enum class FeatureStatus { kImported, kRepaired, kRejected, kWarning };

std::string_view status_name(FeatureStatus status);

struct FeatureIssue {
  std::string layer;       // project layer name
  std::string file;        // source file as given in the project
  std::int64_t fid = -1;   // source feature id (OGR FID, or row number for tables)
  std::string feature_id;  // mapped id where known
  FeatureStatus status = FeatureStatus::kRejected;
  ErrorCode code = ErrorCode::kInternal;
  std::string field;           // source field concerned, if any
  std::string message;         // what was wrong and what was expected
  std::string method;          // how it was repaired, for kRepaired
  std::optional<double> x, y;  // location in the project CRS, where known
};

}  // namespace strata
