#include "strata/core/geometry_validity.h"

#include <boost/geometry/algorithms/area.hpp>
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
  std::string message;
  bg::is_valid(geometry, message);
  return GeometryProblem{to_code(failure), message};
}

double area_m2(const MultiPolygon2& geometry) { return bg::area(geometry); }

}  // namespace strata
