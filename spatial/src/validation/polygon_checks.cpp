#include "polygon_checks.h"

#include <CGAL/Constrained_Delaunay_triangulation_2.h>
#include <CGAL/Constrained_triangulation_face_base_2.h>
#include <CGAL/Exact_predicates_inexact_constructions_kernel.h>
#include <CGAL/Triangulation_face_base_with_info_2.h>
#include <CGAL/Triangulation_vertex_base_with_info_2.h>

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <boost/geometry/algorithms/area.hpp>
#include <boost/geometry/algorithms/correct.hpp>
#include <boost/geometry/algorithms/intersection.hpp>
#include <cmath>
#include <deque>
#include <numbers>
#include <sstream>

#include "strata/core/geometry.h"
#include "strata/core/geometry_validity.h"

namespace strata::spatial::validation {
namespace {

using Vec3 = Eigen::Vector3d;

Vec3 vec(const Point3& p, const Point3& origin) {
  return {p[0] - origin[0], p[1] - origin[1], p[2] - origin[2]};
}

std::string fmt(double v) {
  std::ostringstream s;
  s.precision(6);
  s << v;
  return s.str();
}

// --- triangulation -------------------------------------------------------------------------
using K = CGAL::Exact_predicates_inexact_constructions_kernel;
using Vb = CGAL::Triangulation_vertex_base_with_info_2<int, K>;
using Fbi = CGAL::Triangulation_face_base_with_info_2<int, K>;  // nesting depth
using Fb = CGAL::Constrained_triangulation_face_base_2<K, Fbi>;
using Tds = CGAL::Triangulation_data_structure_2<Vb, Fb>;
// A vertex of one ring may lie on an edge of another (a hole touching the outer ring at one
// point is valid, ISO 19107 and val3dity): allowed, as long as no new point must be constructed.
using Cdt = CGAL::Constrained_Delaunay_triangulation_2<
    K, Tds, CGAL::No_constraint_intersection_requiring_constructions_tag>;

// Nesting depth of every face: 0 outside, +1 each time a ring is crossed. Odd = inside.
void mark_depths(Cdt& cdt) {
  for (auto f : cdt.all_face_handles()) f->info() = -1;
  std::deque<Cdt::Edge> frontier;
  auto flood = [&](Cdt::Face_handle start, int depth) {
    std::deque<Cdt::Face_handle> queue{start};
    while (!queue.empty()) {
      auto f = queue.front();
      queue.pop_front();
      if (f->info() != -1) continue;
      f->info() = depth;
      for (int i = 0; i < 3; ++i) {
        auto n = f->neighbor(i);
        if (n->info() != -1) continue;
        if (cdt.is_constrained(Cdt::Edge(f, i)))
          frontier.emplace_back(f, i);
        else
          queue.push_back(n);
      }
    }
  };
  flood(cdt.infinite_face(), 0);
  while (!frontier.empty()) {
    auto [f, i] = frontier.front();
    frontier.pop_front();
    auto n = f->neighbor(i);
    if (n->info() == -1) flood(n, f->info() + 1);
  }
}

// `uv[id]` are the face's vertices in its plane, outer ring counter-clockwise.
std::vector<Triangle> triangulate(const Face& face, const std::vector<std::array<double, 2>>& uv,
                                  const std::vector<int>& local_of, bool fan_if_convex = true) {
  std::vector<Triangle> out;
  // Fast path: a convex polygon without holes is a fan (most walls and flat roofs).
  if (fan_if_convex && face.size() == 1) {
    const Ring& r = face[0];
    const std::size_t n = r.size();
    bool convex = true;
    for (std::size_t i = 0; i < n && convex; ++i) {
      const auto& a = uv[static_cast<std::size_t>(local_of[i])];
      const auto& b = uv[static_cast<std::size_t>(local_of[(i + 1) % n])];
      const auto& c = uv[static_cast<std::size_t>(local_of[(i + 2) % n])];
      const double cross = (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]);
      convex = cross > 0;
    }
    if (convex) {
      for (std::size_t i = 1; i + 1 < n; ++i) out.push_back({r[0], r[i], r[i + 1]});
      return out;
    }
  }
  Cdt cdt;
  std::size_t k = 0;
  for (const Ring& ring : face) {
    std::vector<Cdt::Vertex_handle> handles;
    for (int id : ring) {
      const auto& p = uv[static_cast<std::size_t>(local_of[k++])];
      auto vh = cdt.insert(K::Point_2(p[0], p[1]));
      vh->info() = id;
      handles.push_back(vh);
    }
    for (std::size_t i = 0; i < handles.size(); ++i)
      cdt.insert_constraint(handles[i], handles[(i + 1) % handles.size()]);
  }
  mark_depths(cdt);
  for (auto f : cdt.finite_face_handles()) {
    if (f->info() % 2 != 1) continue;
    out.push_back({f->vertex(0)->info(), f->vertex(1)->info(), f->vertex(2)->info()});
  }
  return out;
}

// A ring without holes that turns left at every vertex and goes round once (its x direction
// reverses exactly twice; a pentagram turns left everywhere too) is simple and convex.
bool strictly_convex(const Face& face, const std::vector<std::array<double, 2>>& uv) {
  if (face.size() != 1) return false;
  const std::size_t n = uv.size();
  int reversals = 0, last_sign = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto &a = uv[i], &b = uv[(i + 1) % n], &c = uv[(i + 2) % n];
    if ((b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]) <= 0) return false;
    const double dx = b[0] - a[0];
    const int sign = dx > 0 ? 1 : dx < 0 ? -1 : 0;
    if (sign != 0) {
      if (last_sign != 0 && sign != last_sign) ++reversals;
      last_sign = sign;
    }
  }
  // Close the cycle: compare the last non-zero direction with the first one.
  for (std::size_t i = 0; i < n; ++i) {
    const double dx = uv[(i + 1) % n][0] - uv[i][0];
    if (dx == 0) continue;
    if ((dx > 0 ? 1 : -1) != last_sign) ++reversals;
    break;
  }
  return reversals == 2;
}

