#include "solid_relations.h"

#include <CGAL/Cartesian_converter.h>
#include <CGAL/Exact_predicates_exact_constructions_kernel.h>
#include <CGAL/intersections.h>

#include <algorithm>
#include <cmath>

#include "closed_shell_impl.h"

namespace strata::spatial::validation {
namespace {

using Exact = CGAL::Exact_predicates_exact_constructions_kernel;
using ToExact = CGAL::Cartesian_converter<Kernel, Exact>;

Kernel::Triangle_3 triangle_of(const Mesh& mesh, Mesh::Face_index f) {
  auto h = mesh.halfedge(f);
  return {mesh.point(mesh.source(h)), mesh.point(mesh.target(h)),
          mesh.point(mesh.target(mesh.next(h)))};
}

Point3 to_point(const Kernel::Point_3& p) { return {p.x(), p.y(), p.z()}; }

// True when `p` (on the polygon's plane) lies on one of its ring edges.
bool on_polygon_boundary(const Exact::Point_3& p,
                         const std::vector<std::vector<Kernel::Point_3>>& rings) {
  ToExact to_exact;
  for (const auto& ring : rings)
    for (std::size_t i = 0; i < ring.size(); ++i) {
      const auto a = to_exact(ring[i]), b = to_exact(ring[(i + 1) % ring.size()]);
      if (CGAL::collinear(a, b, p) && CGAL::collinear_are_ordered_along_line(a, p, b)) return true;
    }
  return false;
}

// Is `p` strictly inside triangle t (all coplanar)?
bool strictly_inside(const Kernel::Triangle_3& t, const Kernel::Point_3& p) {
  if (t.is_degenerate()) return false;
  return CGAL::coplanar_orientation(t[0], t[1], t[2], p) == CGAL::POSITIVE &&
         CGAL::coplanar_orientation(t[1], t[2], t[0], p) == CGAL::POSITIVE &&
         CGAL::coplanar_orientation(t[2], t[0], t[1], p) == CGAL::POSITIVE;
}

// Do two coplanar triangles have an area in common? Yes when a vertex (or the centre) of one
// lies strictly inside the other, when two edges cross properly, or when they are the same.
bool coplanar_triangles_share_area(const Kernel::Triangle_3& a, const Kernel::Triangle_3& b) {
  for (int i = 0; i < 3; ++i)
    if (strictly_inside(a, b[i]) || strictly_inside(b, a[i])) return true;
  if (strictly_inside(a, CGAL::centroid(b)) || strictly_inside(b, CGAL::centroid(a))) return true;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      const auto &p = a[i], &q = a[(i + 1) % 3], &r = b[j], &t = b[(j + 1) % 3];
      // Proper crossing: no endpoint on the other segment's line (also the predicates'
      // precondition), and each segment's ends on both sides of the other.
      if (CGAL::collinear(p, q, r) || CGAL::collinear(p, q, t) || CGAL::collinear(r, t, p) ||
          CGAL::collinear(r, t, q))
        continue;
      if (CGAL::coplanar_orientation(p, q, r, t) == CGAL::NEGATIVE &&
          CGAL::coplanar_orientation(r, t, p, q) == CGAL::NEGATIVE)
        return true;
    }
  // The same triangle (its vertices in any order).
  int same = 0;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) same += a[i] == b[j];
  return same == 3;
}

// Vertices and triangle centres of `a` classified against the solid of `b`.
void classify(const ClosedShell::Impl& a, const ClosedShell::Impl& b, int& inside, int& outside,
              bool& touch, std::optional<Point3>& where) {
  auto consider = [&](const Kernel::Point_3& p) {
    switch ((*b.side)(p)) {
      case CGAL::ON_BOUNDED_SIDE:
        ++inside;
        if (!where) where = to_point(p);
        break;
      case CGAL::ON_UNBOUNDED_SIDE:
        ++outside;
        break;
      default:
        touch = true;
        break;
    }
  };
  for (auto v : a.mesh.vertices()) consider(a.mesh.point(v));
  // Centres too: a shell can lie inside another with all its vertices on the other's surface.
  for (auto f : a.mesh.faces()) {
    const auto t = triangle_of(a.mesh, f);
    consider(CGAL::centroid(t));
  }
}

}  // namespace

