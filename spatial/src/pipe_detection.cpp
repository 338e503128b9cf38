#include "strata/spatial/pipe_detection.h"

#include <algorithm>
#include <boost/geometry/algorithms/within.hpp>
#include <boost/geometry/geometries/box.hpp>
#include <boost/geometry/geometries/point.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <boost/geometry/strategies/strategies.hpp>  // distances for nearest queries
#include <cmath>
#include <limits>
#include <numeric>
#include <queue>
#include <tuple>

#include "point_clusters.h"

namespace strata::spatial {
namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;
using P2 = bg::model::point<double, 2, bg::cs::cartesian>;
using Box2 = bg::model::box<P2>;
using Xyz = std::array<double, 3>;

// One segment of a record, in metres.
struct RecordSegment {
  std::size_t record;  // index into the flat list of records
  Xyz p0, p1;
  double s0 = 0;  // arc length (planar, m) of p0 along its record
};

struct Record {
  std::size_t network;
  const PipeLink* link;
  double radius;
  double length = 0;  // planar, m
};

// A pick's closest approach to a record segment (planar), in metres.
struct Foot {
  double h = 0, t = 0, side = 0;  // distance, parameter on the segment, signed side (+ left)
};
Foot foot_on(const RecordSegment& s, double x, double y) {
  const double dx = s.p1[0] - s.p0[0], dy = s.p1[1] - s.p0[1];
  const double len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? ((x - s.p0[0]) * dx + (y - s.p0[1]) * dy) / len2 : 0;
  t = std::clamp(t, 0.0, 1.0);
  const double fx = s.p0[0] + t * dx, fy = s.p0[1] + t * dy;
  const double cross = dx * (y - s.p0[1]) - dy * (x - s.p0[0]);
  return {std::hypot(x - fx, y - fy), t, cross >= 0 ? 1.0 : -1.0};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double rms_around(const std::vector<double>& v, double centre) {
  double sum = 0;
  for (double x : v) sum += (x - centre) * (x - centre);
  return std::sqrt(sum / static_cast<double>(v.size()));
}

// The centreline of one cluster of picks (metres): the longest path through the graph joining
// picks closer than `eps` (a spanning tree's diameter, so that bends are followed), every pick
// placed at the arc length of its nearest path node, and the mean pick of each `step` of arc
// length as a vertex.
std::vector<Xyz> fit_centreline(const std::vector<Xyz>& pts, double eps, double step) {
  const std::size_t n = pts.size();
  using Entry = std::pair<P2, std::size_t>;
  std::vector<Entry> entries;
  for (std::size_t i = 0; i < n; ++i) entries.emplace_back(P2(pts[i][0], pts[i][1]), i);
  bgi::rtree<Entry, bgi::quadratic<16>> tree(entries.begin(), entries.end());
  // Kruskal over the edges shorter than eps (the cluster is connected by them: DBSCAN).
  std::vector<std::tuple<double, std::size_t, std::size_t>> edges;
  for (std::size_t i = 0; i < n; ++i) {
    const Box2 around(P2(pts[i][0] - eps, pts[i][1] - eps), P2(pts[i][0] + eps, pts[i][1] + eps));
    for (auto it = tree.qbegin(bgi::intersects(around)); it != tree.qend(); ++it) {
      const std::size_t j = it->second;
      if (j <= i) continue;
      const double d = std::hypot(pts[i][0] - pts[j][0], pts[i][1] - pts[j][1]);
      if (d <= eps) edges.emplace_back(d, i, j);
    }
  }
  std::sort(edges.begin(), edges.end());
  std::vector<std::size_t> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  auto root = [&](std::size_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  };
  std::vector<std::vector<std::pair<std::size_t, double>>> adjacent(n);
  for (const auto& [d, i, j] : edges) {
    const std::size_t a = root(i), b = root(j);
    if (a == b) continue;
    parent[a] = b;
    adjacent[i].emplace_back(j, d);
    adjacent[j].emplace_back(i, d);
  }
  // Farthest node by tree distance (from `from`), with the tree's parents.
  auto farthest = [&](std::size_t from, std::vector<std::size_t>& up) {
    std::vector<double> dist(n, -1);
    up.assign(n, n);
    std::vector<std::size_t> stack{from};
    dist[from] = 0;
    std::size_t best = from;
    while (!stack.empty()) {
      const std::size_t i = stack.back();
      stack.pop_back();
      if (dist[i] > dist[best]) best = i;
      for (const auto& [j, d] : adjacent[i])
        if (dist[j] < 0) {
          dist[j] = dist[i] + d;
          up[j] = i;
          stack.push_back(j);
        }
    }
    return best;
  };
  std::vector<std::size_t> up;
  const std::size_t a = farthest(0, up);
  const std::size_t b = farthest(a, up);
  std::vector<std::size_t> path;
  for (std::size_t i = b; i != n; i = up[i]) path.push_back(i);
  // Arc length along the path, then every pick at its nearest path node's arc length.
  std::vector<double> arc(path.size(), 0);
  for (std::size_t k = 1; k < path.size(); ++k)
    arc[k] = arc[k - 1] + std::hypot(pts[path[k]][0] - pts[path[k - 1]][0],
                                     pts[path[k]][1] - pts[path[k - 1]][1]);
  std::vector<Entry> path_entries;
  for (std::size_t k = 0; k < path.size(); ++k)
    path_entries.emplace_back(P2(pts[path[k]][0], pts[path[k]][1]), k);
  bgi::rtree<Entry, bgi::quadratic<16>> path_tree(path_entries.begin(), path_entries.end());
  const double total = arc.back();
  const std::size_t bins = std::max<std::size_t>(1, static_cast<std::size_t>(total / step) + 1);
  std::vector<Xyz> sum(bins, Xyz{0, 0, 0});
  std::vector<std::size_t> count(bins, 0);
  for (std::size_t i = 0; i < n; ++i) {
    Entry nearest;
    path_tree.query(bgi::nearest(P2(pts[i][0], pts[i][1]), 1), &nearest);
    const auto bin = std::min(bins - 1, static_cast<std::size_t>(arc[nearest.second] / step));
    for (int k = 0; k < 3; ++k) sum[bin][k] += pts[i][k];
    ++count[bin];
  }
  std::vector<Xyz> line;
  for (std::size_t k = 0; k < bins; ++k)
    if (count[k]) {
      const double c = static_cast<double>(count[k]);
      line.push_back({sum[k][0] / c, sum[k][1] / c, sum[k][2] / c});
    }
  return line;
}

double distance_to_polyline(const std::vector<Xyz>& line, double x, double y) {
  double best = std::numeric_limits<double>::infinity();
  if (line.size() == 1) return std::hypot(x - line[0][0], y - line[0][1]);
  for (std::size_t i = 0; i + 1 < line.size(); ++i)
    best = std::min(best, foot_on({0, line[i], line[i + 1], 0}, x, y).h);
  return best;
}

// A fitted centreline's direction at one end, pointing out of the line, from the vertex about
// `reach` metres in.
std::array<double, 2> outward(const std::vector<Xyz>& line, bool at_end, double reach) {
  const std::size_t n = line.size();
  const Xyz& tip = at_end ? line[n - 1] : line[0];
  Xyz inner = tip;
  double run = 0;
  for (std::size_t k = 1; k < n && run < reach; ++k) {
    const Xyz& q = at_end ? line[n - 1 - k] : line[k];
    run += std::hypot(q[0] - inner[0], q[1] - inner[1]);
    inner = q;
  }
  const double dx = tip[0] - inner[0], dy = tip[1] - inner[1];
  const double len = std::hypot(dx, dy);
  return len > 0 ? std::array<double, 2>{dx / len, dy / len} : std::array<double, 2>{0, 0};
}

// Undocumented pieces that continue each other across a short gap are one pipe: where a
// recorded pipe branches off an undocumented one, the picks around the junction belong to the
// record, which leaves a gap of about twice the tolerance in the undocumented pipe's picks.
// Ends within `gap` of each other whose directions (and the gap's) agree within 30° are joined.
struct Piece {
  std::vector<Xyz> line;
  std::int64_t picks;
  double sum_squares;  // of the picks' distances from the line
};
void join_pieces(std::vector<Piece>& pieces, double gap) {
  const double cos_limit = std::cos(30.0 * 3.14159265358979323846 / 180.0);
  bool joined = true;
  while (joined) {
    joined = false;
    double best = gap;
    std::size_t bi = 0, bj = 0;
    bool bi_end = false, bj_end = false;
    for (std::size_t i = 0; i < pieces.size(); ++i)
      for (std::size_t j = i + 1; j < pieces.size(); ++j)
        for (bool ie : {false, true})
          for (bool je : {false, true}) {
            const auto& a = pieces[i].line;
            const auto& b = pieces[j].line;
            if (a.size() < 2 || b.size() < 2) continue;
            const Xyz& pa = ie ? a.back() : a.front();
            const Xyz& pb = je ? b.back() : b.front();
            const double d = std::hypot(pb[0] - pa[0], pb[1] - pa[1]);
            if (d > best) continue;
            const auto da = outward(a, ie, 3.0), db = outward(b, je, 3.0);
            // a leaves towards b, b leaves towards a: opposite outward directions.
            if (-(da[0] * db[0] + da[1] * db[1]) < cos_limit) continue;
            if (d > 0) {
              const double gx = (pb[0] - pa[0]) / d, gy = (pb[1] - pa[1]) / d;
              if (da[0] * gx + da[1] * gy < cos_limit) continue;
            }
            best = d;
            bi = i, bj = j, bi_end = ie, bj_end = je;
            joined = true;
          }
    if (!joined) continue;
    Piece a = pieces[bi], b = pieces[bj];
    if (!bi_end) std::reverse(a.line.begin(), a.line.end());  // a now ends at the gap
    if (bj_end) std::reverse(b.line.begin(), b.line.end());   // b now starts at it
    a.line.insert(a.line.end(), b.line.begin(), b.line.end());
    a.picks += b.picks;
    a.sum_squares += b.sum_squares;
    pieces.erase(pieces.begin() + static_cast<std::ptrdiff_t>(bj));
    pieces[bi] = std::move(a);
  }
}

}  // namespace

DetectionResult overlay_detections(const std::vector<const PipeNetwork*>& networks,
                                   const std::vector<std::array<double, 3>>& picks_in,
                                   const DetectionOptions& o) {
  const double u = o.unit_m;
  DetectionResult out;
  out.picks = static_cast<std::int64_t>(picks_in.size());
  std::vector<Xyz> picks;  // metres
  picks.reserve(picks_in.size());
  for (const auto& p : picks_in) picks.push_back({p[0] * u, p[1] * u, p[2]});
  // The surveyed area, in metres.
  MultiPolygon2 area;
  if (!o.area.empty()) {
    area = o.area;
    for (auto& poly : area) {
      for (auto& p : poly.outer()) p = Point2(p.x() * u, p.y() * u);
      for (auto& ring : poly.inners())
        for (auto& p : ring) p = Point2(p.x() * u, p.y() * u);
    }
  } else if (!picks.empty()) {
    double x0 = picks[0][0], y0 = picks[0][1], x1 = x0, y1 = y0;
    for (const auto& p : picks) {
      x0 = std::min(x0, p[0]);
      y0 = std::min(y0, p[1]);
      x1 = std::max(x1, p[0]);
      y1 = std::max(y1, p[1]);
    }
    const double t = o.tolerance_m;
    Polygon2 box;
    box.outer() = {Point2(x0 - t, y0 - t), Point2(x0 - t, y1 + t), Point2(x1 + t, y1 + t),
                   Point2(x1 + t, y0 - t), Point2(x0 - t, y0 - t)};
    area.push_back(box);
  }
  // Records and their segments, in metres.
  std::vector<Record> records;
  std::vector<RecordSegment> segments;
  for (std::size_t n = 0; n < networks.size(); ++n)
    for (const auto& l : networks[n]->links) {
      if (l.centreline.size() < 2) continue;
      Record r{n, &l, l.diameter_m / 2, 0};
      for (std::size_t i = 0; i + 1 < l.centreline.size(); ++i) {
        const auto& a = l.centreline[i];
        const auto& b = l.centreline[i + 1];
        RecordSegment s{
            records.size(), {a[0] * u, a[1] * u, a[2]}, {b[0] * u, b[1] * u, b[2]}, r.length};
        r.length += std::hypot(s.p1[0] - s.p0[0], s.p1[1] - s.p0[1]);
        segments.push_back(s);
      }
      if (r.length > 0) records.push_back(r);
    }
  using Entry = std::pair<Box2, std::size_t>;
  std::vector<Entry> boxes;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const auto& s = segments[i];
    boxes.emplace_back(Box2(P2(std::min(s.p0[0], s.p1[0]), std::min(s.p0[1], s.p1[1])),
                            P2(std::max(s.p0[0], s.p1[0]), std::max(s.p0[1], s.p1[1]))),
                       i);
  }
  bgi::rtree<Entry, bgi::quadratic<16>> tree(boxes.begin(), boxes.end());
  // Each pick to the record nearest to it in 3D among those within both tolerances.
  struct Attributed {
    double s, side_offset, dz;
  };
  std::vector<std::vector<Attributed>> by_record(records.size());
  std::vector<Xyz> unmatched;
  for (const auto& p : picks) {
    const double t = o.tolerance_m;
    const Box2 around(P2(p[0] - t, p[1] - t), P2(p[0] + t, p[1] + t));
    double best = std::numeric_limits<double>::infinity();
    std::size_t best_record = 0;
    Attributed best_a{};
    for (auto it = tree.qbegin(bgi::intersects(around)); it != tree.qend(); ++it) {
      const RecordSegment& s = segments[it->second];
      const Foot f = foot_on(s, p[0], p[1]);
      if (f.h > o.tolerance_m) continue;
      const Record& r = records[s.record];
      const double axis_z = s.p0[2] + f.t * (s.p1[2] - s.p0[2]);
      const double dz = p[2] - (axis_z + (o.picks_are_tops ? r.radius : 0));
      if (std::abs(dz) > o.depth_tolerance_m) continue;
      const double d = std::hypot(f.h, dz);
      if (d < best) {
        best = d;
        best_record = s.record;
        const double seg_len = std::hypot(s.p1[0] - s.p0[0], s.p1[1] - s.p0[1]);
        best_a = {s.s0 + f.t * seg_len, f.side * f.h, dz};
      }
    }
    if (std::isfinite(best)) {
      by_record[best_record].push_back(best_a);
      ++out.matched;
    } else {
      unmatched.push_back(p);
    }
  }
  // Records: coverage over their surveyed length, deviations from the picks away from the ends.
  for (std::size_t r = 0; r < records.size(); ++r) {
    const Record& rec = records[r];
    const auto& line = rec.link->centreline;
    const std::size_t bins =
        std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(rec.length / o.bin_m)));
    const double bin_len = rec.length / static_cast<double>(bins);
    // Bin midpoints: inside the surveyed area or not.
    std::vector<char> surveyed(bins, 0), covered(bins, 0);
    std::vector<Xyz> mids(bins);
    {
      std::size_t seg = 0;
      double run = 0;
      for (std::size_t b = 0; b < bins; ++b) {
        const double s = (static_cast<double>(b) + 0.5) * bin_len;
        while (seg + 2 < line.size()) {
          const double len =
              std::hypot(line[seg + 1][0] - line[seg][0], line[seg + 1][1] - line[seg][1]) * u;
          if (run + len >= s) break;
          run += len;
          ++seg;
        }
        const double len =
            std::hypot(line[seg + 1][0] - line[seg][0], line[seg + 1][1] - line[seg][1]) * u;
        const double t = len > 0 ? std::clamp((s - run) / len, 0.0, 1.0) : 0;
        mids[b] = {(line[seg][0] + t * (line[seg + 1][0] - line[seg][0])) * u,
                   (line[seg][1] + t * (line[seg + 1][1] - line[seg][1])) * u,
                   line[seg][2] + t * (line[seg + 1][2] - line[seg][2])};
        surveyed[b] = bg::within(Point2(mids[b][0], mids[b][1]), area);
      }
    }
    std::size_t surveyed_bins = 0;
    for (char c : surveyed) surveyed_bins += c;
    if (surveyed_bins == 0) continue;
    RecordDeviation d;
    d.network = rec.network;
    d.pipe = rec.link;
    d.surveyed_m = static_cast<double>(surveyed_bins) * bin_len;
    const auto& mine = by_record[r];
    d.picks = static_cast<std::int64_t>(mine.size());
    for (const auto& a : mine)
      covered[std::min(bins - 1, static_cast<std::size_t>(a.s / bin_len))] = 1;
    std::size_t covered_bins = 0;
    for (std::size_t b = 0; b < bins; ++b) covered_bins += covered[b] && surveyed[b];
    d.coverage = static_cast<double>(covered_bins) / static_cast<double>(surveyed_bins);
    d.detected = d.coverage >= o.min_coverage;
    // Near its ends a pick may belong to the next pipe of the network: left out of the offsets
    // (unless the record is too short to have a middle).
    const double margin = rec.length > 3 * o.tolerance_m ? o.tolerance_m : 0;
    std::vector<double> h, v;
    for (const auto& a : mine)
      if (a.s >= margin && a.s <= rec.length - margin) {
        h.push_back(a.side_offset);
        v.push_back(a.dz);
      }
    d.picks_used = static_cast<std::int64_t>(h.size());
    if (!h.empty()) {
      d.horizontal_m = median(h);
      d.vertical_m = median(v);
      d.horizontal_rms_m = rms_around(h, *d.horizontal_m);
      d.vertical_rms_m = rms_around(v, *d.vertical_m);
      double worst = 0;
      for (double x : h) worst = std::max(worst, std::abs(x));
      d.max_horizontal_m = worst;
    }
    // Location: the middle surveyed bin.
    std::size_t k = 0, half = surveyed_bins / 2;
    for (std::size_t b = 0; b < bins; ++b)
      if (surveyed[b] && k++ == half) d.location = {mids[b][0] / u, mids[b][1] / u, mids[b][2]};
    out.records.push_back(d);
  }
  std::sort(out.records.begin(), out.records.end(), [](const auto& a, const auto& b) {
    return std::tie(a.network, a.pipe->id) < std::tie(b.network, b.pipe->id);
  });
  // Picks near no record: clusters, each fitted as an undocumented pipe.
  const std::vector<int> labels = dbscan_clusters(unmatched, o.cluster_m, o.min_points);
  int clusters = 0;
  for (int l : labels) clusters = std::max(clusters, l + 1);
  std::vector<std::vector<Xyz>> members(static_cast<std::size_t>(clusters));
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0) {
      ++out.noise;
      continue;
    }
    members[static_cast<std::size_t>(labels[i])].push_back(unmatched[i]);
  }
  std::vector<Piece> pieces;
  for (const auto& m : members) {
    if (static_cast<int>(m.size()) < o.min_points) {
      out.noise += static_cast<std::int64_t>(m.size());
      continue;
    }
    out.clustered += static_cast<std::int64_t>(m.size());
    Piece piece{fit_centreline(m, o.cluster_m, o.bin_m), static_cast<std::int64_t>(m.size()), 0};
    for (const auto& q : m) {
      const double d = distance_to_polyline(piece.line, q[0], q[1]);
      piece.sum_squares += d * d;
    }
    pieces.push_back(std::move(piece));
  }
  join_pieces(pieces, 2 * o.tolerance_m + o.cluster_m);
  for (auto& piece : pieces) {
    UndocumentedPipe p;
    p.picks = piece.picks;
    p.rms_m = std::sqrt(piece.sum_squares / static_cast<double>(piece.picks));
    std::vector<Xyz>& line = piece.line;
    for (std::size_t i = 1; i < line.size(); ++i)
      p.length_m += std::hypot(line[i][0] - line[i - 1][0], line[i][1] - line[i - 1][1]);
    // The nearest record, from the fitted vertices.
    double nearest = std::numeric_limits<double>::infinity();
    for (const auto& q : line) {
      // Boxes come nearest first; none further than the best segment so far can beat it.
      for (auto it =
               tree.qbegin(bgi::nearest(P2(q[0], q[1]), static_cast<unsigned>(segments.size())));
           it != tree.qend(); ++it) {
        const Box2& b = it->first;
        const double bx =
            std::max({0.0, b.min_corner().get<0>() - q[0], q[0] - b.max_corner().get<0>()});
        const double by =
            std::max({0.0, b.min_corner().get<1>() - q[1], q[1] - b.max_corner().get<1>()});
        if (std::hypot(bx, by) > nearest) break;
        const RecordSegment& s = segments[it->second];
        const double d = foot_on(s, q[0], q[1]).h;
        if (d < nearest) {
          nearest = d;
          p.nearest_record = records[s.record].link->id;
        }
      }
    }
    p.nearest_record_m = std::isfinite(nearest) ? nearest : 0;
    for (auto& q : line) q = {q[0] / u, q[1] / u, q[2]};
    p.centreline = std::move(line);
    out.undocumented.push_back(std::move(p));
  }
  std::stable_sort(out.undocumented.begin(), out.undocumented.end(),
                   [](const auto& a, const auto& b) { return a.picks > b.picks; });
  for (std::size_t i = 0; i < out.undocumented.size(); ++i)
    out.undocumented[i].id = "D" + std::to_string(i + 1);
  return out;
}

}  // namespace strata::spatial
