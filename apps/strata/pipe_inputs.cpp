#include "pipe_inputs.h"

#include <chrono>

#include "strata/core/crs.h"
#include "strata/core/error.h"
#include "strata/io/network_inp.h"

namespace strata::cli {
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

LoadedNetwork load_network(const NetworkArgs& n, const io::PipeRules& rules,
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

void add_network_options(CLI::App* app, const std::string& prefix, NetworkArgs& n) {
  const std::string p = prefix.empty() ? "--" : "--" + prefix + "-";
  app->add_option(p + "layer", n.layer, "layer of a multi-layer dataset");
  app->add_option(p + "utility", n.utility, "utility of every pipe (gas, petroleum, water, ...)");
  app->add_option(p + "utility-field", n.utility_field, "field with the utility");
  app->add_option(p + "id-field", n.id_field, "field with the pipe id");
  app->add_option(p + "diameter-field", n.diameter_field, "field with the diameter");
  app->add_option(p + "diameter-unit", n.diameter_unit, "m (default), mm or in");
  app->add_option(p + "depth-field", n.depth_field,
                  "field with the cover depth (ground to the top of the pipe, m)");
  app->add_option(p + "owner-field", n.owner_field, "field with the owner");
  app->add_option(p + "material-field", n.material_field, "field with the material");
  app->add_option(p + "year-field", n.year_field, "field with the installation year");
  app->add_option(p + "heights", n.heights,
                  "where the heights come from: cover (depth field or rules; default), z (the "
                  "lines' z is the axis), invert-z (the lines' z is the invert), inverts "
                  "(two invert fields)");
  app->add_option(p + "invert-fields", n.invert_fields,
                  "START,END: fields with the invert elevations at both ends (--heights inverts)");
}

void add_network_list_options(CLI::App* app, NetworkListArgs& n, bool required) {
  auto* files = app->add_option("networks", n.files, "pipe networks: .inp files or GIS line layers")
                    ->check(CLI::ExistingPath);
  if (required) files->required();
  const std::string each = " (once for all networks, or once per network in order)";
  app->add_option("--layer", n.layer, "layer of a multi-layer dataset" + each);
  app->add_option("--utility", n.utility, "utility of every pipe" + each);
  app->add_option("--utility-field", n.utility_field, "field with the utility" + each);
  app->add_option("--id-field", n.id_field, "field with the pipe id" + each);
  app->add_option("--diameter-field", n.diameter_field, "field with the diameter" + each);
  app->add_option("--diameter-unit", n.diameter_unit, "m (default), mm or in" + each);
  app->add_option("--depth-field", n.depth_field,
                  "field with the cover depth (ground to the top of the pipe, m)" + each);
  app->add_option("--owner-field", n.owner_field, "field with the owner" + each);
  app->add_option("--material-field", n.material_field, "field with the material" + each);
  app->add_option("--year-field", n.year_field, "field with the installation year" + each);
  app->add_option("--heights", n.heights, "cover (default), z, invert-z or inverts" + each);
  app->add_option("--invert-fields", n.invert_fields,
                  "START,END: invert elevation fields (--heights inverts)" + each);
}

std::vector<NetworkArgs> NetworkListArgs::resolve() const {
  std::vector<NetworkArgs> out(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) out[i].file = files[i];
  auto spread = [&](const std::vector<std::string>& values, const char* option,
                    std::string NetworkArgs::*member) {
    if (values.empty()) return;
    if (values.size() != 1 && values.size() != files.size())
      throw StrataError(ErrorCode::kWrongInputParameters,
                        std::string(option) + " is given " + std::to_string(values.size()) +
                            " times for " + std::to_string(files.size()) +
                            " networks: give it once (for all) or once per network ('' for "
                            "none)");
    for (std::size_t i = 0; i < files.size(); ++i)
      out[i].*member = values.size() == 1 ? values[0] : values[i];
  };
  spread(layer, "--layer", &NetworkArgs::layer);
  spread(utility, "--utility", &NetworkArgs::utility);
  spread(utility_field, "--utility-field", &NetworkArgs::utility_field);
  spread(id_field, "--id-field", &NetworkArgs::id_field);
  spread(diameter_field, "--diameter-field", &NetworkArgs::diameter_field);
  spread(depth_field, "--depth-field", &NetworkArgs::depth_field);
  spread(owner_field, "--owner-field", &NetworkArgs::owner_field);
  spread(material_field, "--material-field", &NetworkArgs::material_field);
  spread(year_field, "--year-field", &NetworkArgs::year_field);
  spread(invert_fields, "--invert-fields", &NetworkArgs::invert_fields);
  spread(diameter_unit, "--diameter-unit", &NetworkArgs::diameter_unit);
  spread(heights, "--heights", &NetworkArgs::heights);
  for (auto& n : out) {
    if (n.diameter_unit.empty()) n.diameter_unit = "m";
    if (n.heights.empty()) n.heights = "cover";
  }
  return out;
}

void add_settings_options(CLI::App* app, PipeSettings& s, bool ground) {
  app->add_option("--rules", s.rules,
                  "rules file (TOML): assumed depths and diameters per utility, minimum "
                  "clearances per utility pair (docs/pipes.md)");
  app->add_option("--crs", s.crs, "CRS of .inp coordinates (GIS layers carry theirs)");
  if (!ground) return;
  app->add_option("--dem", s.dem,
                  "terrain model (any GDAL raster, in the networks' CRS): cover depths are "
                  "placed below it and depths are measured from it")
      ->check(CLI::ExistingFile);
  app->add_option("--ground-z", s.ground_z,
                  "a flat ground at this elevation, where there is no terrain");
}

PipeInputs load_pipe_inputs(const std::vector<NetworkArgs>& networks, const PipeSettings& s,
                            bool plan_only) {
  const auto start = std::chrono::steady_clock::now();
  PipeInputs in;
  if (!s.rules.empty()) in.rules = io::load_pipe_rules(s.rules);
  if (!s.dem.empty()) {
    in.dem = std::make_shared<io::TerrainRaster>(s.dem);
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
  for (const auto& n : networks)
    in.networks.push_back(load_network(n, in.rules, read_ground, plan_only));
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

std::string issue_lines(const std::vector<LoadedNetwork>& networks) {
  std::string text;
  for (const auto& n : networks)
    for (const auto& i : n.issues)
      text += "  " + std::string(status_name(i.status)) + " " +
              std::to_string(static_cast<int>(i.code)) + " " + std::string(error_name(i.code)) +
              ": " + i.message + "\n";
  return text;
}

}  // namespace strata::cli
