#include "shell_checks.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <numeric>
#include <unordered_map>

#include "strata/core/error.h"
#include "surface_self_intersection.h"

namespace strata::spatial::validation {
namespace {

struct UnionFind {
  std::vector<int> parent;
  explicit UnionFind(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  int find(int x) {
    while (parent[static_cast<std::size_t>(x)] != x)
      x = parent[static_cast<std::size_t>(x)] =
          parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(x)])];
    return x;
  }
  void unite(int a, int b) { parent[static_cast<std::size_t>(find(a))] = find(b); }
  std::size_t groups() {
    std::size_t n = 0;
    for (std::size_t i = 0; i < parent.size(); ++i)
      n += find(static_cast<int>(i)) == static_cast<int>(i);
    return n;
  }
};

struct EdgeUse {
  std::uint64_t key;  // smaller id in the high half
  int face;
  bool forward;  // traversed from the smaller to the larger id
};

std::uint64_t edge_key(int a, int b) {
  const auto lo = static_cast<std::uint64_t>(std::min(a, b));
  const auto hi = static_cast<std::uint64_t>(std::max(a, b));
  return lo << 32 | hi;
}

Point3 midpoint(const VertexPool& pool, std::uint64_t key) {
  const Point3& a = pool[static_cast<int>(key >> 32)];
  const Point3& b = pool[static_cast<int>(key & 0xffffffffu)];
  return {(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2};
}

std::string point_text(const Point3& p) {
  char text[96];
  std::snprintf(text, sizeof text, "(%.3f %.3f %.3f)", p[0], p[1], p[2]);
  return text;
}

std::string edge_name(const VertexPool& pool, std::uint64_t key) {
  return "the edge " + point_text(pool[static_cast<int>(key >> 32)]) + "-" +
         point_text(pool[static_cast<int>(key & 0xffffffffu)]);
}

}  // namespace