// A hole that lies outside its polygon (touching it at most at points) is 206, not 201.
bool hole_outside(const Polygon2& polygon) {
  Polygon2 outer;
  outer.outer() = polygon.outer();
  for (const auto& inner : polygon.inners()) {
    Polygon2 hole;
    hole.outer() = inner;
    boost::geometry::correct(hole);
    std::vector<Polygon2> common;
    boost::geometry::intersection(outer, hole, common);
    double area = 0;
    for (const auto& p : common) area += boost::geometry::area(p);
    if (area <= 0) return true;
  }
  return false;
}

// The plane fitted by least squares to every vertex of a face (coordinates relative to the first
// vertex, so that large map coordinates keep their precision), oriented like the outer ring
// (Newell's normal); `u`, `v` span it.
struct FittedPlane {
  Point3 origin;
  Vec3 centroid, normal, u, v;
};

FittedPlane fit_plane(const Face& face, const VertexPool& pool) {
  FittedPlane plane;
  plane.origin = pool[face[0][0]];
  std::vector<int> ids;
  for (const Ring& ring : face) ids.insert(ids.end(), ring.begin(), ring.end());
  Vec3 centroid = Vec3::Zero();
  for (int id : ids) centroid += vec(pool[id], plane.origin);
  centroid /= static_cast<double>(ids.size());
  Eigen::Matrix3d covariance = Eigen::Matrix3d::Zero();
  for (int id : ids) {
    const Vec3 d = vec(pool[id], plane.origin) - centroid;
    covariance += d * d.transpose();
  }
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> solver(covariance);
  Vec3 normal = solver.eigenvectors().col(0).normalized();
  Vec3 newell = Vec3::Zero();
  const Ring& outer = face[0];
  for (std::size_t i = 0; i < outer.size(); ++i) {
    const Vec3 a = vec(pool[outer[i]], plane.origin),
               b = vec(pool[outer[(i + 1) % outer.size()]], plane.origin);
    newell += Vec3((a.y() - b.y()) * (a.z() + b.z()), (a.z() - b.z()) * (a.x() + b.x()),
                   (a.x() - b.x()) * (a.y() + b.y()));
  }
  if (newell.dot(normal) < 0) normal = -normal;
  plane.centroid = centroid;
  plane.normal = normal;
  plane.u = solver.eigenvectors().col(2).normalized();
  plane.v = normal.cross(plane.u);
  return plane;
}

}  // namespace

