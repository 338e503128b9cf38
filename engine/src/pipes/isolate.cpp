// strata pipes isolate NETWORK --break PIPE: the valves to close for a break, the pipes they shut
// off, what loses its supply and the buildings affected (docs/pipes.md).
#include <chrono>
#include <map>
#include <sstream>

#include "strata/core/crs.h"
#include "strata/engine/pipe_analyses.h"
#include "strata/io/points_gpkg.h"
#include "strata/io/vector_source.h"
#include "strata/spatial/pipe_isolation.h"

namespace strata::engine {
namespace {

struct IsolateOptions : PipeJobInputs {
  std::vector<std::string> pipes;  // --break, once or more
  bool all = false;                // --break-all
  std::string pipe, at, valves, valve_id_field, buildings, building_id_field, sources;
  spatial::IsolationOptions options;
};

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(text);
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

// Several breaks: one line per break (how much each break shuts and cuts off), and the pipes
// coloured by it in a GeoPackage: the network's criticality.
JobResult criticality_result(const IsolateOptions& a, const PipeInputs& in,
                             const std::vector<spatial::IsolationBreak>& breaks,
                             const std::vector<spatial::IsolationResult>& results, double seconds) {
  const LoadedNetwork& net = in.networks.front();
  nlohmann::json traces = nlohmann::json::array();
  io::FindingsLayer layer{"isolation_criticality",
                          {{"pipe", FieldType::kText},
                           {"valves", FieldType::kInteger},
                           {"isolated_m", FieldType::kReal},
                           {"cut_off_m", FieldType::kReal},
                           {"demand_isolated", FieldType::kReal},
                           {"demand_cut_off", FieldType::kReal},
                           {"buildings", FieldType::kInteger}},
                          {},
                          {},
                          true};
  struct Row {
    std::string pipe;
    double shut;
  };
  std::vector<Row> ranking;
  std::map<std::string, const PipeLink*> link_of;
  for (const auto& l : net.network.links) link_of[l.id] = &l;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    double isolated_m = 0, cut_m = 0;
    for (const auto& s : r.isolated) isolated_m += s.to_m - s.from_m;
    for (const auto& s : r.cut_off) cut_m += s.to_m - s.from_m;
    nlohmann::json valve_ids = nlohmann::json::array();
    for (const auto& v : r.valves) valve_ids.push_back(v.id);
    traces.push_back({{"pipe", breaks[i].pipe},
                      {"closable", r.break_closable},
                      {"valves_to_close", valve_ids},
                      {"isolated_length_m", isolated_m},
                      {"isolated_nodes", r.isolated_nodes.size()},
                      {"cut_off_length_m", cut_m},
                      {"cut_off_nodes", r.cut_off_nodes.size()},
                      {"demand_isolated", r.demand_isolated},
                      {"demand_cut_off", r.demand_cut_off},
                      {"buildings_affected", r.buildings.size()}});
    ranking.push_back({breaks[i].pipe, isolated_m + cut_m});
    if (!a.gpkg.empty())
      layer.lines.push_back(
          {link_of[breaks[i].pipe]->centreline,
           {breaks[i].pipe, static_cast<std::int64_t>(r.valves.size()), isolated_m, cut_m,
            r.demand_isolated, r.demand_cut_off, static_cast<std::int64_t>(r.buildings.size())}});
  }
  if (!a.gpkg.empty()) io::write_findings_gpkg(a.gpkg, in.crs.value_or(""), {layer});
  const auto& first = results.front();
  nlohmann::json out = {
      {"network", network_json(net)},
      {"crs", in.crs ? nlohmann::json(*in.crs) : nlohmann::json(nullptr)},
      {"breaks", breaks.size()},
      {"valves_off_network", first.valves_off_network},
      {"sources", first.sources},
      {"sources_known", first.sources_known},
      {"buildings_unserved", first.buildings_unserved},
      {"demand_unit", net.network.flow_units.empty() ? nlohmann::json(nullptr)
                                                     : nlohmann::json(net.network.flow_units)},
      {"traces", traces},
      {"timings", {{"read_seconds", in.read_seconds}, {"trace_seconds", seconds}}}};
  if (!a.gpkg.empty()) out["gpkg"] = a.gpkg;
  std::stable_sort(ranking.begin(), ranking.end(),
                   [](const Row& x, const Row& y) { return x.shut > y.shut; });
  std::ostringstream text;
  text << breaks.size() << " breaks traced in " << seconds << " s; the most critical:\n";
  for (std::size_t i = 0; i < ranking.size() && i < 10; ++i)
    text << "  " << ranking[i].pipe << ": " << ranking[i].shut << " m shut or cut off\n";
  return {"pipes isolate", std::move(out), text.str()};
}

JobResult run_isolate(const IsolateOptions& a_given, InputCache* cache) {
  IsolateOptions a = a_given;
  if (a.networks.size() != 1)
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "pipes isolate traces one network at a time");
  auto& o = a.options;
  if (!(o.snap_m > 0) || !(o.valve_snap_m >= 0) || !(o.service_m >= 0))
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "--snap must be above 0, --valve-snap and --service-distance 0 or more");
  const PipeInputs in = load_pipe_inputs(a.networks, a.settings, true, cache);
  const LoadedNetwork& net = in.networks.front();
  o.unit_m = in.unit_m;
  o.sources = split_commas(a.sources);
  if (a.all == !a.pipes.empty())
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "give the broken pipe (--break ID, once or more) or --break-all");
  if (!a.at.empty() && a.pipes.size() != 1)
    throw StrataError(ErrorCode::kWrongInputParameters, "--at goes with a single --break");
  a.pipe = a.pipes.empty() ? "" : a.pipes.front();
  spatial::IsolationBreak br{a.pipe, std::nullopt};
  if (!a.at.empty()) {
    const auto parts = split_commas(a.at);
    try {
      if (parts.size() != 2) throw std::invalid_argument("two numbers");
      br.at = std::array<double, 2>{std::stod(parts[0]), std::stod(parts[1])};
    } catch (const std::exception&) {
      throw StrataError(ErrorCode::kWrongInputParameters,
                        "--at takes X,Y in the network's coordinates, not '" + a.at + "'");
    }
  }
  std::vector<spatial::ValvePoint> valves;
  std::vector<std::string> layer_issues;
  if (!a.valves.empty())
    read_layer(a.valves, a.valve_id_field, in.crs, {}, [&](const std::string& id, auto& f, auto&) {
      if (!f.points || f.points->empty()) {
        layer_issues.push_back(a.valves + ": " + id + " is not a point: left out");
        return;
      }
      for (const auto& p : *f.points) valves.push_back({id, p.x(), p.y()});
    });
  std::vector<spatial::ServedBuilding> buildings;
  if (!a.buildings.empty())
    read_layer(a.buildings, a.building_id_field, in.crs, {},
               [&](const std::string& id, auto& f, auto&) {
                 if (!f.polygons) {
                   layer_issues.push_back(a.buildings + ": " + id + " is not a polygon: left out");
                   return;
                 }
                 buildings.push_back({id, *f.polygons});
               });
  const auto start = std::chrono::steady_clock::now();
  std::vector<spatial::IsolationBreak> breaks;
  if (a.all) {
    for (const auto& l : net.network.links)
      if (l.type != "valve") breaks.push_back({l.id, std::nullopt});
  } else {
    for (const auto& id : a.pipes) breaks.push_back({id, std::nullopt});
    breaks.front().at = br.at;
  }
  const auto results = spatial::trace_isolations(net.network, breaks, valves, buildings, o);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (breaks.size() > 1) return criticality_result(a, in, breaks, results, seconds);
  const auto& r = results.front();

  auto stretch_json = [](const spatial::PipeStretch& s) {
    return nlohmann::json{{"pipe", s.pipe->id},
                          {"from_m", s.from_m},
                          {"to_m", s.to_m},
                          {"length_m", s.to_m - s.from_m}};
  };
  nlohmann::json valves_json = nlohmann::json::array(), isolated = nlohmann::json::array(),
                 cut_off = nlohmann::json::array(), affected = nlohmann::json::array();
  double isolated_m = 0, cut_off_m = 0;
  for (const auto& v : r.valves)
    valves_json.push_back({{"id", v.id},
                           {"pipe", v.pipe},
                           {"location", {v.location[0], v.location[1], v.location[2]}}});
  for (const auto& s : r.isolated)
    isolated.push_back(stretch_json(s)), isolated_m += s.to_m - s.from_m;
  for (const auto& s : r.cut_off)
    cut_off.push_back(stretch_json(s)), cut_off_m += s.to_m - s.from_m;
  std::int64_t buildings_isolated = 0;
  for (const auto& b : r.buildings) {
    buildings_isolated += b.isolated;
    affected.push_back({{"id", b.id},
                        {"pipe", b.pipe},
                        {"distance_m", b.distance_m},
                        {"status", b.isolated ? "isolated" : "cut off"}});
  }
  if (!a.gpkg.empty()) {
    // The stretches as 3D lines (cut from the pipes), the valves as points.
    auto cut = [&](const spatial::PipeStretch& s) {
      const auto& c = s.pipe->centreline;
      std::vector<std::array<double, 3>> line;
      double run = 0;
      for (std::size_t i = 0; i + 1 < c.size(); ++i) {
        const double len = std::hypot(c[i + 1][0] - c[i][0], c[i + 1][1] - c[i][1]) * in.unit_m;
        auto at_s = [&](double s_m) {
          const double t = len > 0 ? (s_m - run) / len : 0;
          return std::array<double, 3>{c[i][0] + t * (c[i + 1][0] - c[i][0]),
                                       c[i][1] + t * (c[i + 1][1] - c[i][1]),
                                       c[i][2] + t * (c[i + 1][2] - c[i][2])};
        };
        const double lo = std::max(run, s.from_m), hi = std::min(run + len, s.to_m);
        if (lo <= hi) {
          if (line.empty()) line.push_back(at_s(lo));
          line.push_back(at_s(hi));
        }
        run += len;
      }
      if (line.size() == 1) line.push_back(line.front());
      return line;
    };
    io::FindingsLayer pipes{"isolation_pipes",
                            {{"pipe", FieldType::kText},
                             {"status", FieldType::kText},
                             {"from_m", FieldType::kReal},
                             {"to_m", FieldType::kReal}},
                            {},
                            {},
                            true};
    for (const auto* list : {&r.isolated, &r.cut_off})
      for (const auto& s : *list)
        pipes.lines.push_back(
            {cut(s),
             {s.pipe->id, std::string(list == &r.isolated ? "isolated" : "cut off"), s.from_m,
              s.to_m}});
    io::FindingsLayer valve_layer{"isolation_valves",
                                  {{"valve", FieldType::kText}, {"pipe", FieldType::kText}},
                                  {},
                                  {},
                                  false};
    for (const auto& v : r.valves)
      valve_layer.points.push_back({{v.location[0], v.location[1], v.location[2]}, {v.id, v.pipe}});
    io::write_findings_gpkg(a.gpkg, in.crs.value_or(""), {pipes, valve_layer});
  }
  nlohmann::json out = {
      {"network", network_json(net)},
      {"crs", in.crs ? nlohmann::json(*in.crs) : nlohmann::json(nullptr)},
      {"break",
       {{"pipe", a.pipe}, {"at", a.at.empty() ? nlohmann::json("middle") : nlohmann::json(a.at)}}},
      {"valves_given", valves.size()},
      {"valves_off_network", r.valves_off_network},
      {"valves_to_close", valves_json},
      {"closable", r.break_closable},
      {"isolated", isolated},
      {"isolated_length_m", isolated_m},
      {"isolated_nodes", r.isolated_nodes},
      {"sources", r.sources},
      {"sources_known", r.sources_known},
      {"cut_off", cut_off},
      {"cut_off_length_m", cut_off_m},
      {"cut_off_nodes", r.cut_off_nodes},
      {"demand_isolated", r.demand_isolated},
      {"demand_cut_off", r.demand_cut_off},
      {"demand_unit", net.network.flow_units.empty() ? nlohmann::json(nullptr)
                                                     : nlohmann::json(net.network.flow_units)},
      {"buildings_given", buildings.size()},
      {"buildings_unserved", r.buildings_unserved},
      {"buildings_affected", affected},
      {"layer_issues", layer_issues},
      {"warnings", r.warnings},
      {"network_length_m", r.network_length_m},
      {"timings", {{"read_seconds", in.read_seconds}, {"trace_seconds", seconds}}}};
  if (!a.gpkg.empty()) out["gpkg"] = a.gpkg;
  std::ostringstream text;
  text << "break on " << a.pipe << ": close " << r.valves.size() << " valves";
  if (!r.warnings.empty()) text << " — " << r.warnings.size() << " WARNINGS (below)";
  for (const auto& v : r.valves) text << (&v == &r.valves.front() ? " (" : ", ") << v.id;
  text << (r.valves.empty() ? "" : ")") << "\n  shut off: " << r.isolated.size() << " stretches, "
       << isolated_m << " m, " << r.isolated_nodes.size() << " nodes\n";
  if (!r.break_closable) text << "  no valve bounds this stretch: all of it is shut\n";
  if (r.sources_known)
    text << "  cut off from the sources: " << r.cut_off.size() << " stretches, " << cut_off_m
         << " m, " << r.cut_off_nodes.size() << " nodes\n";
  else
    text << "  no sources known (give --sources): what is cut off is not judged\n";
  if (!buildings.empty())
    text << "  buildings: " << buildings_isolated << " on the shut stretch, "
         << r.buildings.size() - static_cast<std::size_t>(buildings_isolated) << " cut off, "
         << r.buildings_unserved << " with no pipe within " << o.service_m << " m\n";
  for (const auto& v : r.valves_off_network) text << "  valve " << v << " lies on no pipe\n";
  for (const auto& i : layer_issues) text << "  " << i << "\n";
  for (const auto& w : r.warnings) text << "  warning: " << w << "\n";
  text << issue_lines(in.networks);
  bool network_warnings = false;
  for (const auto& n : in.networks) network_warnings |= !n.issues.empty();
  JobResult done{"pipes isolate", std::move(out), text.str()};
  done.warnings = !r.warnings.empty() || network_warnings;
  return done;
}

}  // namespace

