#include "strata/engine/pipe_inputs.h"

#include <chrono>

#include "strata/core/crs.h"
#include "strata/core/error.h"
#include "strata/io/network_inp.h"

namespace strata::engine {
namespace {

Utility utility_from(const std::string& name) {
  auto u = parse_utility(name);
  if (!u)
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "unknown utility '" + name +
                          "' (water, sewer, storm, gas, petroleum, power, telecom, heating, "
                          "other)");
  return *u;
}

io::PipeHeightSource heights_from(const std::string& text) {
  if (text == "cover") return io::PipeHeightSource::kCover;
  if (text == "z") return io::PipeHeightSource::kAxisZ;
  if (text == "invert-z") return io::PipeHeightSource::kInvertZ;
  if (text == "inverts") return io::PipeHeightSource::kInvertFields;
  throw StrataError(ErrorCode::kWrongInputParameters,
                    "--heights must be cover, z, invert-z or inverts, not '" + text + "'");
}

double diameter_unit_from(const std::string& unit) {
  if (unit == "m") return 1;
  if (unit == "mm") return 0.001;
  if (unit == "in") return 0.0254;
  throw StrataError(ErrorCode::kWrongInputParameters,
                    "--diameter-unit must be m, mm or in, not '" + unit + "'");
}

bool is_inp(const std::string& file) {
  return file.size() > 4 &&
         (file.substr(file.size() - 4) == ".inp" || file.substr(file.size() - 4) == ".INP");
}

LoadedNetwork load_network(const NetworkOptions& n, const io::PipeRules& rules,
                           const io::GroundAt& ground, bool plan_only) {
  LoadedNetwork out;
  out.file = n.file;
  std::optional<Utility> utility;
  if (!n.utility.empty()) utility = utility_from(n.utility);
  if (is_inp(n.file)) {
    io::NetworkRead read = io::read_network_inp(n.file);
    // EPANET models water networks, SWMM drainage (storm) ones, unless told otherwise.
    const Utility u =
        utility.value_or(read.network.format == "SWMM" ? Utility::kStorm : Utility::kWater);
    for (auto& l : read.network.links) l.utility = u;
    out.network = std::move(read.network);
    out.issues = std::move(read.issues);
    return out;
  }
  io::PipeLayerOptions o;
  o.path = n.file;
  o.layer = n.layer;
  o.id_field = n.id_field;
  o.utility_field = n.utility_field;
  o.diameter_field = n.diameter_field;
  o.depth_field = n.depth_field;
  o.owner_field = n.owner_field;
  o.material_field = n.material_field;
  o.year_field = n.year_field;
  o.utility = utility;
  o.diameter_unit_m = diameter_unit_from(n.diameter_unit);
  o.heights = heights_from(n.heights);
  if (!n.invert_fields.empty()) {
    const auto comma = n.invert_fields.find(',');
    if (comma == std::string::npos)
      throw StrataError(ErrorCode::kWrongInputParameters,
                        "--invert-fields takes START,END (two field names)");
    o.invert_start_field = n.invert_fields.substr(0, comma);
    o.invert_end_field = n.invert_fields.substr(comma + 1);
  }
  o.ground = ground;
  o.plan_only = plan_only;
  io::PipeLayerRead read = io::read_pipe_layer(o, rules);
  out.network = std::move(read.read.network);
  out.issues = std::move(read.read.issues);
  out.crs = read.crs;
  return out;
}

}  // namespace

const OptionSchema<NetworkOptions>& network_option_schema() {
  using N = NetworkOptions;
  static const OptionSchema<N> schema = {
      option<N>(
          "layer", "layer of a multi-layer dataset", [](N & n) -> auto& { return n.layer; }),
      option<N>(
          "utility", "utility of every pipe (gas, petroleum, water, ...)",
          [](N & n) -> auto& { return n.utility; }),
      option<N>(
          "utility-field", "field with the utility",
          [](N & n) -> auto& { return n.utility_field; }),
      option<N>(
          "id-field", "field with the pipe id", [](N & n) -> auto& { return n.id_field; }),
      option<N>(
          "diameter-field", "field with the diameter",
          [](N & n) -> auto& { return n.diameter_field; }),
      option<N>(
          "diameter-unit", "m (default), mm or in", [](N & n) -> auto& { return n.diameter_unit; }),
      option<N>(
          "depth-field", "field with the cover depth (ground to the top of the pipe, m)",
          [](N & n) -> auto& { return n.depth_field; }),
      option<N>(
          "owner-field", "field with the owner", [](N & n) -> auto& { return n.owner_field; }),
      option<N>(
          "material-field", "field with the material",
          [](N & n) -> auto& { return n.material_field; }),
      option<N>(
          "year-field", "field with the installation year",
          [](N & n) -> auto& { return n.year_field; }),
      option<N>(
          "heights",
          "where the heights come from: cover (depth field or rules; default), z (the "
          "lines' z is the axis), invert-z (the lines' z is the invert), inverts (two "
          "invert fields)",
          [](N & n) -> auto& { return n.heights; }),
      option<N>(
          "invert-fields",
          "START,END: fields with the invert elevations at both ends (--heights inverts)",
          [](N & n) -> auto& { return n.invert_fields; }),
  };
  return schema;
}

