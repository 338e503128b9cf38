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

// Vertices and triangle centres of `a` classified against the solid of `b`.
void classify(const ClosedShell::Impl& a, const ClosedShell::Impl& b, int& inside, int& outside,
              bool& touch, double& penetration, std::optional<Point3>& where) {
  auto consider = [&](const Kernel::Point_3& p, bool measure) {
    switch ((*b.side)(p)) {
      case CGAL::ON_BOUNDED_SIDE:
        ++inside;
        if (!where) where = to_point(p);
        if (measure)
          penetration =
              std::max(penetration, std::sqrt(CGAL::to_double(b.tree->squared_distance(p))));
        break;
      case CGAL::ON_UNBOUNDED_SIDE:
        ++outside;
        break;
      default:
        touch = true;
        break;
    }
  };
  for (auto v : a.mesh.vertices()) consider(a.mesh.point(v), true);
  // Centres too: a shell can lie inside another with all its vertices on the other's surface.
  for (auto f : a.mesh.faces()) {
    const auto t = triangle_of(a.mesh, f);
    consider(CGAL::centroid(t), false);
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
  m.tree->accelerate_distance_queries();
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
  classify(a, b, c.a_inside_b, c.a_outside_b, c.touch, c.penetration, c.where);
  classify(b, a, c.b_inside_a, c.b_outside_a, c.touch, c.penetration, c.where);

  ToExact to_exact;
  for (auto fa : a.mesh.faces()) {
    const auto ta = triangle_of(a.mesh, fa);
    std::vector<Tree::Primitive_id> hits;
    b.tree->all_intersected_primitives(ta, std::back_inserter(hits));
    for (auto fb : hits) {
      const auto tb = triangle_of(b.mesh, fb);
      c.touch = true;
      const auto ea = to_exact(ta), eb = to_exact(tb);
      const auto result = CGAL::intersection(ea, eb);
      if (!result) continue;
      const bool coplanar = CGAL::coplanar(ta[0], ta[1], ta[2], tb[0]) &&
                            CGAL::coplanar(ta[0], ta[1], ta[2], tb[1]) &&
                            CGAL::coplanar(ta[0], ta[1], ta[2], tb[2]);
      if (coplanar) {
        // An area in common (a triangle or polygon, not a point or segment).
        const bool area = boost::get<Exact::Triangle_3>(&*result) != nullptr ||
                          boost::get<std::vector<Exact::Point_3>>(&*result) != nullptr;
        if (area) {
          c.faces_overlap = true;
          if (CGAL::scalar_product(ta.supporting_plane().orthogonal_vector(),
                                   tb.supporting_plane().orthogonal_vector()) > 0)
            c.faces_overlap_same_side = true;
          if (!c.where) c.where = to_point(CGAL::centroid(ta));
        }
        continue;
      }
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
