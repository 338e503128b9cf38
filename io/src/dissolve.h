#pragma once
// Merging features that share a value (a layer's dissolve): statistical areas into their
// district, zoning polygons into their plan area (private to io/).
#include <cstddef>
#include <string>
#include <vector>

#include "strata/core/kind_schema.h"
#include "strata/core/record.h"

namespace strata::io {

struct DissolvedRecord {
  Record record;                     // id = the shared value, geometry = the members' union
  std::vector<std::size_t> members;  // indices into the input, in input order
  std::vector<std::string> conflicting_fields;  // fields the members disagree on (left empty)
};

// Groups `records` by `keys` (one per record), in order of first appearance. Additive fields
// (counts and areas, FieldSpec::additive) are summed; any other field keeps its value when it
// is equal in every member, and is otherwise left empty and named in conflicting_fields.
// Throws StrataError when GEOS cannot union a group.
std::vector<DissolvedRecord> dissolve_records(std::vector<Record> records,
                                              const std::vector<std::string>& keys,
                                              const KindSpec& kind, const std::string& field);

}  // namespace strata::io
