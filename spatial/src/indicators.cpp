#include "strata/spatial/indicators.h"

#include <algorithm>
#include <boost/geometry/algorithms/area.hpp>
#include <boost/geometry/strategies/cartesian/area.hpp>
#include <chrono>
#include <cmath>
#include <map>
#include <thread>

#include "strata/core/error.h"
#include "strata/core/model_views.h"
#include "strata/io/json_report.h"
#include "strata/spatial/population_by_district.h"
#include "strata/spatial/zonal_union_area.h"

namespace strata::spatial {
namespace {

namespace bg = boost::geometry;

// Overlaps and spills smaller than this (m²) are rounding, not a problem worth a warning.
constexpr double kNegligibleArea = 1.0;

nlohmann::json warning(ErrorCode code, const std::string& message) {
  return {{"code", static_cast<int>(code)}, {"name", error_name(code)}, {"message", message}};
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::vector<MultiPolygon2> polygons_of(io::Store& store, const std::vector<std::string>& layers) {
  std::vector<MultiPolygon2> out;
  for (const auto& name : layers)
    store.for_each_geometry(name, [&](MultiPolygon2&& g) { out.push_back(std::move(g)); });
  return out;
}

io::StoredLayer stored_layer(io::Store& store, const std::string& name) {
  auto found = store.layer(name);
  if (!found)
    throw StrataError(ErrorCode::kWrongInputParameters,
                      store.path().string() + ": the store has no layer '" + name +
                          "' (run strata run / strata import first)");
  return *found;
}

}  // namespace

io::IndicatorTable compute_indicators(io::Store& store, const io::IndicatorSpec& spec,
                                      const IndicatorOptions& options) {
  io::IndicatorTable t;
  t.crs = store.crs().authority_code().value_or(store.crs().label());

  // Districts and their population.
  std::vector<Record> districts;
  if (stored_layer(store, spec.districts).provenance.kind != "district")
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "layer '" + spec.districts + "' is not a layer of kind district");
  store.for_each_record(spec.districts, std::nullopt, [&](const Record& r) {
    districts.push_back(r);
    return true;
  });
  if (districts.empty())
    throw StrataError(ErrorCode::kNoGeometry, "layer '" + spec.districts + "' has no districts");
  std::vector<std::optional<std::int64_t>> population(districts.size());
  const io::StoredLayer population_layer = stored_layer(store, spec.population);
  if (spec.population == spec.districts) {
    for (std::size_t i = 0; i < districts.size(); ++i)
      population[i] = District::from(districts[i]).population;
  } else {
    const auto by_district = population_by_district(store, {spec.districts, spec.population});
    std::map<std::string, std::int64_t> of;
    for (const auto& d : by_district.districts) {
      if (d.villages > 0) of[d.id] = d.villages_population;
      if (d.villages_without_population > 0)
        t.warnings.push_back(
            warning(ErrorCode::kPopulationMissing,
                    "district " + d.id + " (" + d.name +
                        "): " + std::to_string(d.villages_without_population) + " of its " +
                        std::to_string(d.villages) + " villages in '" + spec.population +
                        "' have no population; the district's population leaves them out"));
    }
    for (std::size_t i = 0; i < districts.size(); ++i)
      if (auto it = of.find(districts[i].id); it != of.end()) population[i] = it->second;
    if (!by_district.unassigned_villages.empty())
      t.warnings.push_back(warning(ErrorCode::kOutsideDistricts,
                                   std::to_string(by_district.unassigned_villages.size()) +
                                       " villages of '" + spec.population +
                                       "' lie in no district; their population counts nowhere"));
  }
  bool population_complete = true;
  for (std::size_t i = 0; i < districts.size(); ++i)
    if (!population[i] || *population[i] <= 0) {
      population_complete = false;
      t.warnings.push_back(warning(
          ErrorCode::kPopulationMissing,
          "district " + districts[i].id + " (" + District::from(districts[i]).name + ") has " +
              (population[i] ? std::string("a population of 0") : std::string("no population")) +
              " in '" + spec.population + "': its per-capita indicators are left empty"));
    }