PolygonOutcome check_polygon(const Face& face, const VertexPool& pool,
                             const ValidationTolerances& tolerances, int face_index,
                             std::vector<LocalFinding>& findings) {
  PolygonOutcome outcome;
  auto report = [&](ErrorCode code, int ring, std::string detail, std::optional<Point3> where) {
    findings.push_back({static_cast<int>(code), face_index, ring, std::move(detail), where});
  };
  if (face.empty() || face[0].empty()) {
    report(ErrorCode::kEmptyPrimitive, -1, "polygon without points", std::nullopt);
    return outcome;
  }
  // 1xx: each ring on its own.
  bool rings_ok = true;
  for (std::size_t r = 0; r < face.size(); ++r) {
    const Ring& ring = face[r];
    const int ri = static_cast<int>(r);
    if (ring.size() < 3) {
      report(ErrorCode::kTooFewPoints, ri,
             "ring has " + std::to_string(ring.size()) + " points, at least 3 are needed",
             ring.empty() ? std::nullopt : std::optional<Point3>(pool[ring[0]]));
      rings_ok = false;
      continue;
    }
    bool repeated = false;
    for (std::size_t i = 0; i < ring.size() && !repeated; ++i) {
      if (ring[i] != ring[(i + 1) % ring.size()]) continue;
      report(ErrorCode::kConsecutivePointsSame, ri,
             "points " + std::to_string(i) + " and " + std::to_string((i + 1) % ring.size()) +
                 " are the same (closer than the snap tolerance)",
             pool[ring[i]]);
      repeated = true;
    }
    if (repeated) {
      rings_ok = false;
      continue;
    }
  }
  if (!rings_ok) return outcome;

  // A triangle is planar by definition: its only possible fault is to be exactly collinear
  // (exact predicate), as in val3dity. A thin but real triangle (a sub-millimetre sliver) is
  // valid; no tolerance decides it (strata no longer reports 105, which val3dity never does).
  if (face.size() == 1 && face[0].size() == 3) {
    const auto& r = face[0];
    const auto point = [&](int id) {
      const Point3& p = pool[id];
      return K::Point_3(p[0], p[1], p[2]);
    };
    if (CGAL::collinear(point(r[0]), point(r[1]), point(r[2]))) {
      report(ErrorCode::kRingSelfIntersection, 0, "the triangle is collapsed to a line",
             pool[r[0]]);
      return outcome;
    }
    outcome.triangles.push_back({r[0], r[1], r[2]});
    outcome.valid = true;
    return outcome;
  }

  const FittedPlane plane = fit_plane(face, pool);
  const Point3 origin = plane.origin;
  const Vec3& centroid = plane.centroid;
  const Vec3& normal = plane.normal;
  std::vector<int> ids;
  for (const Ring& ring : face) ids.insert(ids.end(), ring.begin(), ring.end());

  // 203: every vertex within the distance tolerance of the plane.
  double worst = 0;
  int worst_id = ids[0];
  for (int id : ids) {
    const double d = std::abs((vec(pool[id], origin) - centroid).dot(normal));
    if (d > worst) worst = d, worst_id = id;
  }
  if (worst > tolerances.planarity_d2p) {
    report(ErrorCode::kNonPlanarDistance, -1,
           "a vertex is " + fmt(worst) + " from the polygon's fitted plane (tolerance " +
               fmt(tolerances.planarity_d2p) + ")",
           pool[worst_id]);
    return outcome;
  }

  // 2xx in 2D: drop the coordinate along which the plane faces most. Unlike a rotation into
  // the plane, this keeps points that are exactly collinear in 3D exactly collinear in 2D, so
  // the triangulation never makes zero-area triangles out of them. The two kept axes are taken
  // in cyclic order (swapped when the normal points down that axis): the outer ring is then
  // counter-clockwise.
  int drop = 0;
  for (int axis = 1; axis < 3; ++axis)
    if (std::abs(normal[axis]) > std::abs(normal[drop])) drop = axis;
  int first_axis = (drop + 1) % 3, second_axis = (drop + 2) % 3;
  if (normal[drop] < 0) std::swap(first_axis, second_axis);
  std::vector<std::array<double, 2>> uv;
  std::vector<int> local_of;  // position in `ids` order -> index in uv
  uv.reserve(ids.size());
  for (int id : ids) {
    const Point3& p = pool[id];
    const auto fa = static_cast<std::size_t>(first_axis),
               sa = static_cast<std::size_t>(second_axis);
    uv.push_back({p[fa] - origin[fa], p[sa] - origin[sa]});
    local_of.push_back(static_cast<int>(uv.size() - 1));
  }
  for (std::size_t a = 0; a < face.size(); ++a)
    for (std::size_t b = a + 1; b < face.size(); ++b) {
      Ring x = face[a], y = face[b];
      std::sort(x.begin(), x.end());
      std::sort(y.begin(), y.end());
      if (x == y) {
        report(ErrorCode::kDuplicatedRings, static_cast<int>(b),
               "rings " + std::to_string(a) + " and " + std::to_string(b) + " are the same",
               pool[face[b][0]]);
        return outcome;
      }
    }
  // Boost.Geometry's polygons have clockwise outer rings: reversing every ring keeps a correct
  // polygon correct and a wrongly oriented hole wrong.
  Polygon2 polygon;
  std::size_t k = 0;
  for (std::size_t r = 0; r < face.size(); ++r) {
    Ring2 ring2;
    for (std::size_t i = 0; i < face[r].size(); ++i, ++k)
      ring2.push_back(Point2(uv[k][0], uv[k][1]));
    std::reverse(ring2.begin(), ring2.end());
    ring2.push_back(ring2.front());
    if (r == 0)
      polygon.outer() = std::move(ring2);
    else
      polygon.inners().push_back(std::move(ring2));
  }
  MultiPolygon2 as_multi{polygon};
  if (auto problem = strictly_convex(face, uv) ? std::nullopt : check_polygonal(as_multi)) {
    ErrorCode code = problem->code;
    if (code == ErrorCode::kIntersectionRings && hole_outside(polygon))
      code = ErrorCode::kInnerRingOutside;
    report(code, -1, problem->detail, pool[face[0][0]]);
    return outcome;
  }
  // Two vertices that fall on one point of the plane make the ring touch itself (a fold seen
  // from above), which Boost.Geometry lets pass but no triangulation can.
  {
    std::vector<std::pair<std::array<double, 2>, int>> sorted;
    for (std::size_t i = 0; i < uv.size(); ++i) sorted.push_back({uv[i], ids[i]});
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 1; i < sorted.size(); ++i)
      if (sorted[i].first == sorted[i - 1].first && sorted[i].second != sorted[i - 1].second) {
        report(ErrorCode::kRingSelfIntersection, -1,
               "two vertices of the polygon project onto the same point of its plane",
               pool[sorted[i].second]);
        return outcome;
      }
  }

  try {
    outcome.triangles = triangulate(face, uv, local_of);
  } catch (const std::exception& e) {
    report(ErrorCode::kRingSelfIntersection, -1,
           std::string("the polygon cannot be triangulated: its rings touch or cross (") +
               e.what() + ")",
           pool[face[0][0]]);
    return outcome;
  }
  outcome.valid = true;
  return outcome;
}