ShellOutcome check_shell(const IndexedShell& shell,
                         const std::vector<std::vector<Triangle>>& triangles,
                         const VertexPool& pool, bool closed, std::vector<LocalFinding>& findings) {
  ShellOutcome outcome;
  auto report = [&](ErrorCode code, int face, std::string detail, std::optional<Point3> where) {
    findings.push_back({static_cast<int>(code), face, -1, std::move(detail), where});
  };
  const auto& faces = shell.faces;
  if (closed && faces.size() < 4) {
    report(ErrorCode::kTooFewPolygons, -1,
           "a closed shell needs at least 4 polygons, this one has " + std::to_string(faces.size()),
           std::nullopt);
    return outcome;
  }

  // Edge uses and, per vertex, the faces around it.
  std::vector<EdgeUse> uses;
  std::unordered_map<int, std::vector<int>> faces_at;
  for (std::size_t f = 0; f < faces.size(); ++f)
    for (const Ring& ring : faces[f])
      for (std::size_t i = 0; i < ring.size(); ++i) {
        const int a = ring[i], b = ring[(i + 1) % ring.size()];
        uses.push_back({edge_key(a, b), static_cast<int>(f), a < b});
        faces_at[a].push_back(static_cast<int>(f));
      }
  std::sort(uses.begin(), uses.end(), [](const EdgeUse& x, const EdgeUse& y) {
    return x.key != y.key ? x.key < y.key : x.face < y.face;
  });

  // 305 / 303: pieces that share no vertex are separate components; pieces that share only
  // vertices (no edge) meet at a non-manifold vertex.
  UnionFind by_vertex(faces.size()), by_edge(faces.size());
  for (const auto& [vertex, around] : faces_at)
    for (int f : around) by_vertex.unite(around[0], f);
  for (std::size_t i = 1; i < uses.size(); ++i)
    if (uses[i].key == uses[i - 1].key) by_edge.unite(uses[i].face, uses[i - 1].face);
  if (by_vertex.groups() > 1) {
    report(ErrorCode::kMultipleConnectedComponents, -1,
           "the shell has " + std::to_string(by_vertex.groups()) + " separate parts", std::nullopt);
    return outcome;
  }
  if (by_edge.groups() > 1) {
    // Find a vertex shared by two edge-connected pieces, for the location.
    for (const auto& [vertex, around] : faces_at) {
      const int first = by_edge.find(around[0]);
      if (std::any_of(around.begin(), around.end(),
                      [&](int f) { return by_edge.find(f) != first; })) {
        report(ErrorCode::kNonManifoldVertex, -1,
               "parts of the shell touch only at the vertex " + point_text(pool[vertex]),
               pool[vertex]);
        return outcome;
      }
    }
  }

  // 304, then 302: every edge is shared by exactly two polygons.
  bool edges_ok = true;
  for (std::size_t i = 0; i < uses.size();) {
    std::size_t j = i;
    while (j < uses.size() && uses[j].key == uses[i].key) ++j;
    if (j - i > 2) {
      // val3dity (since 2.2) reports non-manifold edges as 303 as well; so does strata, so that
      // reports compare one to one.
      report(ErrorCode::kNonManifoldVertex, uses[i].face,
             edge_name(pool, uses[i].key) + " is shared by " + std::to_string(j - i) + " polygons",
             midpoint(pool, uses[i].key));
      edges_ok = false;
    }
    i = j;
  }
  if (!edges_ok) return outcome;
  if (closed) {
    for (std::size_t i = 0; i < uses.size();) {
      std::size_t j = i;
      while (j < uses.size() && uses[j].key == uses[i].key) ++j;
      if (j - i == 1) {
        report(ErrorCode::kShellNotClosed, uses[i].face,
               edge_name(pool, uses[i].key) + " belongs to one polygon only (a hole in the shell)",
               midpoint(pool, uses[i].key));
        edges_ok = false;
      }
      i = j;
    }
    if (!edges_ok) return outcome;
  }

  // 303: around each vertex the polygons form one fan (umbrella). A hole touching its outer
  // ring pinches the surface there, so it is non-manifold too (val3dity agrees).
  {
    struct Corner {
      int face, prev, next;
    };
    std::unordered_map<int, std::vector<Corner>> corners;
    for (std::size_t f = 0; f < faces.size(); ++f)
      for (const Ring& ring : faces[f])
        for (std::size_t i = 0; i < ring.size(); ++i)
          corners[ring[i]].push_back({static_cast<int>(f),
                                      ring[(i + ring.size() - 1) % ring.size()],
                                      ring[(i + 1) % ring.size()]});
    for (const auto& [vertex, around] : corners) {
      UnionFind fan(around.size());
      std::unordered_map<int, int> by_neighbour;
      for (std::size_t c = 0; c < around.size(); ++c) {
        const int ci = static_cast<int>(c);
        for (int n : {around[c].prev, around[c].next}) {
          auto [it, fresh] = by_neighbour.try_emplace(n, ci);
          if (!fresh) fan.unite(it->second, ci);
        }
      }
      if (fan.groups() > 1) {
        report(ErrorCode::kNonManifoldVertex, around[0].face,
               "the polygons around the vertex " + point_text(pool[vertex]) + " form " +
                   std::to_string(fan.groups()) + " separate fans",
               pool[vertex]);
        return outcome;
      }
    }
  }

  // 307: a shared edge is walked in opposite directions by its two polygons. The polygon
  // reported is the one that disagrees with most of its neighbours (the reversed one).
  std::vector<int> conflicts(faces.size(), 0), shared(faces.size(), 0);
  std::vector<std::uint64_t> conflict_edge(faces.size(), 0);
  for (std::size_t i = 1; i < uses.size(); ++i) {
    if (uses[i].key != uses[i - 1].key) continue;
    for (const EdgeUse* u : {&uses[i], &uses[i - 1]}) ++shared[static_cast<std::size_t>(u->face)];
    if (uses[i].forward != uses[i - 1].forward) continue;
    for (const EdgeUse* u : {&uses[i], &uses[i - 1]}) {
      ++conflicts[static_cast<std::size_t>(u->face)];
      conflict_edge[static_cast<std::size_t>(u->face)] = u->key;
    }
  }
  if (std::any_of(conflicts.begin(), conflicts.end(), [](int n) { return n > 0; })) {
    bool reported = false;
    for (std::size_t f = 0; f < faces.size(); ++f) {
      if (2 * conflicts[f] <= shared[f]) continue;  // agrees with most neighbours
      report(ErrorCode::kPolygonWrongOrientation, static_cast<int>(f),
             "polygon " + std::to_string(f) + " is reversed: it walks " +
                 std::to_string(conflicts[f]) + " of its " + std::to_string(shared[f]) +
                 " shared edges in the same direction as its neighbours",
             midpoint(pool, conflict_edge[f]));
      reported = true;
    }
    if (!reported) {  // no clear culprit: name the first disagreeing pair
      const auto f = static_cast<std::size_t>(
          std::find_if(conflicts.begin(), conflicts.end(), [](int n) { return n > 0; }) -
          conflicts.begin());
      report(ErrorCode::kPolygonWrongOrientation, static_cast<int>(f),
             "polygon " + std::to_string(f) + " walks " + edge_name(pool, conflict_edge[f]) +
                 " in the same direction as its neighbour",
             midpoint(pool, conflict_edge[f]));
    }
    return outcome;
  }

  // 306: the triangulated surface may only touch itself along shared edges and vertices.
  if (auto hit = find_self_intersection(triangles, pool)) {
    report(ErrorCode::kShellSelfIntersection, hit->polygon_a,
           "polygons " + std::to_string(hit->polygon_a) + " and " + std::to_string(hit->polygon_b) +
               " intersect (" + std::to_string(hit->pairs) + " intersecting triangle pairs)",
           hit->where);
    return outcome;
  }

  // Signed volume (divergence theorem), relative to one vertex for precision.
  if (closed) {
    const Point3& o = pool[faces[0][0][0]];
    double six_v = 0;
    for (const auto& face_triangles : triangles)
      for (const Triangle& t : face_triangles) {
        const Point3 &a = pool[t[0]], &b = pool[t[1]], &c = pool[t[2]];
        const double ax = a[0] - o[0], ay = a[1] - o[1], az = a[2] - o[2];
        const double bx = b[0] - o[0], by = b[1] - o[1], bz = b[2] - o[2];
        const double cx = c[0] - o[0], cy = c[1] - o[1], cz = c[2] - o[2];
        six_v += ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx);
      }
    outcome.signed_volume = six_v / 6.0;
  }
  outcome.valid = true;
  return outcome;
}

}  // namespace strata::spatial::validation