  // Districts that overlap would count what lies in both twice in the all-districts row.
  {
    std::vector<MultiPolygon2> zones;
    for (const auto& d : districts) zones.push_back(d.geometry);
    for (const auto& o : zone_overlaps(zones, kNegligibleArea))
      t.warnings.push_back(warning(ErrorCode::kDistrictsOverlap,
                                   "districts " + districts[o.a].id + " and " + districts[o.b].id +
                                       " overlap by " + fixed(o.area, 1) + " m²"));
  }

  ZonalAreaOptions zonal;
  zonal.threads = options.threads;
  zonal.measure_outside = true;
  std::vector<MultiPolygon2> district_zones;
  for (const auto& d : districts) district_zones.push_back(d.geometry);
  nlohmann::json timings = nlohmann::json::object();
  // Area of the union of a group of layers per district, and what lies outside them all.
  auto measure = [&](const std::vector<std::string>& layers, const std::string& what) {
    const auto start = std::chrono::steady_clock::now();
    auto polygons = polygons_of(store, layers);
    const std::size_t count = polygons.size();
    const auto read = std::chrono::steady_clock::now();
    auto result = union_area_by_zone(district_zones, std::move(polygons), zonal);
    const auto done = std::chrono::steady_clock::now();
    timings[what] = {{"polygons", count},
                     {"tiles", result.tiles},
                     {"robust_fallback_tiles", result.fallbacks},
                     {"robust_reclips", result.reclipped},
                     {"read_seconds", std::chrono::duration<double>(read - start).count()},
                     {"compute_seconds", std::chrono::duration<double>(done - read).count()}};
    const double outside = result.outside;
    double inside = 0;
    for (double a : result.area) inside += a;
    if (outside > kNegligibleArea) {
      std::string names;
      for (const auto& l : layers) names += (names.empty() ? "" : ", ") + l;
      t.warnings.push_back(warning(ErrorCode::kOutsideDistricts,
                                   what + " (" + names + "): " + fixed(outside, 1) + " m² (" +
                                       fixed(100 * outside / (inside + outside), 3) +
                                       " % of the union) lie outside every district of '" +
                                       spec.districts + "' and count nowhere"));
    }
    return result.area;
  };

  std::vector<double> green, paving;
  if (!spec.green.empty()) green = measure(spec.green, "green");
  if (!spec.paving.empty()) paving = measure(spec.paving, "permeable paving");

  // Columns, in the order of docs/indicators.md.
  auto add_column = [&](const std::string& key, bool integer) {
    t.columns.push_back(key);
    t.integer.push_back(integer);
  };
  add_column("population", true);
  add_column("district_area_m2", false);
  if (!spec.green.empty()) {
    add_column("green_area_m2", false);
    add_column("green_area_ha", false);
    add_column("iso37120_21_1", false);
    t.definitions.push_back(
        {{"key", "iso37120_21_1"},
         {"name", "Green area (hectares) per 100 000 population"},
         {"unit", "ha per 100 000 population"},
         {"iso37120_2018", "21.1"},
         {"iso37120_2014", "19.1"},
         {"formula", "area of the union of (green ∩ district) in ha / (population / 100 000)"}});
  }
  if (!spec.paving.empty()) {
    add_column("permeable_paving_m2", false);
    add_column("permeable_paving_share", false);
    add_column("paving_target_m2", false);
    add_column("paving_target_progress", false);
    t.definitions.push_back({{"key", "permeable_paving_m2"},
                             {"name", "Permeable paving area"},
                             {"unit", "m²"},
                             {"formula",
                              "area of the union of (paving ∩ district), all paving "
                              "layers together"}});
    t.definitions.push_back({{"key", "permeable_paving_share"},
                             {"name", "Permeable paving as a share of the district's area"},
                             {"unit", "ratio"},
                             {"formula", "permeable_paving_m2 / district_area_m2"}});
    t.definitions.push_back(
        {{"key", "paving_target_progress"},
         {"name", "Progress against the permeable paving target (city row)"},
         {"unit", "ratio"},
         {"formula", "city permeable_paving_m2 / paving_target_m2 (project file)"}});
  }

