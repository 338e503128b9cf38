#include "strata/spatial/pipe_clearance.h"

#include <algorithm>
#include <atomic>
#include <boost/geometry/geometries/box.hpp>
#include <boost/geometry/geometries/point.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <cmath>
#include <exception>
#include <mutex>
#include <thread>
#include <tuple>

#include "strata/core/parallel.h"

namespace strata::spatial {
namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;
using Point3d = bg::model::point<double, 3, bg::cs::cartesian>;
using Box3d = bg::model::box<Point3d>;

double dot(const PipePoint& u, const PipePoint& v) {
  return u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
}
PipePoint sub(const PipePoint& u, const PipePoint& v) {
  return {u[0] - v[0], u[1] - v[1], u[2] - v[2]};
}
PipePoint along(const PipePoint& p, const PipePoint& d, double t) {
  return {p[0] + t * d[0], p[1] + t * d[1], p[2] + t * d[2]};
}

struct Segment {
  PipePoint p0, p1;  // metres
  std::size_t link;
};

Box3d box_of(const Segment& s, double pad) {
  return Box3d(Point3d(std::min(s.p0[0], s.p1[0]) - pad, std::min(s.p0[1], s.p1[1]) - pad,
                       std::min(s.p0[2], s.p1[2]) - pad),
               Point3d(std::max(s.p0[0], s.p1[0]) + pad, std::max(s.p0[1], s.p1[1]) + pad,
                       std::max(s.p0[2], s.p1[2]) + pad));
}

std::vector<Segment> segments_of(const PipeNetwork& n, double unit_m) {
  std::vector<Segment> out;
  for (std::size_t l = 0; l < n.links.size(); ++l) {
    const auto& c = n.links[l].centreline;
    for (std::size_t i = 0; i + 1 < c.size(); ++i)
      out.push_back({{c[i][0] * unit_m, c[i][1] * unit_m, c[i][2]},
                     {c[i + 1][0] * unit_m, c[i + 1][1] * unit_m, c[i + 1][2]},
                     l});
  }
  return out;
}

}  // namespace

// Closest points of two segments, after Ericson, Real-Time Collision Detection §5.1.9: written
// here because neither Boost.Geometry 1.74 nor GEOS measures 3D segment distances, and CGAL is
// kept to the validation code.
double segment_distance(const PipePoint& p0, const PipePoint& p1, const PipePoint& q0,
                        const PipePoint& q1, PipePoint& on_p, PipePoint& on_q) {
  const PipePoint d1 = sub(p1, p0), d2 = sub(q1, q0), r = sub(p0, q0);
  const double a = dot(d1, d1), e = dot(d2, d2), f = dot(d2, r);
  double s = 0, t = 0;
  if (a <= 0 && e <= 0) {
    s = t = 0;
  } else if (a <= 0) {
    t = std::clamp(f / e, 0.0, 1.0);
  } else {
    const double c = dot(d1, r);
    if (e <= 0) {
      s = std::clamp(-c / a, 0.0, 1.0);
    } else {
      const double b = dot(d1, d2), denom = a * e - b * b;
      s = denom > 0 ? std::clamp((b * f - c * e) / denom, 0.0, 1.0) : 0.0;
      t = (b * s + f) / e;
      if (t < 0) {
        t = 0;
        s = std::clamp(-c / a, 0.0, 1.0);
      } else if (t > 1) {
        t = 1;
        s = std::clamp((b - c) / a, 0.0, 1.0);
      }
    }
  }
  on_p = along(p0, d1, s);
  on_q = along(q0, d2, t);
  const PipePoint gap = sub(on_p, on_q);
  return std::sqrt(dot(gap, gap));
}

