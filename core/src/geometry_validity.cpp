#include "strata/core/geometry_validity.h"

#include <boost/geometry/algorithms/area.hpp>
#include <boost/geometry/algorithms/correct.hpp>
#include <boost/geometry/algorithms/intersects.hpp>
#include <boost/geometry/algorithms/is_valid.hpp>
#include <cmath>
#include <regex>

namespace strata {
namespace bg = boost::geometry;

namespace {
ErrorCode to_code(bg::validity_failure_type failure) {
  switch (failure) {
    case bg::failure_few_points:
    case bg::failure_wrong_topological_dimension:
      return ErrorCode::kTooFewPoints;
    case bg::failure_duplicate_points:
      return ErrorCode::kConsecutivePointsSame;
    case bg::failure_not_closed:
      return ErrorCode::kRingNotClosed;
    case bg::failure_spikes:
    case bg::failure_self_intersections:
      return ErrorCode::kRingSelfIntersection;
    case bg::failure_intersecting_interiors:
      return ErrorCode::kIntersectionRings;
    case bg::failure_disconnected_interior:
      return ErrorCode::kInteriorDisconnected;
    case bg::failure_interior_rings_outside:
      return ErrorCode::kInnerRingOutside;
    case bg::failure_nested_interior_rings:
      return ErrorCode::kInnerRingsNested;
    case bg::failure_wrong_orientation:
    case bg::failure_wrong_corner_order:
      return ErrorCode::kOrientationRingsSame;
    default:
      return ErrorCode::kInternal;
  }
}
// Boost's message names the two crossing segments as {source, multi, ring, segment}; when they
// lie on different rings or different parts, two rings cross (201), otherwise one ring crosses
// itself (104). Reading Boost's own finding is more reliable than re-testing each ring, which
// disagrees with is_valid on near-degenerate rings.
bool crossing_is_between_rings(const std::string& message) {
  static const std::regex ids(
      R"(\{(-?\d+), (-?\d+), (-?\d+), (-?\d+)\}/\{(-?\d+), (-?\d+), (-?\d+), (-?\d+)\})");
  std::smatch m;
  if (!std::regex_search(message, m, ids)) return false;
  return m[2] != m[6] || m[3] != m[7];
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
      return GeometryProblem{ErrorCode::kOrientationRingsSame,
                             "rings are not oriented as required"};
    if (failure == bg::failure_wrong_orientation || failure == bg::failure_wrong_corner_order) {
      // Still no orientation after correcting: a ring with zero signed area, which is a ring
      // crossing itself (bow-tie) or one collapsed onto a line.
      for (const auto& part : geometry) {
        bool crosses = bg::intersects(part.outer());
        for (const auto& inner : part.inners()) crosses |= bg::intersects(inner);
        if (crosses)
          return GeometryProblem{ErrorCode::kRingSelfIntersection,
                                 "a ring crosses itself (zero signed area)"};
      }
      return GeometryProblem{ErrorCode::kTooFewPoints, "a ring has zero area (collapsed)"};
    }
    return check_polygonal(corrected);
  }
  std::string message;
  bg::is_valid(geometry, message);
  ErrorCode code = to_code(failure);
  if (failure == bg::failure_self_intersections && crossing_is_between_rings(message)) {
    code = ErrorCode::kIntersectionRings;  // val3dity's 201: two rings (or two parts) cross
  }
  return GeometryProblem{code, message};
}

double area_m2(const MultiPolygon2& geometry, double metres_per_unit) {
  return bg::area(geometry) * metres_per_unit * metres_per_unit;
}

double length_m(const MultiLinestring2& geometry, double metres_per_unit) {
  double total = 0;
  for (const auto& line : geometry)
    for (std::size_t i = 1; i < line.size(); ++i)
      total += std::hypot(line[i].x() - line[i - 1].x(), line[i].y() - line[i - 1].y());
  return total * metres_per_unit;
}

}  // namespace strata
