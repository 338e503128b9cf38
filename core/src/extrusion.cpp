#include "strata/core/extrusion.h"

#include <algorithm>
#include <boost/geometry/algorithms/equals.hpp>

namespace strata {
namespace {

// Ring without its closing point, counter-clockwise (seen from above) when `ccw`.
std::vector<Point2> open_ring(const Ring2& ring, bool ccw) {
  std::vector<Point2> points(ring.begin(), ring.end());
  if (points.size() > 1 && boost::geometry::equals(points.front(), points.back()))
    points.pop_back();
  double twice_area = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto& a = points[i];
    const auto& b = points[(i + 1) % points.size()];
    twice_area += a.x() * b.y() - b.x() * a.y();
  }
  if ((twice_area > 0) != ccw) std::reverse(points.begin(), points.end());
  return points;
}

Ring3 at_height(const std::vector<Point2>& ring, double z, bool reversed) {
  Ring3 out;
  for (const auto& p : ring) out.push_back({p.x(), p.y(), z});
  if (reversed) std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

CityGeometry extrude_footprint(const MultiPolygon2& footprint, double base, double top,
                               const std::string& lod) {
  CityGeometry geometry;
  geometry.lod = lod;
  geometry.type = footprint.size() == 1 ? CityGeometryType::kSolid : CityGeometryType::kMultiSolid;
  for (const auto& polygon : footprint) {
    // Outer ring counter-clockwise, holes clockwise: then the top face as is, the bottom
    // reversed, and each edge a->b makes an outward wall (a, b at base, then b, a at top).
    std::vector<std::vector<Point2>> rings{open_ring(polygon.outer(), true)};
    for (const auto& inner : polygon.inners()) rings.push_back(open_ring(inner, false));
    Shell3 shell;
    Surface3 bottom, roof;
    for (const auto& ring : rings) {
      bottom.push_back(at_height(ring, base, true));
      roof.push_back(at_height(ring, top, false));
    }
    shell.push_back(std::move(bottom));
    shell.push_back(std::move(roof));
    for (const auto& ring : rings)
      for (std::size_t i = 0; i < ring.size(); ++i) {
        const auto& a = ring[i];
        const auto& b = ring[(i + 1) % ring.size()];
        shell.push_back({{{a.x(), a.y(), base},
                          {b.x(), b.y(), base},
                          {b.x(), b.y(), top},
                          {a.x(), a.y(), top}}});
      }
    geometry.solids.push_back({std::move(shell)});
    geometry.semantics.push_back("GroundSurface");
    geometry.semantics.push_back("RoofSurface");
    for (const auto& ring : rings)
      geometry.semantics.insert(geometry.semantics.end(), ring.size(), "WallSurface");
  }
  return geometry;
}

}  // namespace strata