  auto fill = [&](io::IndicatorRow& row, std::optional<double> pop, double area,
                  std::optional<double> green_m2, std::optional<double> paving_m2, bool city) {
    row.values.assign(t.columns.size(), std::nullopt);
    auto set = [&](const std::string& key, std::optional<double> v) {
      row.values[t.column(key)] = v;
    };
    set("population", pop);
    set("district_area_m2", area);
    if (green_m2) {
      set("green_area_m2", *green_m2);
      set("green_area_ha", *green_m2 / 1e4);
      if (pop && *pop > 0) set("iso37120_21_1", (*green_m2 / 1e4) / (*pop / 1e5));
    }
    if (paving_m2) {
      set("permeable_paving_m2", *paving_m2);
      if (area > 0) set("permeable_paving_share", *paving_m2 / area);
      if (city && spec.paving_target_m2) {
        set("paving_target_m2", *spec.paving_target_m2);
        set("paving_target_progress", *paving_m2 / *spec.paving_target_m2);
      }
    }
  };
  double city_area = 0, city_green = 0, city_paving = 0;
  std::int64_t city_population = 0;
  for (std::size_t i = 0; i < districts.size(); ++i) {
    io::IndicatorRow row;
    const District d = District::from(districts[i]);
    row.id = districts[i].id;
    row.name = d.name;
    row.geometry = districts[i].geometry;
    const double area = bg::area(districts[i].geometry);
    std::optional<double> pop;
    if (population[i]) pop = static_cast<double>(*population[i]);
    fill(row, pop, area, green.empty() ? std::nullopt : std::optional<double>(green[i]),
         paving.empty() ? std::nullopt : std::optional<double>(paving[i]), false);
    city_area += area;
    if (!green.empty()) city_green += green[i];
    if (!paving.empty()) city_paving += paving[i];
    if (population[i]) city_population += *population[i];
    t.districts.push_back(std::move(row));
  }
  t.city.id = "city";
  t.city.name = "all districts";
  fill(t.city,
       population_complete ? std::optional<double>(static_cast<double>(city_population))
                           : std::nullopt,
       city_area, green.empty() ? std::nullopt : std::optional<double>(city_green),
       paving.empty() ? std::nullopt : std::optional<double>(city_paving), true);

  // Provenance: every layer the values come from, as recorded by its import.
  nlohmann::json datasets = nlohmann::json::array();
  std::vector<std::string> used = {spec.districts};
  if (spec.population != spec.districts) used.push_back(spec.population);
  used.insert(used.end(), spec.green.begin(), spec.green.end());
  used.insert(used.end(), spec.paving.begin(), spec.paving.end());
  std::vector<std::string> listed;
  for (const auto& name : used) {
    if (std::find(listed.begin(), listed.end(), name) != listed.end()) continue;
    listed.push_back(name);
    const io::StoredLayer layer = stored_layer(store, name);
    nlohmann::json j = io::to_json(layer.provenance);
    j["feature_count"] = layer.feature_count;
    datasets.push_back(std::move(j));
  }
  const Provenance& pp = population_layer.provenance;
  t.provenance = {
      {"crs", t.crs},
      {"store", store.path().string()},
      {"datasets", datasets},
      {"population",
       {{"layer", spec.population},
        {"field", "population"},
        {"method", spec.population == spec.districts ? "the district layer's own field"
                                                     : "sum of the villages of each district"},
        {"table", pp.join_table},
        {"vintage", pp.join_vintage.empty() ? pp.vintage : pp.join_vintage},
        {"source", pp.join_source.empty() ? pp.source_note : pp.join_source}}},
      {"parameters",
       {{"districts", spec.districts},
        {"green", spec.green},
        {"paving", spec.paving},
        {"paving_target_m2",
         spec.paving_target_m2 ? nlohmann::json(*spec.paving_target_m2) : nlohmann::json(nullptr)},
        {"threads", options.threads > 0
                        ? options.threads
                        : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))},
        {"area", "planar, in the project CRS"}}},
      {"timings", timings}};
  return t;
}

}  // namespace strata::spatial
