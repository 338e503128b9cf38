// Triangle pairs come from CGAL's box intersection; each pair is classified with exact
// predicates by the vertices it shares (the cases CGAL's Polygon Mesh Processing distinguishes,
// written here to skip same-polygon pairs and to work on non-manifold inputs too).
#include "surface_self_intersection.h"

#include <CGAL/Exact_predicates_inexact_constructions_kernel.h>
#include <CGAL/box_intersection_d.h>
#include <CGAL/intersections.h>

#include <cmath>

namespace strata::spatial::validation {
namespace {

using K = CGAL::Exact_predicates_inexact_constructions_kernel;
using P = K::Point_3;
using Box = CGAL::Box_intersection_d::Box_with_info_d<double, 3, std::size_t>;

P point(const VertexPool& pool, int id) {
  const Point3& p = pool[id];
  return {p[0], p[1], p[2]};
}

// Is `s` strictly inside the angular sector at `v` spanned by `a` and `b` (all coplanar)?
bool strictly_in_sector(const P& v, const P& a, const P& b, const P& s) {
  return CGAL::coplanar_orientation(v, a, b, s) == CGAL::POSITIVE &&
         CGAL::coplanar_orientation(v, b, a, s) == CGAL::POSITIVE;
}

bool triangles_intersect(const Triangle& ta, const Triangle& tb, const VertexPool& pool) {
  // Shared vertices, and for each triangle the positions of the others.
  int shared = 0;
  std::array<bool, 3> a_shared{}, b_shared{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      if (ta[i] == tb[j]) ++shared, a_shared[i] = b_shared[j] = true;
  const P a0 = point(pool, ta[0]), a1 = point(pool, ta[1]), a2 = point(pool, ta[2]);
  const P b0 = point(pool, tb[0]), b1 = point(pool, tb[1]), b2 = point(pool, tb[2]);
  const std::array<P, 3> A{a0, a1, a2}, B{b0, b1, b2};
  switch (shared) {
    case 0:
      return CGAL::do_intersect(K::Triangle_3(a0, a1, a2), K::Triangle_3(b0, b1, b2));
    case 1: {
      int ia = 0, ib = 0;
      while (!a_shared[ia]) ++ia;
      while (!b_shared[ib]) ++ib;
      const P& v = A[ia];
      const P &p = A[(ia + 1) % 3], &q = A[(ia + 2) % 3];
      const P &r = B[(ib + 1) % 3], &s = B[(ib + 2) % 3];
      if (CGAL::coplanar(v, p, q, r) && CGAL::coplanar(v, p, q, s)) {
        // Coplanar around the shared vertex: they overlap iff their sectors do.
        const P mid_b = CGAL::midpoint(r, s), mid_a = CGAL::midpoint(p, q);
        return strictly_in_sector(v, p, q, r) || strictly_in_sector(v, p, q, s) ||
               strictly_in_sector(v, p, q, mid_b) || strictly_in_sector(v, r, s, p) ||
               strictly_in_sector(v, r, s, q) || strictly_in_sector(v, r, s, mid_a);
      }
      // The common part starts at v and ends on an edge opposite v.
      return CGAL::do_intersect(K::Segment_3(p, q), K::Triangle_3(v, r, s)) ||
             CGAL::do_intersect(K::Segment_3(r, s), K::Triangle_3(v, p, q));
    }
    case 2: {
      int ia = 0, ib = 0;
      while (a_shared[ia]) ++ia;
      while (b_shared[ib]) ++ib;
      const P &x = A[(ia + 1) % 3], &y = A[(ia + 2) % 3];
      // Sharing an edge, they only overlap when folded onto each other. Cheap floating-point
      // filter first: when the two far vertices lie clearly on opposite sides of the edge (a
      // wall next to a wall, a roof on a wall), the exact predicates below are not needed.
      {
        const K::Vector_3 e = y - x, u = CGAL::cross_product(e, A[ia] - x),
                          w = CGAL::cross_product(e, B[ib] - x);
        const double scale = std::sqrt(u.squared_length() * w.squared_length());
        if (u * w < -1e-9 * scale) return false;
      }
      return CGAL::coplanar(x, y, A[ia], B[ib]) &&
             CGAL::coplanar_orientation(x, y, A[ia], B[ib]) == CGAL::POSITIVE;
    }
    default:
      return true;  // the same triangle twice
  }
}

}  // namespace

std::optional<SelfIntersection> find_self_intersection(
    const std::vector<std::vector<Triangle>>& triangles_by_polygon, const VertexPool& pool) {
  std::vector<Triangle> triangles;
  std::vector<int> polygon_of;
  for (std::size_t f = 0; f < triangles_by_polygon.size(); ++f)
    for (const Triangle& t : triangles_by_polygon[f]) {
      triangles.push_back(t);
      polygon_of.push_back(static_cast<int>(f));
    }
  std::vector<Box> boxes;
  boxes.reserve(triangles.size());
  for (std::size_t i = 0; i < triangles.size(); ++i) {
    CGAL::Bbox_3 b = point(pool, triangles[i][0]).bbox() + point(pool, triangles[i][1]).bbox() +
                     point(pool, triangles[i][2]).bbox();
    boxes.emplace_back(b, i);
  }
  std::optional<SelfIntersection> found;
  std::size_t count = 0;
  CGAL::box_self_intersection_d<CGAL::Parallel_tag::Sequential_tag>(
      boxes.begin(), boxes.end(), [&](const Box& x, const Box& y) {
        const std::size_t i = x.info(), j = y.info();
        if (polygon_of[i] == polygon_of[j]) return;
        if (!triangles_intersect(triangles[i], triangles[j], pool)) return;
        ++count;
        if (found) return;
        const Point3 &p = pool[triangles[i][0]], &q = pool[triangles[i][1]],
                     &r = pool[triangles[i][2]];
        found = SelfIntersection{
            polygon_of[i],
            polygon_of[j],
            {(p[0] + q[0] + r[0]) / 3, (p[1] + q[1] + r[1]) / 3, (p[2] + q[2] + r[2]) / 3},
            0};
      });
  if (found) found->pairs = count;
  return found;
}

}  // namespace strata::spatial::validation