const OptionSchema<PipeSettings>& settings_option_schema(bool ground) {
  using S = PipeSettings;
  static const OptionSchema<S> plan = {
      option<S>(
          "rules",
          "rules file (TOML): assumed depths and diameters per utility, minimum clearances "
          "per utility pair (docs/pipes.md)",
          [](S & s) -> auto& { return s.rules; }),
      option<S>(
          "crs", "CRS of .inp coordinates (GIS layers carry theirs)",
          [](S & s) -> auto& { return s.crs; }),
  };
  static const OptionSchema<S> with_ground = [] {
    OptionSchema<S> all = plan;
    all.push_back(option<S>(
        "dem",
        "terrain model (any GDAL raster, in the networks' CRS): cover depths "
        "are placed below it and depths are measured from it",
        [](S & s) -> auto& { return s.dem; }, OptionCheck::kExistingFile));
    all.push_back(option<S>(
        "ground-z", "a flat ground at this elevation, where there is no terrain",
        [](S & s) -> auto& { return s.ground_z; }));
    return all;
  }();
  return ground ? with_ground : plan;
}

PipeInputs load_pipe_inputs(const std::vector<NetworkOptions>& networks, const PipeSettings& s,
                            bool plan_only, InputCache* cache) {
  const auto start = std::chrono::steady_clock::now();
  PipeInputs in;
  if (!s.rules.empty()) {
    if (!cache) {
      in.rules = io::load_pipe_rules(s.rules);
    } else {
      auto it = cache->rules_.find(s.rules);
      if (it == cache->rules_.end()) {
        it = cache->rules_.emplace(s.rules, io::load_pipe_rules(s.rules)).first;
        ++cache->files_read_;
      }
      in.rules = it->second;
    }
  }
  if (!s.dem.empty()) {
    if (!cache) {
      in.dem = std::make_shared<io::TerrainRaster>(s.dem);
    } else {
      auto& dem = cache->dems_[s.dem];
      if (!dem) {
        dem = std::make_shared<io::TerrainRaster>(s.dem);
        ++cache->files_read_;
      }
      in.dem = dem;
    }
    std::shared_ptr<io::TerrainRaster> dem = in.dem;
    in.ground.terrain = [dem](double x, double y) { return dem->height_at(x, y); };
  }
  in.ground.constant = s.ground_z;
  // Cover depths are placed below the terrain, else below the flat ground given.
  io::GroundAt read_ground = in.ground.terrain;
  if (!read_ground && s.ground_z) {
    const double z = *s.ground_z;
    read_ground = [z](double, double) { return std::optional<double>(z); };
  }
  for (const auto& n : networks) {
    if (!cache) {
      in.networks.push_back(load_network(n, in.rules, read_ground, plan_only));
      continue;
    }
    // One read per file and way of reading it: the same options, rules and ground.
    const std::string key = n.file + '\x1f' + n.layer + '\x1f' + n.utility + '\x1f' + n.id_field +
                            '\x1f' + n.utility_field + '\x1f' + n.diameter_field + '\x1f' +
                            n.depth_field + '\x1f' + n.owner_field + '\x1f' + n.material_field +
                            '\x1f' + n.year_field + '\x1f' + n.invert_fields + '\x1f' +
                            n.diameter_unit + '\x1f' + n.heights + '\x1f' + s.rules + '\x1f' +
                            s.dem + '\x1f' + (s.ground_z ? std::to_string(*s.ground_z) : "") +
                            '\x1f' + (plan_only ? "plan" : "3d");
    auto it = cache->networks_.find(key);
    if (it == cache->networks_.end()) {
      it = cache->networks_.emplace(key, load_network(n, in.rules, read_ground, plan_only)).first;
      ++cache->files_read_;
    }
    in.networks.push_back(it->second);
  }
  // Every network (and the terrain) must share its horizontal coordinates: the GIS layers'
  // CRS, or --crs for .inp files.
  std::optional<std::string> crs = s.crs.empty() ? std::optional<std::string>() : s.crs;
  for (const auto& n : in.networks) {
    if (!n.crs) continue;
    if (crs && !Crs::from_user_input(*crs).equivalent_to(Crs::from_user_input(*n.crs)))
      throw StrataError(ErrorCode::kCrsMismatch, "the networks are in different CRSs (" + *crs +
                                                     " and " + *n.crs + "); reproject one of them");
    crs = n.crs;
  }
  if (in.dem && !in.dem->crs_wkt().empty() && crs &&
      !Crs::from_user_input(in.dem->crs_wkt()).equivalent_to(Crs::from_user_input(*crs)))
    throw StrataError(ErrorCode::kCrsMismatch, s.dem + " is not in the networks' CRS (" + *crs +
                                                   "); reproject it (gdalwarp -t_srs)");
  if (crs) {
    auto unit = Crs::from_user_input(*crs).linear_unit_m();
    if (!unit)
      throw StrataError(ErrorCode::kCrsMismatch,
                        *crs + " is not a projected CRS in metres or feet");
    in.unit_m = *unit;
  } else if (!in.networks.empty()) {
    // An .inp file never names its CRS: its coordinates may be feet (US customary models) or
    // drawing units. Every length strata derives from them is said to assume metres.
    FeatureIssue i;
    i.file = in.networks.front().file;
    i.status = FeatureStatus::kWarning;
    i.code = ErrorCode::kCrsMissing;
    // The .inp reader already decided each file's unit system from its flow units.
    std::string us_customary;
    for (const auto& n : in.networks)
      if (us_customary.empty() && n.network.units.rfind("US customary", 0) == 0)
        us_customary = n.file + " uses US customary units, " + n.network.flow_units;
    i.message =
        "the networks declare no CRS: their coordinates are taken to be metres for every "
        "length and distance reported; give --crs (e.g. EPSG:3547, in US feet) if they "
        "are not" +
        (us_customary.empty() ? std::string()
                              : " (" + us_customary + ": its coordinates are likely feet)");
    in.networks.front().issues.push_back(std::move(i));
  }
  in.crs = crs;
  // Heights below a flat ground at 0 cannot meet elevations: one vertical reference for all.
  for (std::size_t i = 1; i < in.networks.size(); ++i)
    if (in.networks[i].network.heights != in.networks[0].network.heights)
      throw StrataError(ErrorCode::kCrsMismatch,
                        in.networks[0].file + " and " + in.networks[i].file +
                            " do not share a vertical reference (one is in elevations, the "
                            "other in cover depths without a ground): give --dem or --ground-z");
  in.read_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return in;
}

