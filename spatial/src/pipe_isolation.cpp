#include "strata/spatial/pipe_isolation.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include <boost/geometry/algorithms/envelope.hpp>
#include <boost/geometry/index/rtree.hpp>

#include "geos_support.h"
#include "strata/core/error.h"

namespace strata::spatial {
namespace {

struct GraphNode {
  std::string id;
  const PipeNode* node = nullptr;  // a node of the network (not a valve's side)
};

enum class EdgeKind { kPart, kValve };

struct Edge {
  std::size_t a = 0, b = 0;
  EdgeKind kind = EdgeKind::kPart;
  std::size_t link = 0;
  double from_m = 0, to_m = 0;
  std::string valve_id;  // kValve
  PipePoint location{};  // kValve
};

// Planar arc positions (m) of a centreline's vertices.
std::vector<double> arc_of(const std::vector<PipePoint>& c, double unit_m) {
  std::vector<double> s{0};
  for (std::size_t i = 1; i < c.size(); ++i)
    s.push_back(s.back() + std::hypot(c[i][0] - c[i - 1][0], c[i][1] - c[i - 1][1]) * unit_m);
  return s;
}

PipePoint point_at(const std::vector<PipePoint>& c, const std::vector<double>& arc, double s) {
  auto it = std::upper_bound(arc.begin(), arc.end(), s);
  if (it == arc.begin()) return c.front();
  if (it == arc.end()) return c.back();
  const std::size_t i = static_cast<std::size_t>(it - arc.begin()) - 1;
  const double span = arc[i + 1] - arc[i];
  const double t = span > 0 ? (s - arc[i]) / span : 0;
  return {c[i][0] + t * (c[i + 1][0] - c[i][0]), c[i][1] + t * (c[i + 1][1] - c[i][1]),
          c[i][2] + t * (c[i + 1][2] - c[i][2])};
}

// Closest point of a centreline to (x, y): its arc position (m) and planar distance (m).
std::pair<double, double> project(const std::vector<PipePoint>& c, const std::vector<double>& arc,
                                  double x, double y, double unit_m) {
  double best = std::numeric_limits<double>::infinity(), at = 0;
  for (std::size_t i = 0; i + 1 < c.size(); ++i) {
    const double dx = c[i + 1][0] - c[i][0], dy = c[i + 1][1] - c[i][1];
    const double len2 = dx * dx + dy * dy;
    const double t =
        len2 > 0 ? std::clamp(((x - c[i][0]) * dx + (y - c[i][1]) * dy) / len2, 0.0, 1.0) : 0;
    const double d = std::hypot(x - (c[i][0] + t * dx), y - (c[i][1] + t * dy)) * unit_m;
    if (d < best) {
      best = d;
      at = arc[i] + t * (arc[i + 1] - arc[i]);
    }
  }
  return {at, best};
}

GeomPtr line_of(const Geos& geos, const std::vector<PipePoint>& c) {
  std::vector<double> xy;
  for (const auto& p : c) xy.insert(xy.end(), {p[0], p[1]});
  GEOSCoordSequence* seq = GEOSCoordSeq_copyFromBuffer_r(geos.handle(), xy.data(),
                                                         static_cast<unsigned>(c.size()), 0, 0);
  if (!seq) geos.check(nullptr, "coordinate sequence");
  return owned(geos, GEOSGeom_createLineString_r(geos.handle(), seq), "line string");
}

}  // namespace

std::vector<IsolationResult> trace_isolations(const PipeNetwork& net,
                                              const std::vector<IsolationBreak>& breaks,
                                              const std::vector<ValvePoint>& valve_points,
                                              const std::vector<ServedBuilding>& buildings,
                                              const IsolationOptions& o) {
  const double u = o.unit_m;
  IsolationResult base;  // what every trace shares
  // Graph nodes: the network's own, found by id; for GIS layers (links without node ids) by
  // snapping line ends on a grid of snap_m (neighbouring cells included).
  std::vector<GraphNode> nodes;
  std::map<std::string, std::size_t> by_id;
  for (const auto& n : net.nodes) {
    by_id[n.id] = nodes.size();
    nodes.push_back({n.id, &n});
  }
  std::map<std::pair<long long, long long>, std::vector<std::size_t>> grid;
  std::vector<PipePoint> snapped_at;
  const double cell = std::max(o.snap_m, 1e-9) / u;
  auto snap = [&](const PipePoint& p) {
    const long long gx = std::llround(p[0] / cell), gy = std::llround(p[1] / cell);
    for (long long dx = -1; dx <= 1; ++dx)
      for (long long dy = -1; dy <= 1; ++dy) {
        auto it = grid.find({gx + dx, gy + dy});
        if (it == grid.end()) continue;
        for (std::size_t k : it->second)
          if (std::hypot(snapped_at[k][0] - p[0], snapped_at[k][1] - p[1]) * u <= o.snap_m)
            return k;
      }
    const std::size_t k = nodes.size();
    nodes.push_back({"node " + std::to_string(k - net.nodes.size() + 1), nullptr});
    snapped_at.resize(nodes.size());
    snapped_at[k] = p;
    grid[{gx, gy}].push_back(k);
    return k;
  };
  snapped_at.resize(nodes.size());
  std::vector<std::vector<double>> arcs;
  std::vector<std::pair<std::size_t, std::size_t>> ends;
  for (const auto& l : net.links) {
    arcs.push_back(arc_of(l.centreline, u));
    auto a = by_id.find(l.from_node), b = by_id.find(l.to_node);
    ends.emplace_back(a != by_id.end() ? a->second : snap(l.centreline.front()),
                      b != by_id.end() ? b->second : snap(l.centreline.back()));
  }
  // Valve points onto their nearest link within valve_snap_m (candidates from an R-tree of the
  // links' boxes).
  namespace bg = boost::geometry;
  namespace bgi = boost::geometry::index;
  using Box = bg::model::box<Point2>;
  std::vector<std::pair<Box, std::size_t>> boxes;
  for (std::size_t l = 0; l < net.links.size(); ++l) {
    if (net.links[l].type == "valve" || net.links[l].centreline.empty()) continue;
    const auto& c = net.links[l].centreline;
    double x0 = c[0][0], y0 = c[0][1], x1 = x0, y1 = y0;
    for (const auto& p : c) {
      x0 = std::min(x0, p[0]);
      y0 = std::min(y0, p[1]);
      x1 = std::max(x1, p[0]);
      y1 = std::max(y1, p[1]);
    }
    boxes.push_back({Box(Point2(x0, y0), Point2(x1, y1)), l});
  }
  const bgi::rtree<std::pair<Box, std::size_t>, bgi::rstar<16>> link_tree(boxes);
  std::vector<std::vector<std::pair<double, const ValvePoint*>>> on_link(net.links.size());
  for (const auto& v : valve_points) {
    double best = std::numeric_limits<double>::infinity(), s_best = 0;
    std::size_t best_link = 0;
    const double reach = o.valve_snap_m / u;
    std::vector<std::pair<Box, std::size_t>> near;
    link_tree.query(
        bgi::intersects(Box(Point2(v.x - reach, v.y - reach), Point2(v.x + reach, v.y + reach))),
        std::back_inserter(near));
    std::sort(near.begin(), near.end(),
              [](const auto& a, const auto& b) { return a.second < b.second; });
    for (const auto& [box, l] : near) {
      const auto [s, d] = project(net.links[l].centreline, arcs[l], v.x, v.y, u);
      if (d < best) best = d, s_best = s, best_link = l;
    }
    if (best <= o.valve_snap_m)
      on_link[best_link].emplace_back(s_best, &v);
    else
      base.valves_off_network.push_back(v.id);
  }
  // Edges: links cut at their valves into parts, with a valve edge between the two sides.
  std::vector<Edge> edges;
  for (std::size_t l = 0; l < net.links.size(); ++l) {
    const PipeLink& link = net.links[l];
    const double length = arcs[l].back();
    if (link.type == "valve") {
      edges.push_back({ends[l].first, ends[l].second, EdgeKind::kValve, l, 0, length, link.id,
                       point_at(link.centreline, arcs[l], length / 2)});
      continue;
    }
    auto& vs = on_link[l];
    std::sort(vs.begin(), vs.end(), [](const auto& p, const auto& q) {
      return std::tie(p.first, p.second->id) < std::tie(q.first, q.second->id);
    });
    std::size_t prev = ends[l].first;
    double cursor = 0;
    for (const auto& [s, v] : vs) {
      const std::size_t side_a = nodes.size(), side_b = nodes.size() + 1;
      nodes.push_back({"valve " + v->id + " (" + link.id + " side a)", nullptr});
      nodes.push_back({"valve " + v->id + " (" + link.id + " side b)", nullptr});
      edges.push_back({prev, side_a, EdgeKind::kPart, l, cursor, s, "", {}});
      edges.push_back({side_a, side_b, EdgeKind::kValve, l, s, s, v->id,
                       point_at(link.centreline, arcs[l], s)});
      prev = side_b;
      cursor = s;
    }
    edges.push_back({prev, ends[l].second, EdgeKind::kPart, l, cursor, length, "", {}});
  }
  std::vector<std::vector<std::size_t>> incident(nodes.size()), parts_of(net.links.size());
  for (std::size_t e = 0; e < edges.size(); ++e) {
    incident[edges[e].a].push_back(e);
    incident[edges[e].b].push_back(e);
    if (edges[e].kind == EdgeKind::kPart) parts_of[edges[e].link].push_back(e);
  }
  // The part of a link that holds the position s along it (edges.size() when none does).
  auto part_at = [&](std::size_t link, double s) {
    for (std::size_t e : parts_of[link])
      if (edges[e].from_m <= s && s <= edges[e].to_m) return e;
    return edges.size();
  };
  // Buildings: served by the nearest link within the service distance, at the stretch there
  // (the same for every break).
  struct Served {
    const ServedBuilding* building;
    std::size_t edge;
    double distance;
  };
  std::vector<Served> served;
  if (!buildings.empty()) {
    Geos geos;
    const auto h = geos.handle();
    std::vector<GeomPtr> lines;
    for (const auto& l : net.links) lines.push_back(line_of(geos, l.centreline));
    for (const auto& b : buildings) {
      GeomPtr outline = to_geos(geos, b.outline);
      double best = std::numeric_limits<double>::infinity();
      std::size_t best_link = net.links.size();
      Box around;
      bg::envelope(b.outline, around);
      const double reach = o.service_m / u;
      std::vector<std::pair<Box, std::size_t>> near;
      link_tree.query(
          bgi::intersects(
              Box(Point2(around.min_corner().x() - reach, around.min_corner().y() - reach),
                  Point2(around.max_corner().x() + reach, around.max_corner().y() + reach))),
          std::back_inserter(near));
      std::sort(near.begin(), near.end(),
                [](const auto& x, const auto& y) { return x.second < y.second; });
      for (const auto& [box, l] : near) {
        double d = 0;
        if (!GEOSDistance_r(h, outline.get(), lines[l].get(), &d)) geos.check(nullptr, "distance");
        if (d * u < best) best = d * u, best_link = l;
      }
      if (best_link == net.links.size() || best > o.service_m) {
        ++base.buildings_unserved;
        continue;
      }
      GEOSCoordSequence* pair = GEOSNearestPoints_r(h, lines[best_link].get(), outline.get());
      double x = 0, y = 0;
      if (!pair || !GEOSCoordSeq_getXY_r(h, pair, 0, &x, &y)) geos.check(nullptr, "nearest points");
      GEOSCoordSeq_destroy_r(h, pair);
      const double s = project(net.links[best_link].centreline, arcs[best_link], x, y, u).first;
      if (const std::size_t e = part_at(best_link, s); e < edges.size())
        served.push_back({&b, e, best});
    }
  }
  std::map<std::string, std::size_t> link_by_id;  // ids are unique: the readers reject repeats
  for (std::size_t l = 0; l < net.links.size(); ++l) link_by_id.emplace(net.links[l].id, l);
  std::vector<IsolationResult> results;
  for (const IsolationBreak& at : breaks) {
    IsolationResult out = base;
    // The broken stretch.
    const auto found = link_by_id.find(at.pipe);
    const std::size_t broken = found == link_by_id.end() ? net.links.size() : found->second;
    if (broken == net.links.size())
      throw StrataError(ErrorCode::kWrongInputParameters,
                        "--break " + at.pipe + ": no pipe with that id in the network");
    if (net.links[broken].type == "valve")
      throw StrataError(ErrorCode::kWrongInputParameters,
                        "--break " + at.pipe + " is a valve, not a pipe");
    const double s_break =
        at.at
            ? project(net.links[broken].centreline, arcs[broken], (*at.at)[0], (*at.at)[1], u).first
            : arcs[broken].back() / 2;
    const std::size_t start = part_at(broken, s_break);
    // Flood through parts (pumps included: they do not isolate), stopping at valves.
    std::vector<char> node_in(nodes.size(), 0), edge_in(edges.size(), 0);
    std::vector<std::size_t> stack;
    edge_in[start] = 1;
    for (std::size_t n : {edges[start].a, edges[start].b})
      if (!node_in[n]) node_in[n] = 1, stack.push_back(n);
    while (!stack.empty()) {
      const std::size_t n = stack.back();
      stack.pop_back();
      for (std::size_t e : incident[n]) {
        if (edges[e].kind == EdgeKind::kValve || edge_in[e]) continue;
        edge_in[e] = 1;
        for (std::size_t m : {edges[e].a, edges[e].b})
          if (!node_in[m]) node_in[m] = 1, stack.push_back(m);
      }
    }
    std::vector<char> closed(edges.size(), 0);
    for (std::size_t e = 0; e < edges.size(); ++e)
      if (edges[e].kind == EdgeKind::kValve && (node_in[edges[e].a] != node_in[edges[e].b])) {
        closed[e] = 1;
        out.valves.push_back({edges[e].valve_id, net.links[edges[e].link].id, edges[e].location});
      }
    std::sort(out.valves.begin(), out.valves.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    out.break_closable = !out.valves.empty();
    // Supply after closing: flood from the sources outside the shut stretch.
    std::vector<std::size_t> sources;
    if (!o.sources.empty()) {
      for (const auto& id : o.sources) {
        auto it = by_id.find(id);
        if (it == by_id.end())
          throw StrataError(ErrorCode::kWrongInputParameters,
                            "--sources: no node '" + id + "' in the network");
        sources.push_back(it->second);
      }
    } else {
      for (std::size_t n = 0; n < net.nodes.size(); ++n)
        if (net.nodes[n].type == "reservoir" || net.nodes[n].type == "tank") sources.push_back(n);
    }
    for (std::size_t n : sources) out.sources.push_back(nodes[n].id);
    out.sources_known = !sources.empty();
    std::vector<char> fed(nodes.size(), 0), edge_fed(edges.size(), 0);
    for (std::size_t n : sources)
      if (!node_in[n]) fed[n] = 1, stack.push_back(n);
    while (!stack.empty()) {
      const std::size_t n = stack.back();
      stack.pop_back();
      for (std::size_t e : incident[n]) {
        if (closed[e] || edge_in[e] || edge_fed[e]) continue;
        edge_fed[e] = 1;
        for (std::size_t m : {edges[e].a, edges[e].b})
          if (!fed[m] && !node_in[m]) fed[m] = 1, stack.push_back(m);
      }
    }
    enum class State { kServed, kIsolated, kCutOff };
    std::vector<State> edge_state(edges.size(), State::kServed);
    for (std::size_t e = 0; e < edges.size(); ++e) {
      if (edges[e].kind != EdgeKind::kPart) continue;
      const PipeStretch stretch{&net.links[edges[e].link], edges[e].from_m, edges[e].to_m};
      if (edge_in[e]) {
        edge_state[e] = State::kIsolated;
        out.isolated.push_back(stretch);
      } else if (out.sources_known && !edge_fed[e]) {
        edge_state[e] = State::kCutOff;
        out.cut_off.push_back(stretch);
      }
    }
    auto by_pipe = [](const PipeStretch& a, const PipeStretch& b) {
      return std::tie(a.pipe->id, a.from_m) < std::tie(b.pipe->id, b.from_m);
    };
    std::sort(out.isolated.begin(), out.isolated.end(), by_pipe);
    std::sort(out.cut_off.begin(), out.cut_off.end(), by_pipe);
    // An EPANET valve link is a control valve (pressure reducing, flow control, ...); without a
    // layer of isolation valves the trace can only close those, which crews rarely do.
    std::string control_closed;  // "V1 (PRV), V7 (FCV)"
    int n_control = 0;
    for (const auto& v : out.valves) {
      const auto it = link_by_id.find(v.pipe);
      if (it == link_by_id.end() || net.links[it->second].type != "valve") continue;
      const std::string& kind = net.links[it->second].valve_type;
      control_closed += (control_closed.empty() ? "" : ", ") + v.id + " (" +
                        (kind.empty() ? std::string("valve") : kind) + ")";
      ++n_control;
    }
    if (n_control > 0)
      out.warnings.push_back(
          "the trace closes " + std::to_string(n_control) + " control valve(s) of the network, " +
          control_closed + ", as if they were isolation valves" +
          (valve_points.empty() ? ": the network has no isolation valves; give them with --valves"
                                : ""));
    double shut_m = 0;
    for (const auto* list : {&out.isolated, &out.cut_off})
      for (const auto& s : *list) shut_m += s.to_m - s.from_m;
    out.network_length_m = 0;
    for (std::size_t l = 0; l < net.links.size(); ++l)
      if (net.links[l].type != "valve") out.network_length_m += arcs[l].back();
    if (out.network_length_m > 0 && shut_m / out.network_length_m > 0.5) {
      char share[160];
      std::snprintf(share, sizeof share,
                    "%s %.0f %% of the network's pipe length (%.0f of %.0f m): check that the "
                    "isolation valves are complete",
                    out.valves.empty() ? "no valve bounds the break: it shuts or cuts off"
                                       : "closing these valves shuts or cuts off",
                    100.0 * shut_m / out.network_length_m, shut_m, out.network_length_m);
      out.warnings.push_back(share);
    }
    for (std::size_t n = 0; n < nodes.size(); ++n) {
      const bool isolated = node_in[n], cut = out.sources_known && !node_in[n] && !fed[n];
      if (!isolated && !cut) continue;
      if (nodes[n].id.rfind("valve ", 0) == 0) continue;  // a valve's side is no place
      (isolated ? out.isolated_nodes : out.cut_off_nodes).push_back(nodes[n].id);
      if (nodes[n].node && nodes[n].node->demand)
        (isolated ? out.demand_isolated : out.demand_cut_off) += *nodes[n].node->demand;
    }
    for (const auto& sv : served)
      if (edge_state[sv.edge] != State::kServed)
        out.buildings.push_back({sv.building->id, net.links[edges[sv.edge].link].id, sv.distance,
                                 edge_state[sv.edge] == State::kIsolated});
    results.push_back(std::move(out));
  }
  return results;
}

}  // namespace strata::spatial
