// strata pipes excavation NETWORK... --dig DIG: the pipes a dig reaches, the depth where it
// meets them and whose they are (docs/pipes.md).
#include <chrono>
#include <map>
#include <sstream>

#include "strata/core/crs.h"
#include "strata/engine/pipe_analyses.h"
#include "strata/io/points_gpkg.h"
#include "strata/io/vector_source.h"
#include "strata/spatial/pipe_excavation.h"

namespace strata::engine {
namespace {

struct ExcavationOptions : PipeJobInputs {
  std::string dig, dig_layer, dig_id_field, dig_top_field, dig_bottom_field, depth;
  double buffer = 0;
  int threads = 0;
};

// "BOTTOM" or "TOP:BOTTOM", depths below the ground in metres.
std::pair<double, double> parse_depth_range(const std::string& text) {
  auto number = [&](const std::string& s) {
    std::size_t used = 0;
    double v = 0;
    try {
      v = std::stod(s, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != s.size() || !(v >= 0))
      throw StrataError(ErrorCode::kWrongInputParameters,
                        "--depth takes BOTTOM or TOP:BOTTOM, depths below the ground in metres "
                        "(0 or more), not '" +
                            text + "'");
    return v;
  };
  const auto colon = text.find(':');
  const double top = colon == std::string::npos ? 0 : number(text.substr(0, colon));
  const double bottom = number(colon == std::string::npos ? text : text.substr(colon + 1));
  if (bottom < top)
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "--depth " + text + ": the floor is above the top");
  return {top, bottom};
}

struct DigsRead {
  std::vector<spatial::Dig> digs;
  std::vector<FeatureIssue> issues;
  std::optional<std::string> crs;
};

DigsRead read_digs(const ExcavationOptions& e) {
  std::optional<std::pair<double, double>> range;
  if (!e.depth.empty()) range = parse_depth_range(e.depth);
  if (!range && e.dig_bottom_field.empty())
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "give the dig's depth: --depth BOTTOM or TOP:BOTTOM, or --dig-bottom-field");
  auto source = io::open_vector_source({e.dig, e.dig_layer, {}, {}});
  DigsRead out;
  if (auto crs = source->declared_crs()) out.crs = crs->authority_code().value_or(crs->label());
  auto index = [&](const std::string& field) {
    if (field.empty()) return -1;
    const int i = source->field_index(field);
    if (i < 0) throw StrataError(ErrorCode::kFieldMissing, e.dig + ": no field '" + field + "'");
    return i;
  };
  const int id_i = index(e.dig_id_field), top_i = index(e.dig_top_field),
            bottom_i = index(e.dig_bottom_field);
  io::SourceFeature f;
  while (source->next(f)) {
    const std::string id = id_i >= 0 && !is_null(f.values[static_cast<std::size_t>(id_i)])
                               ? to_text(f.values[static_cast<std::size_t>(id_i)])
                               : "dig " + std::to_string(f.fid);
    auto reject = [&](ErrorCode code, const std::string& field, const std::string& what) {
      FeatureIssue i;
      i.file = e.dig;
      i.fid = f.fid;
      i.feature_id = id;
      i.code = code;
      i.field = field;
      i.message = e.dig + ": feature " + std::to_string(f.fid) + " (" + id + "): " + what;
      out.issues.push_back(std::move(i));
    };
    if (!f.polygons) {
      reject(f.has_geometry ? ErrorCode::kWrongGeometryType : ErrorCode::kNoGeometry, "",
             "a dig needs a polygon, not " + (f.has_geometry ? f.geometry_type : "no geometry"));
      continue;
    }
    spatial::Dig dig{id, *f.polygons, range ? range->first : 0, range ? range->second : 0};
    bool ok = true;
    for (auto [i, field, target] : {std::tuple{top_i, e.dig_top_field, &dig.top_m},
                                    std::tuple{bottom_i, e.dig_bottom_field, &dig.bottom_m}}) {
      if (i < 0) continue;
      const FieldValue& v = f.values[static_cast<std::size_t>(i)];
      if (is_null(v) && range) continue;  // --depth gives it
      auto d = is_null(v) ? std::nullopt : to_real(v);
      if (!d || !(*d >= 0)) {
        reject(is_null(v) ? ErrorCode::kFieldNull : ErrorCode::kFieldType, field,
               "depth '" + (is_null(v) ? std::string("null") : to_text(v)) +
                   "' is not a depth below the ground in metres (0 or more)");
        ok = false;
        break;
      }
      *target = *d;
    }
    if (ok && dig.bottom_m < dig.top_m) {
      reject(ErrorCode::kFieldType, e.dig_bottom_field,
             "the floor (" + std::to_string(dig.bottom_m) + " m) is above the top (" +
                 std::to_string(dig.top_m) + " m)");
      ok = false;
    }
    if (ok) out.digs.push_back(std::move(dig));
  }
  return out;
}

JobResult run_excavation(const ExcavationOptions& e, InputCache* cache) {
  if (!(e.buffer >= 0))
    throw StrataError(ErrorCode::kWrongInputParameters, "--buffer must be 0 or more metres");
  const PipeInputs in = load_pipe_inputs(e.networks, e.settings, false, cache);
  const DigsRead digs = read_digs(e);
  if (digs.crs && in.crs &&
      !Crs::from_user_input(*digs.crs).equivalent_to(Crs::from_user_input(*in.crs)))
    throw StrataError(
        ErrorCode::kCrsMismatch,
        e.dig + " is in " + *digs.crs + ", the networks in " + *in.crs + "; reproject the digs");
  const auto start = std::chrono::steady_clock::now();
  std::vector<const PipeNetwork*> networks;
  for (const auto& n : in.networks) networks.push_back(&n.network);
  spatial::ExcavationOptions options;
  options.unit_m = in.unit_m;
  options.buffer_m = e.buffer;
  options.ground = in.ground;
  options.threads = e.threads;
  const auto result = spatial::check_excavation(networks, digs.digs, options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  nlohmann::json list = nlohmann::json::array();
  std::vector<io::PointRow> rows;
  std::map<std::string, std::map<std::string, std::int64_t>> hits_by_dig;
  std::int64_t hits = 0, on_assumed = 0;
  std::ostringstream lines;
  for (const auto& f : result.findings) {
    const PipeLink& p = *f.pipe;
    const bool hit = f.status == spatial::DigStatus::kHit;
    hits += hit;
    on_assumed += hit && !p.assumed.empty();
    if (hit) ++hits_by_dig[f.dig][std::string(utility_name(p.utility))];
    std::string assumed;
    for (const auto& w : p.assumed) assumed += (assumed.empty() ? "" : ", ") + w;
    auto text_or_null = [](const std::string& s) {
      return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s);
    };
    list.push_back({{"dig", f.dig},
                    {"network", in.networks[f.network].file},
                    {"pipe", p.id},
                    {"utility", std::string(utility_name(p.utility))},
                    {"owner", text_or_null(p.owner)},
                    {"material", text_or_null(p.material)},
                    {"install_year", p.install_year ? nlohmann::json(*p.install_year) : nullptr},
                    {"diameter_m", p.diameter_m > 0 ? nlohmann::json(p.diameter_m) : nullptr},
                    {"status", spatial::dig_status_name(f.status)},
                    {"cover_min_m", f.cover_min_m},
                    {"cover_max_m", f.cover_max_m},
                    {"hit_length_m", f.hit_length_m},
                    {"length_in_zone_m", f.length_in_zone_m},
                    {"gap_m", hit ? nlohmann::json(nullptr) : nlohmann::json(f.gap_m)},
                    {"location", {f.location[0], f.location[1], f.location[2]}},
                    {"ground_z", f.ground_z},
                    {"assumed", p.assumed}});
    if (hit)
      lines << "  " << f.dig << ": " << p.id << " (" << utility_name(p.utility)
            << (p.owner.empty() ? "" : ", " + p.owner) << ") at " << f.cover_min_m
            << (f.cover_max_m > f.cover_min_m + 1e-9 ? " to " + std::to_string(f.cover_max_m)
                                                     : std::string())
            << " m below ground" << (p.assumed.empty() ? "" : " (assumed " + assumed + ")") << "\n";
    if (e.gpkg.empty()) continue;
    rows.push_back({{f.location[0], f.location[1], f.location[2]},
                    {f.dig, in.networks[f.network].file, p.id, std::string(utility_name(p.utility)),
                     p.owner.empty() ? FieldValue(std::monostate{}) : FieldValue(p.owner),
                     p.diameter_m > 0 ? FieldValue(p.diameter_m) : FieldValue(std::monostate{}),
                     std::string(spatial::dig_status_name(f.status)), f.cover_min_m, f.cover_max_m,
                     f.hit_length_m, hit ? FieldValue(std::monostate{}) : FieldValue(f.gap_m),
                     assumed.empty() ? FieldValue(std::monostate{}) : FieldValue(assumed)}});
  }
  if (!e.gpkg.empty())
    io::write_points_gpkg(e.gpkg, "pipe_excavation", in.crs.value_or(""),
                          {{"dig", FieldType::kText},
                           {"network", FieldType::kText},
                           {"pipe", FieldType::kText},
                           {"utility", FieldType::kText},
                           {"owner", FieldType::kText},
                           {"diameter_m", FieldType::kReal},
                           {"status", FieldType::kText},
                           {"cover_min_m", FieldType::kReal},
                           {"cover_max_m", FieldType::kReal},
                           {"hit_length_m", FieldType::kReal},
                           {"gap_m", FieldType::kReal},
                           {"assumed", FieldType::kText}},
                          rows);
  nlohmann::json networks_json = nlohmann::json::array();
  for (const auto& n : in.networks) networks_json.push_back(network_json(n));
  nlohmann::json dig_issues = nlohmann::json::array();
  for (const auto& i : digs.issues) dig_issues.push_back(io::to_json(i));
  nlohmann::json summary = nlohmann::json::array();
  for (const auto& d : digs.digs)
    summary.push_back({{"dig", d.id},
                       {"top_m", d.top_m},
                       {"bottom_m", d.bottom_m},
                       {"hits_by_utility", hits_by_dig[d.id]}});
  nlohmann::json out = {
      {"networks", networks_json},
      {"digs", summary},
      {"dig_issues", dig_issues},
      {"crs", in.crs ? nlohmann::json(*in.crs) : nlohmann::json(nullptr)},
      {"buffer_m", e.buffer},
      {"rules",
       e.settings.rules.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.settings.rules)},
      {"ground", !e.settings.dem.empty() ? nlohmann::json(e.settings.dem)
                 : e.settings.ground_z   ? nlohmann::json(*e.settings.ground_z)
                                         : nlohmann::json(nullptr)},
      {"hits", hits},
      {"hits_on_assumed_values", on_assumed},
      {"without_ground", result.without_ground},
      {"timings", {{"read_seconds", in.read_seconds}, {"check_seconds", seconds}}},
      {"findings", list}};
  if (!e.gpkg.empty()) out["gpkg"] = e.gpkg;
  std::ostringstream text;
  text << digs.digs.size() << " digs, " << hits << " pipes hit";
  if (on_assumed) text << " (" << on_assumed << " at assumed depths or diameters)";
  text << "\n" << lines.str();
  for (const auto& w : result.without_ground)
    text << "  no ground (give --dem or --ground-z): " << w << "\n";
  text << issue_lines(in.networks);
  for (const auto& i : digs.issues)
    text << "  rejected " << static_cast<int>(i.code) << " " << error_name(i.code) << ": "
         << i.message << "\n";
  JobResult done{"pipes excavation", std::move(out), text.str()};
  done.warnings = has_issues(in.networks) || !digs.issues.empty() || !result.without_ground.empty();
  return done;
}

}  // namespace

