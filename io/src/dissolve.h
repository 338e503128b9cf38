#pragma once
// Merging features that share a value (a layer's dissolve): statistical areas into their
// district, zoning polygons into their plan area (private to io/).
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "strata/core/kind_schema.h"
#include "strata/core/record.h"

namespace strata::io {

struct DissolvedRecord {
  Record record;                     // id = the shared value, geometry = the members' union
  std::vector<std::size_t> members;  // indices into the input, in input order
  // Fields the members disagree on: left empty, or the first member's value for a required field.
  std::vector<std::string> conflicting_fields;
  // Additive fields summed over some members only (the others had none): field, members without.
  std::vector<std::pair<std::string, std::size_t>> partial_sums;
};

// Groups `records` by `keys` (one per record), in order of first appearance. Additive fields
// (counts and areas, FieldSpec::additive) are summed; any other field keeps its value when it
// is equal in every member, and is otherwise left empty (a required field keeps the first
// member's value) and named in conflicting_fields. A sum over members some of which have no
// value is named in partial_sums.
// Throws StrataError when GEOS cannot union a group.
// `metres_per_unit`: the records' CRS unit, for the merged area_m2.
std::vector<DissolvedRecord> dissolve_records(std::vector<Record> records,
                                              const std::vector<std::string>& keys,
                                              const KindSpec& kind, const std::string& field,
                                              double metres_per_unit);

}  // namespace strata::io
