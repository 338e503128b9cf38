// strata pipes buildings NETWORK... --buildings B: pipes under buildings, and through their
// basements (docs/pipes.md). A building is a dig from the ground down to its lowest floor: the
// excavation check answers the question.
#include <chrono>
#include <map>
#include <sstream>

#include "strata/core/crs.h"
#include "strata/engine/pipe_analyses.h"
#include "strata/io/mesh_readers.h"
#include "strata/io/points_gpkg.h"
#include "strata/io/vector_source.h"
#include "strata/spatial/pipe_excavation.h"
#include "strata/spatial/solid_footprint.h"

namespace strata::engine {
namespace {

struct BuildingsOptions : PipeJobInputs {
  std::string buildings, id_field, basement_field;
  double basement = 0, margin = 0;
  int threads = 0;
};

bool is_solids_file(const std::string& path) {
  for (const char* ext : {".json", ".jsonl", ".gml", ".xml", ".off", ".obj", ".poly"})
    if (path.size() >= std::string(ext).size() &&
        path.compare(path.size() - std::string(ext).size(), std::string::npos, ext) == 0)
      return true;
  return false;
}

struct BuildingsRead {
  std::vector<spatial::Dig> digs;
  std::vector<FeatureIssue> issues;
  std::string kind;  // "footprints" or "solids"
  std::optional<std::string> crs;
};

BuildingsRead read_buildings(const BuildingsOptions& a, const PipeInputs& in) {
  BuildingsRead out;
  auto reject = [&](const std::string& id, std::int64_t fid, ErrorCode code,
                    const std::string& field, const std::string& what) {
    FeatureIssue i;
    i.file = a.buildings;
    i.fid = fid;
    i.feature_id = id;
    i.code = code;
    i.field = field;
    i.message = a.buildings + ": " + id + ": " + what;
    out.issues.push_back(std::move(i));
  };
  if (is_solids_file(a.buildings)) {
    out.kind = "solids";
    // The basement: how far the solid reaches below the ground at its footprint's first vertex.
    const auto info = io::read_solids_file(a.buildings, [&](CityObject&& o) {
      if (o.type != "Building" && o.type != "BuildingPart") return;
      auto fp = spatial::footprint_of(o);
      if (!fp) {
        reject(o.id, -1, ErrorCode::kNoGeometry, "", "no surface to take a footprint from");
        return;
      }
      double basement = a.basement;
      const auto& p = fp->outline.front().outer().front();
      std::optional<double> ground;
      if (in.networks.front().network.heights == PipeHeights::kBelowGround)
        ground.reset();  // depths below a flat 0: the solid's own base is the ground
      else if (in.ground.terrain)
        ground = in.ground.terrain(p.x(), p.y());
      else
        ground = in.ground.constant;
      if (ground) basement = std::max(basement, *ground - fp->lowest_z);
      out.digs.push_back({o.id, std::move(fp->outline), 0.0, basement});
    });
    out.crs = info.crs;
    for (const auto& i : info.issues) out.issues.push_back(i);
    return out;
  }
  out.kind = "footprints";
  auto source = io::open_vector_source({a.buildings, "", {}, {}});
  if (auto crs = source->declared_crs()) out.crs = crs->authority_code().value_or(crs->label());
  auto index = [&](const std::string& field) {
    if (field.empty()) return -1;
    const int i = source->field_index(field);
    if (i < 0)
      throw StrataError(ErrorCode::kFieldMissing, a.buildings + ": no field '" + field + "'");
    return i;
  };
  const int id_i = index(a.id_field), basement_i = index(a.basement_field);
  io::SourceFeature f;
  while (source->next(f)) {
    const std::string id = id_i >= 0 && !is_null(f.values[static_cast<std::size_t>(id_i)])
                               ? to_text(f.values[static_cast<std::size_t>(id_i)])
                               : "feature " + std::to_string(f.fid);
    if (!f.polygons) {
      reject(id, f.fid, f.has_geometry ? ErrorCode::kWrongGeometryType : ErrorCode::kNoGeometry, "",
             "a building needs a polygon footprint");
      continue;
    }
    double basement = a.basement;
    if (basement_i >= 0 && !is_null(f.values[static_cast<std::size_t>(basement_i)])) {
      auto d = to_real(f.values[static_cast<std::size_t>(basement_i)]);
      if (!d || !(*d >= 0)) {
        reject(id, f.fid, ErrorCode::kFieldType, a.basement_field,
               "basement depth '" + to_text(f.values[static_cast<std::size_t>(basement_i)]) +
                   "' is not a depth in metres (0 or more)");
        continue;
      }
      basement = *d;
    }
    out.digs.push_back({id, std::move(*f.polygons), 0.0, basement});
  }
  return out;
}

JobResult run_buildings(const BuildingsOptions& a, InputCache* cache) {
  if (!(a.basement >= 0) || !(a.margin >= 0))
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "--basement-depth and --margin must be 0 or more metres");
  const PipeInputs in = load_pipe_inputs(a.networks, a.settings, false, cache);
  const BuildingsRead b = read_buildings(a, in);
  std::string crs_note;
  if (b.crs && in.crs &&
      !Crs::from_user_input(*b.crs).equivalent_to(Crs::from_user_input(*in.crs))) {
    if (b.kind == "footprints")
      throw StrataError(ErrorCode::kCrsMismatch, a.buildings + " is in " + *b.crs +
                                                     ", the networks in " + *in.crs +
                                                     "; reproject the buildings");
    crs_note = "the solids declare " + *b.crs + ", the networks " + *in.crs +
               ": taken as the same horizontal coordinates";
  }
  std::vector<const PipeNetwork*> networks;
  for (const auto& n : in.networks) networks.push_back(&n.network);
  spatial::ExcavationOptions o;
  o.unit_m = in.unit_m;
  o.buffer_m = a.margin;
  o.ground = in.ground;
  o.threads = a.threads;
  const auto start = std::chrono::steady_clock::now();
  const auto r = spatial::check_excavation(networks, b.digs, o);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::map<std::string, double> basement_of;
  for (const auto& d : b.digs) basement_of[d.id] = d.bottom_m;
  nlohmann::json list = nlohmann::json::array();
  std::vector<io::PointRow> rows;
  std::map<std::string, double> under_m_by_utility;
  std::int64_t through = 0;
  std::ostringstream lines;
  for (const auto& f : r.findings) {
    const PipeLink& p = *f.pipe;
    const bool in_basement = f.status == spatial::DigStatus::kHit;
    through += in_basement;
    const std::string utility(utility_name(p.utility));
    under_m_by_utility[utility] += f.length_in_zone_m;
    const char* status = in_basement ? "through" : "under";
    list.push_back({{"building", f.dig},
                    {"network", in.networks[f.network].file},
                    {"pipe", p.id},
                    {"utility", utility},
                    {"owner", p.owner.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.owner)},
                    {"status", status},
                    {"basement_depth_m", basement_of[f.dig]},
                    {"length_under_m", f.length_in_zone_m},
                    {"cover_min_m", f.cover_min_m},
                    {"cover_max_m", f.cover_max_m},
                    {"gap_m", in_basement ? nlohmann::json(nullptr) : nlohmann::json(f.gap_m)},
                    {"location", {f.location[0], f.location[1], f.location[2]}},
                    {"assumed", p.assumed}});
    if (in_basement)
      lines << "  through " << f.dig << ": " << p.id << " (" << utility << ") at " << f.cover_min_m
            << " m below ground, basement " << basement_of[f.dig] << " m\n";
    if (a.gpkg.empty()) continue;
    std::string assumed;
    for (const auto& w : p.assumed) assumed += (assumed.empty() ? "" : ", ") + w;
    rows.push_back({{f.location[0], f.location[1], f.location[2]},
                    {f.dig, p.id, utility, std::string(status), f.length_in_zone_m, f.cover_min_m,
                     in_basement ? FieldValue(std::monostate{}) : FieldValue(f.gap_m),
                     assumed.empty() ? FieldValue(std::monostate{}) : FieldValue(assumed)}});
  }
  if (!a.gpkg.empty())
    io::write_points_gpkg(a.gpkg, "pipes_under_buildings", in.crs.value_or(""),
                          {{"building", FieldType::kText},
                           {"pipe", FieldType::kText},
                           {"utility", FieldType::kText},
                           {"status", FieldType::kText},
                           {"length_under_m", FieldType::kReal},
                           {"cover_min_m", FieldType::kReal},
                           {"gap_m", FieldType::kReal},
                           {"assumed", FieldType::kText}},
                          rows);
  nlohmann::json networks_json = nlohmann::json::array(), issues = nlohmann::json::array();
  for (const auto& n : in.networks) networks_json.push_back(network_json(n));
  for (const auto& i : b.issues) issues.push_back(io::to_json(i));
  nlohmann::json out = {
      {"networks", networks_json},
      {"buildings",
       {{"file", a.buildings}, {"kind", b.kind}, {"read", b.digs.size()}, {"issues", issues}}},
      {"crs", in.crs ? nlohmann::json(*in.crs) : nlohmann::json(nullptr)},
      {"crs_note", crs_note.empty() ? nlohmann::json(nullptr) : nlohmann::json(crs_note)},
      {"margin_m", a.margin},
      {"pipes_under_buildings", r.findings.size()},
      {"through_basements", through},
      {"under_m_by_utility", under_m_by_utility},
      {"without_ground", r.without_ground},
      {"timings", {{"read_seconds", in.read_seconds}, {"check_seconds", seconds}}},
      {"findings", list}};
  if (!a.gpkg.empty()) out["gpkg"] = a.gpkg;
  std::ostringstream text;
  text << b.digs.size() << " buildings (" << b.kind << "): " << r.findings.size()
       << " pipe stretches under them, " << through << " through a basement\n"
       << lines.str() << issue_lines(in.networks);
  for (const auto& i : b.issues) text << "  rejected: " << i.message << "\n";
  JobResult done{"pipes buildings", std::move(out), text.str()};
  done.warnings = has_issues(in.networks) || !b.issues.empty();
  return done;
}

}  // namespace

PipeAnalysis buildings_analysis() {
  using O = BuildingsOptions;
  return make_pipe_analysis<O>(
      {.kind = "buildings",
       .summary = "Pipes under buildings, and through their basements",
       .networks = NetworkCount::kOneOrMore,
       .ground = true,
       .gpkg_help = "write the findings as 3D points (layer pipes_under_buildings)"},
      {required(option<O>(
           "buildings", "footprints (a polygon layer) or solids (CityJSON, CityGML, ...)",
           [](O & o) -> auto& { return o.buildings; }, OptionCheck::kExistingPath)),
       option<O>(
           "building-id-field", "field with the building id (footprints)",
           [](O & o) -> auto& { return o.id_field; }),
       option<O>(
           "basement-depth-field",
           "field with the depth of the lowest floor below the ground (m, footprints)",
           [](O & o) -> auto& { return o.basement_field; }),
       option<O>(
           "basement-depth",
           "depth of the lowest floor below the ground where no field or solid says "
           "(m, default 0)",
           [](O & o) -> auto& { return o.basement; }),
       option<O>(
           "margin", "safety margin around the building and below its lowest floor (m, default 0)",
           [](O & o) -> auto& { return o.margin; })},
      run_buildings);
}

}  // namespace strata::engine
