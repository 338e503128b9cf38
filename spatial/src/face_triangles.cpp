// Faces are triangulated with GEOS's constrained Delaunay triangulation (C API, as in spatial/):
// it keeps the ring edges and holes; no triangulation library of its own is needed.
#include "strata/spatial/face_triangles.h"

#include <geos_c.h>

#include <cmath>
#include <memory>

namespace strata::spatial {
namespace {

using Vec = std::array<double, 3>;

Vec sub(const Point3& a, const Point3& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
Vec cross(const Vec& a, const Vec& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
double dot(const Vec& a, const Vec& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
double norm(const Vec& a) { return std::sqrt(dot(a, a)); }

// Newell's normal of a ring (robust for non-convex rings), not normalised.
Vec newell(const Ring3& ring) {
  Vec n{0, 0, 0};
  for (std::size_t i = 0; i < ring.size(); ++i) {
    const auto& a = ring[i];
    const auto& b = ring[(i + 1) % ring.size()];
    n[0] += (a[1] - b[1]) * (a[2] + b[2]);
    n[1] += (a[2] - b[2]) * (a[0] + b[0]);
    n[2] += (a[0] - b[0]) * (a[1] + b[1]);
  }
  return n;
}

struct GeosContext {
  GEOSContextHandle_t h = GEOS_init_r();
  ~GeosContext() { GEOS_finish_r(h); }
};

}  // namespace

std::vector<Triangle> triangulate_face(const Surface3& face) {
  std::vector<Triangle> out;
  if (face.empty() || face[0].size() < 3) return out;
  const Vec n = newell(face[0]);
  const double len = norm(n);
  if (len < 1e-12) return out;
  // Drop the axis the normal points along most; the face is a graph over the other two.
  int drop = 0;
  for (int i = 1; i < 3; ++i)
    if (std::abs(n[i]) > std::abs(n[drop])) drop = i;
  const int u = (drop + 1) % 3, v = (drop + 2) % 3;
  const double d = dot(n, face[0][0]);
  auto lift = [&](double a, double b) {
    Point3 p{};
    p[u] = a, p[v] = b;
    p[drop] = (d - n[u] * a - n[v] * b) / n[drop];
    return p;
  };

  thread_local GeosContext geos;
  auto ring_of = [&](const Ring3& r) -> GEOSGeometry* {
    GEOSCoordSequence* seq = GEOSCoordSeq_create_r(geos.h, static_cast<unsigned>(r.size() + 1), 2);
    for (std::size_t i = 0; i <= r.size(); ++i) {
      const auto& p = r[i % r.size()];
      GEOSCoordSeq_setXY_r(geos.h, seq, static_cast<unsigned>(i), p[u], p[v]);
    }
    return GEOSGeom_createLinearRing_r(geos.h, seq);
  };
  GEOSGeometry* shell = ring_of(face[0]);
  std::vector<GEOSGeometry*> holes;
  for (std::size_t i = 1; i < face.size(); ++i)
    if (face[i].size() >= 3) holes.push_back(ring_of(face[i]));
  GEOSGeometry* polygon =
      GEOSGeom_createPolygon_r(geos.h, shell, holes.data(), static_cast<unsigned>(holes.size()));
  if (!polygon) return out;
  GEOSGeometry* triangles = GEOSConstrainedDelaunayTriangulation_r(geos.h, polygon);
  GEOSGeom_destroy_r(geos.h, polygon);
  if (!triangles) return out;
  const int count = GEOSGetNumGeometries_r(geos.h, triangles);
  for (int k = 0; k < count; ++k) {
    const GEOSGeometry* tri = GEOSGetGeometryN_r(geos.h, triangles, k);
    const GEOSGeometry* ring = GEOSGetExteriorRing_r(geos.h, tri);
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(geos.h, ring);
    Triangle t{};
    for (unsigned i = 0; i < 3; ++i) {
      double x = 0, y = 0;
      GEOSCoordSeq_getXY_r(geos.h, seq, i, &x, &y);
      t.corners[i] = lift(x, y);
    }
    // Wind like the face (its normal), whatever GEOS's orientation.
    if (dot(cross(sub(t.corners[1], t.corners[0]), sub(t.corners[2], t.corners[0])), n) < 0)
      std::swap(t.corners[1], t.corners[2]);
    out.push_back(t);
  }
  GEOSGeom_destroy_r(geos.h, triangles);
  return out;
}

std::vector<Triangle> tube(const std::vector<Point3>& line, double radius, int sides) {
  std::vector<Triangle> out;
  constexpr double kPi = 3.14159265358979323846;
  for (std::size_t s = 0; s + 1 < line.size(); ++s) {
    const Point3& a = line[s];
    const Point3& b = line[s + 1];
    const Vec axis = sub(b, a);
    const double l = norm(axis);
    if (l < 1e-9) continue;
    const Vec w{axis[0] / l, axis[1] / l, axis[2] / l};
    // Two unit vectors across the axis.
    Vec helper = std::abs(w[2]) < 0.9 ? Vec{0, 0, 1} : Vec{1, 0, 0};
    Vec p = cross(w, helper);
    const double lp = norm(p);
    p = {p[0] / lp, p[1] / lp, p[2] / lp};
    const Vec q = cross(w, p);
    auto ring_point = [&](const Point3& c, int i) {
      const double t = 2 * kPi * i / sides;
      const double cs = std::cos(t) * radius, sn = std::sin(t) * radius;
      return Point3{c[0] + p[0] * cs + q[0] * sn, c[1] + p[1] * cs + q[1] * sn,
                    c[2] + p[2] * cs + q[2] * sn};
    };
    for (int i = 0; i < sides; ++i) {
      const Point3 a0 = ring_point(a, i), a1 = ring_point(a, i + 1);
      const Point3 b0 = ring_point(b, i), b1 = ring_point(b, i + 1);
      out.push_back({{a0, a1, b1}});
      out.push_back({{a0, b1, b0}});
    }
  }
  return out;
}

}  // namespace strata::spatial