void read_layer(const std::string& path, const std::string& id_field,
                const std::optional<std::string>& crs, const std::vector<std::string>& fields,
                const LayerVisit& visit) {
  auto source = io::open_vector_source({path, "", {}, {}});
  if (auto declared = source->declared_crs();
      declared && crs && !declared->equivalent_to(Crs::from_user_input(*crs)))
    throw StrataError(ErrorCode::kCrsMismatch, path + " is in " + declared->label() +
                                                   ", the networks in " + *crs + "; reproject it");
  auto index = [&](const std::string& field) {
    if (field.empty()) return -1;
    const int i = source->field_index(field);
    if (i < 0) throw StrataError(ErrorCode::kFieldMissing, path + ": no field '" + field + "'");
    return i;
  };
  const int id_i = index(id_field);
  std::vector<int> field_at;
  for (const auto& f : fields) field_at.push_back(index(f));
  io::SourceFeature f;
  while (source->next(f)) {
    const std::string id = id_i >= 0 && !is_null(f.values[static_cast<std::size_t>(id_i)])
                               ? to_text(f.values[static_cast<std::size_t>(id_i)])
                               : "feature " + std::to_string(f.fid);
    visit(id, f, field_at);
  }
}

nlohmann::json network_json(const LoadedNetwork& n) {
  std::map<std::string, std::int64_t> assumed;
  for (const auto& l : n.network.links)
    for (const auto& what : l.assumed) ++assumed[what];
  nlohmann::json issues = nlohmann::json::array();
  for (const auto& i : n.issues) issues.push_back(io::to_json(i));
  return {{"file", n.file},
          {"format", n.network.format},
          {"heights",
           n.network.heights == PipeHeights::kElevation ? "elevation" : "below ground at z = 0"},
          {"links", n.network.links.size()},
          {"assumed", assumed},
          {"issues", issues}};
}

bool has_issues(const std::vector<LoadedNetwork>& networks) {
  for (const auto& n : networks)
    if (!n.issues.empty()) return true;
  return false;
}

std::string issue_lines(const std::vector<LoadedNetwork>& networks) {
  std::string text;
  for (const auto& n : networks)
    for (const auto& i : n.issues)
      text += "  " + std::string(status_name(i.status)) + " " +
              std::to_string(static_cast<int>(i.code)) + " " + std::string(error_name(i.code)) +
              ": " + i.message + "\n";
  return text;
}

}  // namespace strata::engine