bool check_normals(const Face& face, const VertexPool& pool, const ValidationTolerances& tolerances,
                   int face_index, std::vector<LocalFinding>& findings) {
  if (face.size() == 1 && face[0].size() == 3) return true;  // one triangle: one normal
  // Triangulated in the fitted plane itself (not in a coordinate plane: the triangles must be
  // those of the face as it lies), every triangle compared with the first, as val3dity does.
  const FittedPlane plane = fit_plane(face, pool);
  std::vector<std::array<double, 2>> uv;
  std::vector<int> local_of;
  for (const Ring& ring : face)
    for (int id : ring) {
      const Vec3 d = vec(pool[id], plane.origin) - plane.centroid;
      uv.push_back({d.dot(plane.u), d.dot(plane.v)});
      local_of.push_back(static_cast<int>(uv.size() - 1));
    }
  std::vector<Triangle> triangles;
  try {
    triangles = triangulate(face, uv, local_of, /*fan_if_convex=*/false);
  } catch (const std::exception&) {
    return true;  // the 2D checks passed in their own projection; no normals to compare here
  }
  // The reference is the face's largest triangle (val3dity takes the first of its triangulation,
  // an arbitrary one: when one small part folds, both flag the face, but only this way does the
  // location point at the fold rather than at the rest of the face).
  std::vector<Vec3> normals(triangles.size(), Vec3::Zero());
  std::size_t reference = triangles.size();
  double largest = 0;
  for (std::size_t k = 0; k < triangles.size(); ++k) {
    const Triangle& t = triangles[k];
    const Vec3 a = vec(pool[t[0]], plane.origin), b = vec(pool[t[1]], plane.origin),
               c = vec(pool[t[2]], plane.origin);
    normals[k] = (b - a).cross(c - a);  // counter-clockwise in (u, v): u x v is the face normal
    if (normals[k].norm() > largest) largest = normals[k].norm(), reference = k;
  }
  if (reference == triangles.size()) return true;  // every triangle degenerate: no normal at all
  const Vec3 ref = normals[reference].normalized();
  for (std::size_t k = 0; k < triangles.size(); ++k) {
    if (normals[k].norm() == 0) continue;  // three collinear vertices have no normal
    const Vec3 n = normals[k].normalized();
    const double angle = std::atan2(ref.cross(n).norm(), ref.dot(n)) * 180.0 / std::numbers::pi;
    if (angle > tolerances.planarity_n_deg) {
      const Triangle& t = triangles[k];
      const Vec3 centre = (vec(pool[t[0]], plane.origin) + vec(pool[t[1]], plane.origin) +
                           vec(pool[t[2]], plane.origin)) /
                          3.0;
      findings.push_back({static_cast<int>(ErrorCode::kNonPlanarNormals), face_index, -1,
                          "part of the polygon deviates " + fmt(angle) +
                              " degrees from the rest (tolerance " +
                              fmt(tolerances.planarity_n_deg) + ")",
                          Point3{plane.origin[0] + centre.x(), plane.origin[1] + centre.y(),
                                 plane.origin[2] + centre.z()}});
      return false;
    }
  }
  return true;
}

}  // namespace strata::spatial::validation
