#pragma once
// Building registry tables modelled on Taiwan's building registration (建物登記): one row per
// right, repeating the registered unit's data — building number (建號), address, floors (層次),
// unit kind (主建物 / 附屬建物 / 共有部分), registered area, the party and its share (權利範圍),
// the parcels (地段 地號) the building stands on, and optionally the unit's own outline. CSV
// (or any OGR table) or JSON; the format is documented in docs/registry.md. Rows that cannot
// be read are rejected with file, row, field and reason; the rest forms the ownership model.
#include <string>
#include <vector>

#include "strata/core/feature_issue.h"
#include "strata/core/ladm.h"

namespace strata::io {

// Reads a registry (.json, or a table: .csv, .xlsx, ...). Throws StrataError(kInvalidInputFile)
// when the file cannot be read and kFieldMissing when a required column is absent. `encoding`
// is the text encoding of a table (e.g. BIG5; empty: UTF-8).
OwnershipModel read_registry(const std::string& path, std::vector<FeatureIssue>& issues,
                             const std::string& encoding = "");

}  // namespace strata::io