ClosedShell::ClosedShell(const IndexedShell& shell,
                         const std::vector<std::vector<Triangle>>& triangles,
                         const VertexPool& pool)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  std::unordered_map<int, Mesh::Vertex_index> vertex_of;
  auto vertex = [&](int id) {
    auto [it, fresh] = vertex_of.try_emplace(id);
    if (fresh) {
      const Point3& p = pool[id];
      it->second = m.mesh.add_vertex(Kernel::Point_3(p[0], p[1], p[2]));
      m.canonical.push_back(p);
    }
    return it->second;
  };
  for (std::size_t f = 0; f < triangles.size(); ++f) {
    for (const Triangle& t : triangles[f])
      if (m.mesh.add_face(vertex(t[0]), vertex(t[1]), vertex(t[2])) != Mesh::null_face())
        m.polygon_of.push_back(static_cast<int>(f));
    std::vector<std::vector<Kernel::Point_3>> rings;
    for (const Ring& ring : shell.faces[f]) {
      std::vector<Kernel::Point_3> r;
      for (int id : ring) r.emplace_back(pool[id][0], pool[id][1], pool[id][2]);
      rings.push_back(std::move(r));
    }
    m.polygons.push_back(std::move(rings));
  }
  std::sort(m.canonical.begin(), m.canonical.end());
  m.tree = std::make_unique<Tree>(faces(m.mesh).first, faces(m.mesh).second, m.mesh);
  m.side = std::make_unique<SideOf>(*m.tree);
  m.bbox = m.tree->bbox();
}

ClosedShell::~ClosedShell() = default;
ClosedShell::ClosedShell(ClosedShell&&) noexcept = default;
ClosedShell& ClosedShell::operator=(ClosedShell&&) noexcept = default;

ShellContact relate(const ClosedShell& shell_a, const ClosedShell& shell_b) {
  const auto& a = shell_a.impl();
  const auto& b = shell_b.impl();
  ShellContact c;
  if (!CGAL::do_overlap(a.bbox, b.bbox)) {
    c.a_outside_b = static_cast<int>(a.mesh.number_of_vertices());
    c.b_outside_a = static_cast<int>(b.mesh.number_of_vertices());
    return c;
  }
  if (a.canonical == b.canonical && a.mesh.number_of_faces() == b.mesh.number_of_faces() &&
      a.polygons.size() == b.polygons.size()) {
    c.identical = true;
    c.touch = true;
    return c;
  }
  classify(a, b, c.a_inside_b, c.a_outside_b, c.touch, c.where);
  classify(b, a, c.b_inside_a, c.b_outside_a, c.touch, c.where);

  ToExact to_exact;
  for (auto fa : a.mesh.faces()) {
    const auto ta = triangle_of(a.mesh, fa);
    std::vector<Tree::Primitive_id> hits;
    b.tree->all_intersected_primitives(ta, std::back_inserter(hits));
    for (auto fb : hits) {
      const auto tb = triangle_of(b.mesh, fb);
      c.touch = true;
      // Sides of each triangle's vertices with respect to the other's plane (exact predicates).
      std::array<CGAL::Orientation, 3> b_side{}, a_side{};
      for (int i = 0; i < 3; ++i) {
        b_side[static_cast<std::size_t>(i)] = CGAL::orientation(ta[0], ta[1], ta[2], tb[i]);
        a_side[static_cast<std::size_t>(i)] = CGAL::orientation(tb[0], tb[1], tb[2], ta[i]);
      }
      const bool coplanar =
          b_side[0] == CGAL::COPLANAR && b_side[1] == CGAL::COPLANAR && b_side[2] == CGAL::COPLANAR;
      if (coplanar) {
        // An area in common (not just a point or a segment): predicates only, no constructions.
        if (coplanar_triangles_share_area(ta, tb)) {
          c.faces_overlap = true;
          if (CGAL::scalar_product(CGAL::normal(ta[0], ta[1], ta[2]),
                                   CGAL::normal(tb[0], tb[1], tb[2])) > 0)
            c.faces_overlap_same_side = true;
          if (!c.where) c.where = to_point(CGAL::centroid(ta));
        }
        continue;
      }
      // Not coplanar: the surfaces can only cross where each triangle has vertices strictly on
      // both sides of the other's plane; otherwise they merely touch (along an edge, at a point).
      auto straddles = [](const std::array<CGAL::Orientation, 3>& side) {
        const bool pos =
            side[0] == CGAL::POSITIVE || side[1] == CGAL::POSITIVE || side[2] == CGAL::POSITIVE;
        const bool neg =
            side[0] == CGAL::NEGATIVE || side[1] == CGAL::NEGATIVE || side[2] == CGAL::NEGATIVE;
        return pos && neg;
      };
      if (!straddles(a_side) || !straddles(b_side)) continue;
      const auto ea = to_exact(ta), eb = to_exact(tb);
      const auto result = CGAL::intersection(ea, eb);
      if (!result) continue;
      if (const auto* s = boost::get<Exact::Segment_3>(&*result)) {
        const auto mid = CGAL::midpoint(s->source(), s->target());
        const int pa = a.polygon_of[static_cast<std::size_t>(fa)];
        const int pb = b.polygon_of[static_cast<std::size_t>(fb)];
        if (!on_polygon_boundary(mid, a.polygons[static_cast<std::size_t>(pa)]) &&
            !on_polygon_boundary(mid, b.polygons[static_cast<std::size_t>(pb)])) {
          c.surfaces_cross = true;
          c.where =
              Point3{CGAL::to_double(mid.x()), CGAL::to_double(mid.y()), CGAL::to_double(mid.z())};
        }
      }
    }
  }
  return c;
}

}  // namespace strata::spatial::validation
