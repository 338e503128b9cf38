#include "strata/spatial/solid_footprint.h"

#include <algorithm>
#include <boost/geometry/algorithms/correct.hpp>
#include <limits>

namespace strata::spatial {
namespace {

// Twice the signed area of the ring's projection on the XY plane (Newell's z component).
double projected_area2(const Ring3& ring) {
  double a = 0;
  for (std::size_t i = 0; i < ring.size(); ++i) {
    const Point3& p = ring[i];
    const Point3& q = ring[(i + 1) % ring.size()];
    a += p[0] * q[1] - q[0] * p[1];
  }
  return a;
}

Polygon2 flat(const Surface3& surface) {
  Polygon2 poly;
  for (std::size_t r = 0; r < surface.size(); ++r) {
    Ring2 ring;
    for (const auto& p : surface[r]) ring.emplace_back(p[0], p[1]);
    if (!ring.empty()) ring.push_back(ring.front());
    if (r == 0)
      poly.outer() = std::move(ring);
    else
      poly.inners().push_back(std::move(ring));
  }
  boost::geometry::correct(poly);
  return poly;
}

}  // namespace

std::optional<SolidFootprint> footprint_of(const CityObject& object) {
  SolidFootprint out;
  out.lowest_z = std::numeric_limits<double>::infinity();
  MultiPolygon2 ground, down;
  for (const auto& g : object.geometries) {
    std::size_t k = 0;  // surface index, for the semantics
    for (const auto& solid : g.solids)
      for (const auto& shell : solid)
        for (const auto& surface : shell) {
          const std::string& semantic = k < g.semantics.size() ? g.semantics[k] : std::string();
          ++k;
          if (surface.empty() || surface[0].size() < 3) continue;
          for (const auto& ring : surface)
            for (const auto& p : ring) out.lowest_z = std::min(out.lowest_z, p[2]);
          if (semantic == "GroundSurface") ground.push_back(flat(surface));
          const double a2 = projected_area2(surface[0]);
          if (a2 < -1e-9) down.push_back(flat(surface));
        }
  }
  if (out.lowest_z == std::numeric_limits<double>::infinity()) return std::nullopt;
  out.from_ground_surfaces = !ground.empty();
  out.outline = out.from_ground_surfaces ? std::move(ground) : std::move(down);
  if (out.outline.empty()) return std::nullopt;
  return out;
}

}  // namespace strata::spatial
