#include "strata/spatial/population_by_district.h"

#include <algorithm>
#include <boost/geometry/algorithms/centroid.hpp>
#include <boost/geometry/strategies/cartesian/centroid_bashein_detmer.hpp>
#include <map>

#include "strata/core/error.h"

#include "strata/core/model_views.h"
#include "strata/spatial/polygon_index.h"

namespace strata::spatial {

nlohmann::json PopulationByDistrict::to_json() const {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& d : districts) {
    nlohmann::json j = {{"layer", d.layer},
                        {"id", d.id},
                        {"name", d.name},
                        {"code", d.code},
                        {"vintage", d.vintage},
                        {"villages", d.villages},
                        {"villages_population", d.villages_population},
                        {"villages_households", d.villages_households},
                        {"villages_without_population", d.villages_without_population}};
    j["own_population"] =
        d.own_population ? nlohmann::json(*d.own_population) : nlohmann::json(nullptr);
    j["consistent"] = !d.own_population || *d.own_population == d.villages_population;
    rows.push_back(std::move(j));
  }
  return {{"districts", rows},
          {"total_population", total_population},
          {"unassigned_villages", unassigned_villages}};
}

std::vector<std::optional<std::size_t>> assign_villages(const std::vector<Record>& districts,
                                                        const std::vector<Record>& villages) {
  std::map<std::string, std::size_t> by_code;
  for (std::size_t i = 0; i < districts.size(); ++i) {
    const District d = District::from(districts[i]);
    if (!d.code.empty()) by_code.emplace(d.code, i);
  }
  PolygonIndex index(districts);
  std::vector<std::optional<std::size_t>> out;
  out.reserve(villages.size());
  for (const auto& v : villages) {
    const District village = District::from(v);
    if (auto it = by_code.find(village.parent_code);
        !village.parent_code.empty() && it != by_code.end()) {
      out.push_back(it->second);
      continue;
    }
    Point2 c;
    boost::geometry::centroid(v.geometry, c);
    auto hits = index.covering(c);
    out.push_back(hits.empty() ? std::nullopt : std::optional<std::size_t>(hits.front()));
  }
  return out;
}

PopulationByDistrict population_by_district(io::Store& store,
                                            const std::vector<std::string>& layers) {
  std::vector<Record> district_records;
  std::vector<std::string> district_layers;
  std::vector<Record> villages;
  for (const auto& l : store.layers()) {
    const auto& kind = l.provenance.kind;
    if (kind != "district" && kind != "village") continue;
    if (!layers.empty() &&
        std::find(layers.begin(), layers.end(), l.provenance.layer) == layers.end())
      continue;
    store.for_each_record(l.provenance.layer, std::nullopt, [&](const Record& r) {
      if (kind == "district") {
        district_records.push_back(r);
        district_layers.push_back(l.provenance.layer);
      } else {
        villages.push_back(r);
      }
      return true;
    });
  }
  if (district_records.empty())
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "population_by_district needs a layer of kind district (with villages to add "
                      "up); the project has none");
  PopulationByDistrict out;
  for (std::size_t i = 0; i < district_records.size(); ++i) {
    District d = District::from(district_records[i]);
    out.districts.push_back(
        {district_layers[i], d.id, d.name, d.code, d.vintage, d.population, 0, 0, 0, 0});
  }
  const auto assigned = assign_villages(district_records, villages);
  for (std::size_t vi = 0; vi < villages.size(); ++vi) {
    const Record& v = villages[vi];
    District village = District::from(v);
    const std::optional<std::size_t> target = assigned[vi];
    if (!target) {
      out.unassigned_villages.push_back(village.id + " " + village.name);
      continue;
    }
    auto& d = out.districts[*target];
    ++d.villages;
    if (village.population) {
      d.villages_population += *village.population;
      out.total_population += *village.population;
    } else {
      ++d.villages_without_population;
    }
    if (village.households) d.villages_households += *village.households;
  }
  return out;
}

}  // namespace strata::spatial
