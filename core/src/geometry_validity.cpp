#include "strata/core/geometry_validity.h"

#include <boost/geometry/algorithms/area.hpp>
#include <boost/geometry/algorithms/correct.hpp>
#include <boost/geometry/algorithms/intersects.hpp>
#include <boost/geometry/algorithms/is_valid.hpp>

namespace strata {
namespace bg = boost::geometry;

namespace {
ErrorCode to_code(bg::validity_failure_type failure) {
  switch (failure) {
    case bg::failure_few_points:
    case bg::failure_wrong_topological_dimension: return ErrorCode::kTooFewPoints;
    case bg::failure_duplicate_points: return ErrorCode::kConsecutivePointsSame;
    case bg::failure_not_closed: return ErrorCode::kRingNotClosed;
    case bg::failure_spikes:
    case bg::failure_self_intersections: return ErrorCode::kRingSelfIntersection;
    case bg::failure_intersecting_interiors: return ErrorCode::kIntersectionRings;
    case bg::failure_disconnected_interior: return ErrorCode::kInteriorDisconnected;
    case bg::failure_interior_rings_outside: return ErrorCode::kInnerRingOutside;
    case bg::failure_nested_interior_rings: return ErrorCode::kInnerRingsNested;
    case bg::failure_wrong_orientation:
    case bg::failure_wrong_corner_order: return ErrorCode::kOrientationRingsSame;
    default: return ErrorCode::kInternal;
  }
}
}  // namespace

std::optional<GeometryProblem> check_polygonal(const MultiPolygon2& geometry) {
  bg::validity_failure_type failure{};
  if (bg::is_valid(geometry, failure)) return std::nullopt;
  if (failure == bg::failure_wrong_orientation || failure == bg::failure_wrong_corner_order) {
    // Boost tests orientation before anything else; report a deeper problem when there is one
    // (a bow-tie has no orientation at all) and orientation only when it is the sole issue.
    MultiPolygon2 corrected = geometry;
    bg::correct(corrected);
    if (bg::is_valid(corrected, failure))
      return GeometryProblem{ErrorCode::kOrientationRingsSame, "rings are not oriented as required"};
    if (failure == bg::failure_wrong_orientation || failure == bg::failure_wrong_corner_order) {
      // Still no orientation after correcting: a ring with zero signed area, which is a ring
      // crossing itself (bow-tie) or one collapsed onto a line.
      for (const auto& part : geometry) {
        if (bg::intersects(part.outer()))
          return GeometryProblem{ErrorCode::kRingSelfIntersection, "a ring crosses itself (zero signed area)"};
      }
      return GeometryProblem{ErrorCode::kTooFewPoints, "a ring has zero area (collapsed)"};
    }
    return check_polygonal(corrected);
  }
  std::string message;
  bg::is_valid(geometry, message);
  ErrorCode code = to_code(failure);
  if (failure == bg::failure_self_intersections) {
    // Boost does not say which rings meet. If no ring crosses itself, two rings cross each other
    // (an inner ring and its outer, or two parts of a multipolygon): val3dity's 201.
    bool some_ring_crosses_itself = false;
    for (const auto& part : geometry) {
      some_ring_crosses_itself |= bg::intersects(part.outer());
      for (const auto& inner : part.inners()) some_ring_crosses_itself |= bg::intersects(inner);
    }
    if (!some_ring_crosses_itself) code = ErrorCode::kIntersectionRings;
  }
  return GeometryProblem{code, message};
}

double area_m2(const MultiPolygon2& geometry) { return bg::area(geometry); }

}  // namespace strata