PipeAnalysis excavation_analysis() {
  using O = ExcavationOptions;
  return make_pipe_analysis<O>(
      {.kind = "excavation",
       .summary = "Pipes a dig reaches: depth at the crossing, owner, what was assumed",
       .networks = NetworkCount::kOneOrMore,
       .ground = true,
       .gpkg_help = "write the findings as 3D points (layer pipe_excavation)"},
      {required(option<O>(
           "dig", "dig outlines: a polygon layer in the networks' CRS",
           [](O & o) -> auto& { return o.dig; }, OptionCheck::kExistingPath)),
       option<O>(
           "dig-layer", "layer of the digs' dataset", [](O & o) -> auto& { return o.dig_layer; }),
       option<O>(
           "dig-id-field", "field with the dig's id",
           [](O & o) -> auto& { return o.dig_id_field; }),
       option<O>(
           "depth", "depth range below the ground, m: BOTTOM (dug from the surface) or TOP:BOTTOM",
           [](O & o) -> auto& { return o.depth; }),
       option<O>(
           "dig-top-field", "field with each dig's top depth (m)",
           [](O & o) -> auto& { return o.dig_top_field; }),
       option<O>(
           "dig-bottom-field", "field with each dig's floor depth (m)",
           [](O & o) -> auto& { return o.dig_bottom_field; }),
       option<O>(
           "buffer",
           "safety margin in metres, sideways and above and below the depth range "
           "(default 0)",
           [](O & o) -> auto& { return o.buffer; }),
       option<O>(
           "threads", "worker threads (0 = all cores)", [](O & o) -> auto& { return o.threads; },
           OptionCheck::kNonNegative)},
      run_excavation);
}

}  // namespace strata::engine
