#pragma once
// A solid whose shells passed every check, kept for the tests between solids (5xx, 601, 8xx).
#include <optional>
#include <vector>

#include "indexed_shell.h"
#include "solid_relations.h"
#include "strata/core/validation_finding.h"
#include "strata/spatial/geometry_validation.h"

namespace strata::spatial::validation {

struct ValidatedSolid {
  std::vector<ClosedShell> shells;  // outer first
};

// Validates the shells of one solid (or, with closed = false, one CompositeSurface) and the
// relations of its inner shells; the solid comes back only when it is valid.
// The shells' spatial structures (ClosedShell) are built only with `keep_shells` or when the
// solid has cavities: most solids never meet another.
std::optional<ValidatedSolid> validate_solid(const std::vector<Shell3>& shells, int solid_index,
                                             bool closed, bool keep_shells, VertexPool& pool,
                                             const ValidationTolerances& tolerances,
                                             std::vector<ValidationFinding>& out);

// True when the interiors of two valid solids overlap by more than the tolerance allows.
bool solids_overlap(const ValidatedSolid& a, const ValidatedSolid& b, double tolerance,
                    std::optional<Point3>& where);

// validate_geometry, keeping the valid solids (in order; invalid ones are left out).
std::vector<ValidationFinding> validate_geometry_keeping(const CityGeometry& geometry,
                                                         const ValidationTolerances& tolerances,
                                                         std::vector<ValidatedSolid>* kept);

}  // namespace strata::spatial::validation
