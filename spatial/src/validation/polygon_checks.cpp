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

// A ring whose points all lie on one line (within the snap tolerance) encloses nothing.
bool collapsed_to_line(const Ring& ring, const VertexPool& pool, double tolerance) {
  const Point3& a = pool[ring[0]];
  std::size_t far = 0;
  double far_d = -1;
  for (std::size_t i = 1; i < ring.size(); ++i) {
    const double d = vec(pool[ring[i]], a).squaredNorm();
    if (d > far_d) far_d = d, far = i;
  }
  const Vec3 axis = vec(pool[ring[far]], a);
  if (axis.norm() == 0) return true;
  const Vec3 unit = axis.normalized();
  for (int id : ring) {
    const Vec3 p = vec(pool[id], a);
    if ((p - unit * p.dot(unit)).norm() > tolerance) return false;
  }
  return true;
}

// --- triangulation -------------------------------------------------------------------------
using K = CGAL::Exact_predicates_inexact_constructions_kernel;
using Vb = CGAL::Triangulation_vertex_base_with_info_2<int, K>;
using Fbi = CGAL::Triangulation_face_base_with_info_2<int, K>;  // nesting depth
using Fb = CGAL::Constrained_triangulation_face_base_2<K, Fbi>;
using Tds = CGAL::Triangulation_data_structure_2<Vb, Fb>;
using Cdt =
    CGAL::Constrained_Delaunay_triangulation_2<K, Tds, CGAL::No_constraint_intersection_tag>;

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
                                  const std::vector<int>& local_of) {
  std::vector<Triangle> out;
  // Fast path: a convex polygon without holes is a fan (most walls and flat roofs).
  if (face.size() == 1) {
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

// True when the triangle's vertices are three consecutive vertices of one ring.
bool nearly_collinear_run(const Face& face, const Triangle& t) {
  std::array<int, 3> want = t;
  std::sort(want.begin(), want.end());
  for (const Ring& ring : face)
    for (std::size_t i = 0; i < ring.size(); ++i) {
      std::array<int, 3> run{ring[i], ring[(i + 1) % ring.size()], ring[(i + 2) % ring.size()]};
      std::sort(run.begin(), run.end());
      if (run == want) return true;
    }
  return false;
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
    if (collapsed_to_line(ring, pool, std::max(tolerances.snap, 1e-12))) {
      report(ErrorCode::kRingCollapsed, ri, "all points of the ring lie on one line",
             pool[ring[0]]);
      rings_ok = false;
    }
  }
  if (!rings_ok) return outcome;

  // Plane fitted by least squares to every vertex (coordinates relative to the first vertex,
  // so that large map coordinates keep their precision).
  const Point3 origin = pool[face[0][0]];
  std::vector<int> ids;
  for (const Ring& ring : face) ids.insert(ids.end(), ring.begin(), ring.end());
  Vec3 centroid = Vec3::Zero();
  for (int id : ids) centroid += vec(pool[id], origin);
  centroid /= static_cast<double>(ids.size());
  Eigen::Matrix3d covariance = Eigen::Matrix3d::Zero();
  for (int id : ids) {
    const Vec3 d = vec(pool[id], origin) - centroid;
    covariance += d * d.transpose();
  }
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> solver(covariance);
  Vec3 normal = solver.eigenvectors().col(0).normalized();
  // Orient the plane like the outer ring (Newell's normal).
  Vec3 newell = Vec3::Zero();
  const Ring& outer = face[0];
  for (std::size_t i = 0; i < outer.size(); ++i) {
    const Vec3 a = vec(pool[outer[i]], origin),
               b = vec(pool[outer[(i + 1) % outer.size()]], origin);
    newell += Vec3((a.y() - b.y()) * (a.z() + b.z()), (a.z() - b.z()) * (a.x() + b.x()),
                   (a.x() - b.x()) * (a.y() + b.y()));
  }
  if (newell.dot(normal) < 0) normal = -normal;

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
  // 204: no triangle of the face may turn away from the fitted plane by more than the angle.
  const double limit = tolerances.planarity_n_deg * std::numbers::pi / 180.0;
  for (const Triangle& t : outcome.triangles) {
    const Vec3 a = vec(pool[t[0]], origin), b = vec(pool[t[1]], origin),
               c = vec(pool[t[2]], origin);
    const Vec3 n = (b - a).cross(c - a);
    // A sliver thinner than the snap tolerance has no meaningful normal, nor has a triangle
    // made of three consecutive, nearly collinear ring vertices (a digitising artefact, not a
    // fold: the middle one lies within the distance tolerance of the line through the others).
    const double longest = std::max({(b - a).norm(), (c - b).norm(), (a - c).norm()});
    if (n.norm() == 0 || n.norm() / longest < std::max(tolerances.snap, 1e-12)) continue;
    if (n.norm() / longest < tolerances.planarity_d2p && nearly_collinear_run(face, t)) continue;
    const double angle = std::acos(std::clamp(n.normalized().dot(normal), -1.0, 1.0));
    if (angle > limit) {
      const Vec3 centre = (a + b + c) / 3.0;
      report(ErrorCode::kNonPlanarNormals, -1,
             "part of the polygon deviates " + fmt(angle * 180.0 / std::numbers::pi) +
                 " degrees from its plane (tolerance " + fmt(tolerances.planarity_n_deg) + ")",
             Point3{origin[0] + centre.x(), origin[1] + centre.y(), origin[2] + centre.z()});
      outcome.triangles.clear();
      return outcome;
    }
  }
  outcome.valid = true;
  return outcome;
}

}  // namespace strata::spatial::validation