PipeAnalysis isolate_analysis() {
  using O = IsolateOptions;
  return make_pipe_analysis<O>(
      {.kind = "isolate",
       .summary = "For a break: the valves to close, the pipes shut off and cut off, the buildings",
       .networks = NetworkCount::kOne,
       .ground = false,
       .gpkg_help = "write the shut and cut-off stretches (3D lines) and the valves to close"},
      {option<O>(
           "break", "id of the broken pipe; several: one summary line per break (criticality)",
           [](O & o) -> auto& { return o.pipes; }),
       option<O>(
           "break-all",
           "trace a break on every pipe: the network's criticality (GeoPackage layer "
           "isolation_criticality)",
           [](O & o) -> auto& { return o.all; }),
       option<O>(
           "at", "X,Y of the break on it (default: its middle)",
           [](O & o) -> auto& { return o.at; }),
       option<O>(
           "valves",
           "isolation valves: a point layer (each on the nearest pipe within --valve-snap)",
           [](O & o) -> auto& { return o.valves; }, OptionCheck::kExistingPath),
       option<O>(
           "valve-id-field", "field with the valve id",
           [](O & o) -> auto& { return o.valve_id_field; }),
       option<O>(
           "valve-snap", "a valve lies on the nearest pipe within this (m, default 1)",
           [](O & o) -> auto& { return o.options.valve_snap_m; }),
       option<O>(
           "snap", "GIS line ends closer than this are one node (m, default 0.01)",
           [](O & o) -> auto& { return o.options.snap_m; }),
       option<O>(
           "sources",
           "ids of the nodes feeding the network, comma-separated (default: the "
           "reservoirs and tanks of an EPANET file)",
           [](O & o) -> auto& { return o.sources; }),
       option<O>(
           "buildings",
           "building footprints: each is served by the nearest pipe within "
           "--service-distance",
           [](O & o) -> auto& { return o.buildings; }, OptionCheck::kExistingPath),
       option<O>(
           "building-id-field", "field with the building id",
           [](O & o) -> auto& { return o.building_id_field; }),
       option<O>(
           "service-distance", "the farthest a building's service pipe may be (m, default 30)",
           [](O & o) -> auto& { return o.options.service_m; })},
      run_isolate);
}

}  // namespace strata::engine