std::vector<ClearanceFinding> check_clearance(const PipeNetwork& a, const PipeNetwork& b,
                                              const io::PipeRules& rules,
                                              const ClearanceOptions& options) {
  const std::vector<Segment> sa = segments_of(a, options.unit_m),
                             sb = segments_of(b, options.unit_m);
  double max_rule = 0, max_radius_b = 0;
  for (const auto& [pair, m] : rules.clearance) max_rule = std::max(max_rule, m);
  for (const auto& l : b.links) max_radius_b = std::max(max_radius_b, l.diameter_m / 2);
  std::vector<std::pair<Box3d, std::size_t>> boxes;
  for (std::size_t i = 0; i < sb.size(); ++i) boxes.emplace_back(box_of(sb[i], 0), i);
  const bgi::rtree<std::pair<Box3d, std::size_t>, bgi::rstar<16>> tree(boxes);  // packed

  // Closest approach per pair of links, found segment by segment on worker threads: each link
  // of network a is measured whole by one thread, so the result does not depend on the threads.
  struct Closest {
    std::size_t a = 0, b = 0;  // links
    double distance = 0;
    PipePoint on_a{}, on_b{};
  };
  const unsigned threads = worker_count(
      options.threads > 0 ? static_cast<unsigned>(options.threads) : 0, a.links.size());
  std::vector<std::vector<Closest>> found(threads);
  std::vector<std::vector<std::size_t>> segments_of_link(a.links.size());
  for (std::size_t i = 0; i < sa.size(); ++i) segments_of_link[sa[i].link].push_back(i);
  // Scratch space per worker: the boxes hit and the pairs of the current link (few, so searched
  // linearly).
  std::vector<std::vector<std::pair<Box3d, std::size_t>>> hits_of(threads);
  std::vector<std::vector<Closest>> pairs_of(threads);
  parallel_for(a.links.size(), threads, [&](unsigned t, std::size_t l) {
    auto& hits = hits_of[t];
    auto& pairs = pairs_of[t];
    const double reach = a.links[l].diameter_m / 2 + max_radius_b + max_rule;
    pairs.clear();
    for (auto i : segments_of_link[l]) {
      hits.clear();
      tree.query(bgi::intersects(box_of(sa[i], reach)), std::back_inserter(hits));
      for (const auto& [box, j] : hits) {
        if (options.same_network && sb[j].link <= l) continue;  // each pair once
        Closest c;
        c.a = l;
        c.b = sb[j].link;
        c.distance = segment_distance(sa[i].p0, sa[i].p1, sb[j].p0, sb[j].p1, c.on_a, c.on_b);
        auto it =
            std::find_if(pairs.begin(), pairs.end(), [&](const Closest& p) { return p.b == c.b; });
        if (it == pairs.end())
          pairs.push_back(c);
        else if (c.distance < it->distance)
          *it = c;
      }
    }
    found[t].insert(found[t].end(), pairs.begin(), pairs.end());
  });
  // Each link of a was measured by one thread: the pairs are unique; order them.
  std::vector<Closest> all;
  for (auto& v : found) all.insert(all.end(), v.begin(), v.end());
  found.clear();

  // Within one network, pipes that meet at a node are connected, not clashing.
  auto meets = [&](const PipeLink& x, const PipeLink& y) {
    if (!x.from_node.empty() && !y.from_node.empty())
      return x.from_node == y.from_node || x.from_node == y.to_node || x.to_node == y.from_node ||
             x.to_node == y.to_node;
    for (const auto* p : {&x.centreline.front(), &x.centreline.back()})
      for (const auto* q : {&y.centreline.front(), &y.centreline.back()})
        if (std::hypot((*p)[0] - (*q)[0], (*p)[1] - (*q)[1]) * options.unit_m < 1e-3 &&
            std::abs((*p)[2] - (*q)[2]) < 1e-3)
          return true;
    return false;
  };
  std::vector<ClearanceFinding> out;
  for (const auto& c : all) {
    const PipeLink& la = a.links[c.a];
    const PipeLink& lb = b.links[c.b];
    if (options.same_network && meets(la, lb)) continue;
    ClearanceFinding f;
    f.a = la.id;
    f.b = lb.id;
    f.utility_a = la.utility;
    f.utility_b = lb.utility;
    f.axis_distance_m = c.distance;
    f.clearance_m = c.distance - la.diameter_m / 2 - lb.diameter_m / 2;
    f.required_m = rules.clearance_between(la.utility, lb.utility);
    f.clash = f.clearance_m <= 0;
    if (!f.clash && !(f.required_m && f.clearance_m < *f.required_m)) continue;
    for (int k = 0; k < 3; ++k) f.location[k] = (c.on_a[k] + c.on_b[k]) / 2;
    f.location[0] /= options.unit_m;
    f.location[1] /= options.unit_m;
    for (const auto& what : la.assumed) f.assumed.push_back("a " + what);
    for (const auto& what : lb.assumed) f.assumed.push_back("b " + what);
    out.push_back(std::move(f));
  }
  std::sort(out.begin(), out.end(),
            [](const auto& x, const auto& y) { return std::tie(x.a, x.b) < std::tie(y.a, y.b); });
  return out;
}

}  // namespace strata::spatial
