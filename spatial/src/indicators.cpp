#include "strata/spatial/indicators.h"
#include "strata/core/parallel.h"

#include <algorithm>
#include <boost/geometry/algorithms/area.hpp>
#include <boost/geometry/strategies/cartesian/area.hpp>
#include <chrono>
#include <cmath>
#include <map>
#include <thread>

#include "strata/core/error.h"
#include "strata/core/indicator_catalogue.h"
#include "strata/core/model_views.h"
#include "strata/io/json_report.h"
#include "strata/spatial/household_titles.h"
#include "strata/spatial/population_by_district.h"
#include "strata/spatial/zonal_count_length.h"
#include "strata/spatial/zonal_union_area.h"

namespace strata::spatial {
namespace {

namespace bg = boost::geometry;

// Overlaps and spills smaller than this (m²) are rounding, not a problem worth a warning.
constexpr double kNegligibleArea = 1.0;
// Line lengths outside the districts below this (m) are rounding along a boundary.
constexpr double kNegligibleLength = 0.01;

nlohmann::json warning(ErrorCode code, const std::string& message) {
  return {{"code", static_cast<int>(code)}, {"name", error_name(code)}, {"message", message}};
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// "12.5 m² (0.3 % of the union) lie": what lies outside the districts, and its share of the
// whole (inside + outside), for the 956 warning.
std::string outside_amount(double outside, const std::vector<double>& inside, const char* unit,
                           const char* whole) {
  double total = outside;
  for (double v : inside) total += v;
  return fixed(outside, 1) + " " + unit + " (" + fixed(100 * outside / total, 3) + " % of the " +
         whole + ") lie";
}

// Whether a record is part of a selection: every record of a plain layer; else those whose
// field holds one of the values, or a number within [min, max].
bool is_selected(const io::LayerSelection& sel, const Record& r) {
  if (sel.field.empty()) return true;
  if (sel.field == "id")  // the id is the record's own, not one of its fields
    return std::find(sel.values.begin(), sel.values.end(), r.id) != sel.values.end();
  auto it = r.fields.find(sel.field);
  if (it == r.fields.end() || is_null(it->second)) return false;
  if (!sel.values.empty())
    return std::find(sel.values.begin(), sel.values.end(), to_text(it->second)) != sel.values.end();
  const auto v = to_real(it->second);
  return v && (!sel.min || *v >= *sel.min) && (!sel.max || *v <= *sel.max);
}

// The geometries a group selects, of the group's measure (polygons, points or lines), and per
// layer what was selected, for the provenance.
struct Selected {
  ZonalPolygons polygons;
  std::vector<MultiPoint2> points;
  std::vector<MultiLinestring2> lines;
  std::size_t features = 0;
  // Households (15.3): `points` holds every unit, `untitled` those without a title; units
  // without a solid have no place (`unlocated`).
  std::vector<MultiPoint2> untitled;
  std::int64_t unlocated = 0, unlocated_untitled = 0;
  nlohmann::json households;
};
Selected select_features(io::Store& store, const std::vector<io::LayerSelection>& selections,
                         IndicatorMeasure measure, const TitleRules& rules,
                         nlohmann::json& counts) {
  Selected out;
  if (measure == IndicatorMeasure::kUnits) {
    HouseholdUnits h = read_household_units(store, selections, rules);
    std::int64_t generated = 0;
    for (const auto& u : h.units) {
      generated += u.generated;
      if (!u.location) {
        ++out.unlocated;
        out.unlocated_untitled += u.titled ? 0 : 1;
        continue;
      }
      out.points.push_back(MultiPoint2{*u.location});
      if (!u.titled) out.untitled.push_back(MultiPoint2{*u.location});
    }
    out.features = h.units.size();
    counts = h.selections;
    out.households = {{"as_of", rules.as_of.empty() ? nlohmann::json("current rights")
                                                    : nlohmann::json(rules.as_of)},
                      {"title_rights", rules.title_rights},
                      {"units", h.units.size()},
                      {"generated_units", generated},
                      {"annexes_and_common_parts_left_out", h.other_kinds},
                      {"without_title_by_reason", h.untitled_by_reason}};
    return out;
  }
  for (const auto& sel : selections) {
    const std::size_t before = out.features;
    if (sel.field.empty() && measure == IndicatorMeasure::kArea) {
      // The bulk path: the geometry's WKB only, no attribute read, no model built.
      WkbBatch wkb = store.read_wkb(sel.layer);
      out.features += wkb.size();
      if (out.polygons.wkb.empty()) {
        out.polygons.wkb = std::move(wkb);
      } else {
        for (std::size_t i = 0; i < wkb.size(); ++i)
          out.polygons.wkb.add(wkb[i].data(), wkb[i].size());
      }
    } else {
      store.for_each_record(sel.layer, std::nullopt, [&](const Record& r) {
        if (!is_selected(sel, r)) return true;
        ++out.features;
        if (measure == IndicatorMeasure::kArea) out.polygons.polygons.push_back(r.geometry);
        if (measure == IndicatorMeasure::kCount) out.points.push_back(r.points);
        if (measure == IndicatorMeasure::kLength) out.lines.push_back(r.lines);
        return true;
      });
    }
    nlohmann::json j = {
        {"layer", sel.layer},
        {"field", sel.field.empty() ? nlohmann::json(nullptr) : nlohmann::json(sel.field)},
        {"values", sel.values},
        {"min", sel.min ? nlohmann::json(*sel.min) : nlohmann::json(nullptr)},
        {"max", sel.max ? nlohmann::json(*sel.max) : nlohmann::json(nullptr)},
        {"features", out.features - before}};
    if (measure == IndicatorMeasure::kArea) j["polygons"] = out.features - before;
    counts.push_back(std::move(j));
  }
  return out;
}

std::string names_of(const std::vector<io::LayerSelection>& selections) {
  std::string names;
  for (const auto& s : selections) {
    names += (names.empty() ? "" : ", ") + s.layer;
    if (!s.values.empty()) {
      names += " where " + s.field + " in (";
      for (std::size_t i = 0; i < s.values.size(); ++i) names += (i ? ", " : "") + s.values[i];
      names += ")";
    } else if (!s.field.empty()) {
      auto number = [](double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.15g", v);
        return std::string(buf);
      };
      names += " where " + (s.min ? number(*s.min) + " <= " : std::string()) + s.field +
               (s.max ? " <= " + number(*s.max) : std::string());
    }
  }
  return names;
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
  // A CRS without an authority code travels as WKT: a name alone ("unknown") would leave the
  // indicator layers without a CRS.
  t.crs = store.crs().authority_code().value_or(store.crs().to_wkt());
  // Areas in m² and lengths in m whatever the store CRS's unit (US feet: 0.3048006096 m).
  const double u = store.crs().linear_unit_m().value_or(1.0), u2 = u * u;

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
    for (const auto& o : zone_overlaps(zones, kNegligibleArea / u2))
      t.warnings.push_back(warning(ErrorCode::kDistrictsOverlap,
                                   "districts " + districts[o.a].id + " and " + districts[o.b].id +
                                       " overlap by " + fixed(o.area * u2, 1) + " m²"));
  }

  // Villages of the breakdown, with the district each belongs to.
  std::vector<Record> villages;
  std::vector<std::optional<std::size_t>> village_district;
  if (!spec.breakdown.empty()) {
    if (stored_layer(store, spec.breakdown).provenance.kind != "village")
      throw StrataError(ErrorCode::kWrongInputParameters,
                        "layer '" + spec.breakdown + "' is not a layer of kind village");
    store.for_each_record(spec.breakdown, std::nullopt, [&](const Record& r) {
      villages.push_back(r);
      return true;
    });
    village_district = assign_villages(districts, villages);
    int unassigned = 0;
    for (const auto& d : village_district) unassigned += d ? 0 : 1;
    if (unassigned > 0)
      t.warnings.push_back(warning(ErrorCode::kOutsideDistricts,
                                   std::to_string(unassigned) + " villages of '" + spec.breakdown +
                                       "' lie in no district of '" + spec.districts +
                                       "'; their rows have no district_id"));
  }

  ZonalAreaOptions zonal;
  zonal.threads = options.threads;
  zonal.measure_outside = true;
  std::vector<MultiPolygon2> district_zones, village_zones;
  for (const auto& d : districts) district_zones.push_back(d.geometry);
  for (const auto& v : villages) village_zones.push_back(v.geometry);
  nlohmann::json timings = nlohmann::json::object();
  nlohmann::json selected = nlohmann::json::object();
  struct Measured {
    std::vector<double> districts, villages;                    // m², points or m, per zone
    std::vector<double> untitled_districts, untitled_villages;  // households without a title
  };
  nlohmann::json households_info;
  const TitleRules title_rules{spec.text("households_as_of"), spec.list("title_rights")};
  // A group's measure per district (and village): the area of the union of its polygons, the
  // number of its points, or the length of the union of its lines; and what lies outside every
  // district.
  auto measure = [&](const std::vector<io::LayerSelection>& selections, const Indicator& info) {
    const auto start = std::chrono::steady_clock::now();
    nlohmann::json counts = nlohmann::json::array();
    Selected chosen = select_features(store, selections, info.measure, title_rules, counts);
    if (info.measure == IndicatorMeasure::kUnits) households_info = chosen.households;
    selected[info.key] = counts;
    const auto read = std::chrono::steady_clock::now();
    Measured m;
    nlohmann::json timing = {{"features", chosen.features}};
    std::string outside_text;
    switch (info.measure) {
      case IndicatorMeasure::kArea: {
        ZonalAreaResult village_result;
        if (!villages.empty()) {
          ZonalAreaOptions per_village = zonal;
          per_village.measure_outside = false;
          village_result = union_area_by_zone(village_zones, chosen.polygons, per_village);
          m.villages = village_result.area;
          for (auto& a : m.villages) a *= u2;
        }
        auto result = union_area_by_zone(district_zones, std::move(chosen.polygons), zonal);
        for (auto& a : result.area) a *= u2;
        result.outside *= u2;
        timing["polygons"] = chosen.features;
        timing["tiles"] = result.tiles + village_result.tiles;
        timing["robust_fallback_tiles"] = result.fallbacks + village_result.fallbacks;
        timing["robust_reclips"] = result.reclipped + village_result.reclipped;
        if (result.outside > kNegligibleArea)
          outside_text = outside_amount(result.outside, result.area, "m²", "union");
        m.districts = std::move(result.area);
        break;
      }
      case IndicatorMeasure::kCount: {
        if (!villages.empty())
          for (auto c : count_points_by_zone(village_zones, chosen.points).count)
            m.villages.push_back(static_cast<double>(c));
        auto result = count_points_by_zone(district_zones, chosen.points);
        for (auto c : result.count) m.districts.push_back(static_cast<double>(c));
        if (result.outside > 0) outside_text = std::to_string(result.outside) + " point(s) lie";
        break;
      }
      case IndicatorMeasure::kUnits: {
        auto as_doubles = [](const std::vector<std::int64_t>& n) {
          return std::vector<double>(n.begin(), n.end());
        };
        if (!villages.empty()) {
          m.villages = as_doubles(count_points_by_zone(village_zones, chosen.points).count);
          m.untitled_villages =
              as_doubles(count_points_by_zone(village_zones, chosen.untitled).count);
        }
        auto all = count_points_by_zone(district_zones, chosen.points);
        auto untitled = count_points_by_zone(district_zones, chosen.untitled);
        m.districts = as_doubles(all.count);
        m.untitled_districts = as_doubles(untitled.count);
        if (all.outside + chosen.unlocated > 0)
          outside_text = std::to_string(all.outside + chosen.unlocated) + " unit(s), " +
                         std::to_string(untitled.outside + chosen.unlocated_untitled) +
                         " of them without title, lie";
        break;
      }
      case IndicatorMeasure::kLength: {
        if (!villages.empty()) {
          m.villages = union_length_by_zone(village_zones, chosen.lines, options.threads).length;
          for (auto& l : m.villages) l *= u;
        }
        auto result = union_length_by_zone(district_zones, chosen.lines, options.threads);
        for (auto& l : result.length) l *= u;
        result.outside *= u;
        if (result.outside > kNegligibleLength)
          outside_text = outside_amount(result.outside, result.length, "m", "length");
        m.districts = std::move(result.length);
        break;
      }
    }
    const auto done = std::chrono::steady_clock::now();
    timing["read_seconds"] = std::chrono::duration<double>(read - start).count();
    timing["compute_seconds"] = std::chrono::duration<double>(done - read).count();
    timings[info.key] = timing;
    if (!outside_text.empty())
      t.warnings.push_back(warning(ErrorCode::kOutsideDistricts,
                                   info.what + " (" + names_of(selections) + "): " + outside_text +
                                       " outside every district of '" + spec.districts +
                                       "' and count nowhere"));
    if (chosen.features == 0)
      t.warnings.push_back(warning(ErrorCode::kEmptySelection,
                                   info.what + " (" + names_of(selections) +
                                       "): no feature selected; its value is 0 everywhere"));
    return m;
  };
  // The measures, by indicator key, in the catalogue's order.
  std::map<std::string, Measured> area;
  std::vector<const Indicator*> computed;
  for (const auto& info : indicators())
    if (const auto* sel = spec.group(info.key)) {
      computed.push_back(&info);
      try {
        area[info.key] = measure(*sel, info);
      } catch (const StrataError& e) {
        // Name the store and the layers: a GEOS failure on a damaged geometry says neither.
        // Errors from the store start with its path already: name it once.
        const std::string path = store.path().string();
        std::string what = e.what();
        if (what.rfind(path, 0) == 0) {
          what.erase(0, path.size());
          what.erase(0, what.find_first_not_of(": "));
        }
        throw StrataError(e.code(), path + ": " + info.what + " (" + names_of(*sel) + "): " + what);
      }
    }

  // Columns and definitions, in the order of docs/indicators.md: the catalogue's.
  auto add_column = [&](const IndicatorColumn& c) {
    t.columns.push_back(c.key);
    t.integer.push_back(c.integer);
  };
  add_column(*find_indicator_column("population"));
  add_column(*find_indicator_column("district_area_m2"));
  for (const Indicator* info : computed) {
    for (const auto& c : info->columns) add_column(c);
    for (const auto& d : info->definitions) {
      nlohmann::json j = {
          {"key", d.key}, {"name", d.name}, {"unit", d.unit}, {"formula", d.formula}};
      if (!d.iso37120_2018.empty()) j["iso37120_2018"] = d.iso37120_2018;
      if (!d.iso37120_2014.empty()) j["iso37120_2014"] = d.iso37120_2014;
      t.definitions.push_back(std::move(j));
    }
  }

  // Values of one row from its population, area and measures (and untitled households).
  struct RowValues final : IndicatorRowValues {
    io::IndicatorRow& row;
    const io::IndicatorTable& table;
    RowValues(io::IndicatorRow& r, const io::IndicatorTable& t) : row(r), table(t) {}
    void set(std::string_view column, std::optional<double> value) override {
      row.values[table.column(std::string(column))] = value;
    }
  };
  using Measures = std::map<std::string, std::pair<double, double>>;  // key: measured, untitled
  auto fill = [&](io::IndicatorRow& row, std::optional<double> pop, double zone_area,
                  const Measures& measures, bool city) {
    row.values.assign(t.columns.size(), std::nullopt);
    RowValues values(row, t);
    values.set("population", pop);
    values.set("district_area_m2", zone_area);
    for (const Indicator* info : computed) {
      IndicatorInputs in;
      std::tie(in.measured, in.untitled) = measures.at(info->key);
      in.population = pop;
      in.zone_area_m2 = zone_area;
      in.city = city;
      in.parameters = &spec.parameters;
      info->fill(in, values);
    }
  };
  auto measures_of = [&](std::size_t i, bool village) {
    Measures out;
    for (const auto& [key, m] : area) {
      const auto& untitled = village ? m.untitled_villages : m.untitled_districts;
      out[key] = {village ? m.villages[i] : m.districts[i], untitled.empty() ? 0.0 : untitled[i]};
    }
    return out;
  };
  double city_area = 0;
  Measures city_measures;
  std::int64_t city_population = 0;
  for (std::size_t i = 0; i < districts.size(); ++i) {
    io::IndicatorRow row;
    const District d = District::from(districts[i]);
    row.id = districts[i].id;
    row.name = d.name;
    row.geometry = districts[i].geometry;
    const double zone_area = bg::area(districts[i].geometry) * u2;
    std::optional<double> pop;
    if (population[i]) pop = static_cast<double>(*population[i]);
    const Measures m = measures_of(i, false);
    for (const auto& [key, v] : m) {
      city_measures[key].first += v.first;
      city_measures[key].second += v.second;
    }
    fill(row, pop, zone_area, m, false);
    city_area += zone_area;
    if (population[i]) city_population += *population[i];
    t.districts.push_back(std::move(row));
  }
  t.city.id = "city";
  t.city.name = "all districts";
  fill(t.city,
       population_complete ? std::optional<double>(static_cast<double>(city_population))
                           : std::nullopt,
       city_area, city_measures, true);
  for (std::size_t i = 0; i < villages.size(); ++i) {
    io::IndicatorRow row;
    const District v = District::from(villages[i]);
    row.id = villages[i].id;
    row.name = v.name;
    if (village_district[i]) row.district_id = districts[*village_district[i]].id;
    row.geometry = villages[i].geometry;
    std::optional<double> pop;
    if (v.population) pop = static_cast<double>(*v.population);
    fill(row, pop, bg::area(villages[i].geometry) * u2, measures_of(i, true), false);
    t.villages.push_back(std::move(row));
  }
  if (!villages.empty()) {
    int without = 0;
    for (const auto& r : t.villages) without += r.values[t.column("population")] ? 0 : 1;
    if (without > 0)
      t.warnings.push_back(warning(ErrorCode::kPopulationMissing,
                                   std::to_string(without) + " of the " +
                                       std::to_string(villages.size()) + " villages of '" +
                                       spec.breakdown +
                                       "' have no population: their per-capita values are empty"));
  }

  // Provenance: every layer the values come from, as recorded by its import.
  nlohmann::json datasets = nlohmann::json::array();
  std::vector<std::string> used = {spec.districts};
  if (spec.population != spec.districts) used.push_back(spec.population);
  if (!spec.breakdown.empty()) used.push_back(spec.breakdown);
  for (const Indicator* info : computed)
    for (const auto& sel : *spec.group(info->key)) used.push_back(sel.layer);
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
        {"breakdown",
         spec.breakdown.empty() ? nlohmann::json(nullptr) : nlohmann::json(spec.breakdown)},
        {"layers", selected},
        {"compute", spec.compute},
        {"households", households_info.is_null() ? nlohmann::json(nullptr) : households_info},
        {"threads", options.threads > 0
                        ? options.threads
                        : static_cast<int>(worker_count(0, static_cast<std::size_t>(-1)))},
        {"area", "planar, in the project CRS, converted to m² (" + std::to_string(u) +
                     " m per CRS unit)"}}},
      {"timings", timings}};
  // Every indicator's own parameters, as given (or their default; null when none).
  for (const auto& info : indicators())
    for (const auto& param : info.parameters) {
      nlohmann::json v = nullptr;
      if (param.type == IndicatorParameter::Type::kTextList)
        v = spec.list(param.name);
      else if (auto n = spec.number(param.name))
        v = *n;
      else if (auto text = spec.text(param.name); !text.empty())
        v = text;
      t.provenance["parameters"][param.name] = std::move(v);
    }
  return t;
}

}  // namespace strata::spatial
