#include "strata/engine/query_3d_job.h"

#include <map>
#include <set>
#include <sstream>

#include "strata/core/crs.h"
#include "strata/core/geometry_validity.h"
#include "strata/engine/store_access.h"
#include "strata/io/citygml_reader.h"
#include "strata/io/cityjson_reader.h"
#include "strata/io/json_report.h"
#include "strata/spatial/point_query.h"
#include "strata/spatial/unit_index.h"

namespace strata::engine {
namespace {

struct Model {
  std::optional<std::string> crs;
  std::unique_ptr<spatial::UnitIndex> index;
  // Metres per horizontal CRS unit; unknown (no or unreadable CRS): areas are not given.
  std::optional<double> unit_m;
};

std::optional<double> unit_of(const std::optional<std::string>& crs) {
  if (!crs) return std::nullopt;
  try {
    return Crs::from_user_input(*crs).linear_unit_m();
  } catch (const StrataError&) {
    return std::nullopt;
  }
}

// The model saved in a store by `units build --save`: its volume layers.
Model load_model_from_store(io::Store& store) {
  std::vector<CityObject> objects;
  for (const auto& l : store.layers())
    if (l.provenance.kind == "building_3d" || l.provenance.kind == "building_storey" ||
        l.provenance.kind == "legal_space")
      store.for_each_volume(l.provenance.layer, [&](const CityObject& o) {
        objects.push_back(o);
        return true;
      });
  Model m;
  m.crs = store.crs().authority_code();
  m.unit_m = store.crs().linear_unit_m();
  m.index = std::make_unique<spatial::UnitIndex>(std::move(objects));
  if (m.index->volumes().empty())
    throw StrataError(
        ErrorCode::kNoGeometry,
        store.path().string() + ": the store holds no saved ownership model (units build --save)");
  return m;
}

Model load_model(const std::string& path) {
  std::vector<CityObject> objects;
  io::CityModelInfo info =
      io::read_city_model(path, [&](CityObject&& o) { objects.push_back(std::move(o)); });
  Model m;
  m.crs = info.crs;
  m.unit_m = unit_of(info.crs);
  m.index = std::make_unique<spatial::UnitIndex>(std::move(objects));
  if (m.index->volumes().empty())
    throw StrataError(
        ErrorCode::kNoGeometry,
        path + ": no building or unit solids (write the model with strata units build)");
  return m;
}

// Floor area and volume in m² and m³ (heights are metres); null when the CRS unit is unknown.
nlohmann::json volume_json(const spatial::IndexedVolume& v, std::optional<double> unit_m) {
  const std::optional<double> area =
      unit_m && v.has_volume ? std::optional<double>(area_m2(v.outline, *unit_m)) : std::nullopt;
  const auto z = [&](double value) {
    return v.has_volume ? nlohmann::json(value) : nlohmann::json(nullptr);
  };
  // A unit registered without an outline has no place: its heights, area and volume are
  // unknown (null), never 0.
  nlohmann::json j = {{"id", v.id},
                      {"type", v.type},
                      {"building", v.building},
                      {"has_volume", v.has_volume},
                      {"z_bottom", z(v.z_bottom)},
                      {"z_top", z(v.z_top)},
                      {"floor_area_m2", area ? nlohmann::json(*area) : nlohmann::json(nullptr)},
                      {"volume_m3", area ? nlohmann::json(*area * (v.z_top - v.z_bottom))
                                         : nlohmann::json(nullptr)}};
  nlohmann::json attributes = nlohmann::json::parse(v.attributes_json, nullptr, false);
  if (attributes.is_object()) j["attributes"] = attributes;
  return j;
}

}  // namespace

namespace {
Model model_of(const Query3dOptions& a) {
  if (!a.model.empty()) return load_model(a.model);
  if (a.store.empty())
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "give the model: --model MODEL.city.json, or --store with a saved model");
  auto store = open_store_arg(a.store);
  return load_model_from_store(*store);
}
}  // namespace

JobResult run_query_at(const Query3dOptions& a) {
  Model m = model_of(a);
  double x = a.x, y = a.y;
  std::string crs_label = m.crs.value_or("the model's CRS");
  if (!a.crs.empty()) {
    if (!m.crs)
      throw StrataError(ErrorCode::kCrsMissing,
                        a.model + ": the model declares no CRS; give X Y in its CRS");
    Transformer t(Crs::from_user_input(a.crs), Crs::from_user_input(*m.crs));
    if (!t.transform(x, y))
      throw StrataError(ErrorCode::kReprojectionFailed, "cannot transform the point to " + *m.crs);
  }
  auto hits = m.index->at(x, y, a.z);
  nlohmann::json buildings = nlohmann::json::array(), storeys = nlohmann::json::array(),
                 units = nlohmann::json::array();
  std::ostringstream text;
  for (const auto* v : hits)
    (v->type == "BuildingUnit"     ? units
     : v->type == "BuildingStorey" ? storeys
                                   : buildings)
        .push_back(volume_json(*v, m.unit_m));
  for (const auto& b : buildings) text << "building " << b["id"].get<std::string>() << "\n";
  for (const auto& s : storeys) text << "storey " << s["id"].get<std::string>() << "\n";
  for (const auto& u : units) {
    text << "unit " << u["id"].get<std::string>();
    if (u.contains("attributes")) {
      const auto& at = u["attributes"];
      text << " 建號 " << at.value("building_no", "") << " floor " << at.value("floor", "");
      for (const auto& r : at.value("rights", nlohmann::json::array()))
        text << " " << r.value("party", "?") << ":" << r.value("share", "?");
    }
    text << "\n";
  }
  nlohmann::json land = nlohmann::json::array();
  if (!a.store.empty()) {
    auto store = open_store_arg(a.store);
    const Crs from = a.crs.empty() ? (m.crs ? Crs::from_user_input(*m.crs) : store->crs())
                                   : Crs::from_user_input(a.crs);
    const Point2 p = spatial::to_store_crs(*store, from, a.x, a.y);
    for (const auto& h : spatial::features_at(*store, {"parcel", "zoning"}, p)) {
      nlohmann::json j = io::fields_to_json(h.record);
      j["layer"] = h.layer;
      land.push_back(j);
      text << h.layer << " " << h.record.id << "\n";
    }
  }
  if (hits.empty()) text << "no building or unit at (" << x << ", " << y << ", " << a.z << ")\n";
  JobResult r(
      "query at",
      {{"point", {{"x", a.x}, {"y", a.y}, {"z", a.z}, {"crs", a.crs.empty() ? crs_label : a.crs}}},
       {"buildings", buildings},
       {"storeys", storeys},
       {"units", units},
       {"land", land}},
      text.str());
  r.nothing_found = hits.empty();
  return r;
}

JobResult run_query_units(const Query3dOptions& a) {
  if (a.party.empty() + a.baunit.empty() + a.parcel.empty() != 2)
    throw StrataError(ErrorCode::kWrongInputParameters, "give one of party, baunit, parcel");
  Model m = model_of(a);
  nlohmann::json list = nlohmann::json::array();
  double volume = 0, area = 0;
  std::set<std::string> baunits;
  // With a store, "over a parcel" is spatial: the parcel's polygon, in the model's CRS.
  std::set<const spatial::IndexedVolume*> standing;
  if (!a.parcel.empty() && !a.store.empty()) {
    auto store = open_store_arg(a.store);
    std::optional<MultiPolygon2> parcel;
    for (const auto& l : store->layers())
      if (l.provenance.kind == "parcel")
        store->for_each_record(l.provenance.layer, std::nullopt, [&](const Record& r) {
          if (r.id == a.parcel) parcel = r.geometry;
          return !parcel;
        });
    if (!parcel)
      throw StrataError(ErrorCode::kNoGeometry, a.store + ": no parcel '" + a.parcel + "'");
    if (m.crs && !Crs::from_user_input(*m.crs).equivalent_to(store->crs()))
      Transformer(store->crs(), Crs::from_user_input(*m.crs)).transform(*parcel);
    for (const auto* v : m.index->over(*parcel)) standing.insert(v);
  }
  for (const auto& v : m.index->volumes()) {
    if (v.type != "BuildingUnit") continue;
    nlohmann::json at = nlohmann::json::parse(v.attributes_json, nullptr, false);
    if (!at.is_object()) continue;
    bool match = false;
    if (!a.baunit.empty()) match = at.value("building_no", "") == a.baunit;
    if (!a.party.empty())
      for (const auto& r : at.value("rights", nlohmann::json::array()))
        match |= r.value("party", "") == a.party;
    if (!a.parcel.empty() && a.store.empty())
      for (const auto& p : at.value("parcels", nlohmann::json::array()))
        match |= p.is_string() && p.get<std::string>() == a.parcel;
    if (!a.parcel.empty() && !a.store.empty()) {
      match = standing.count(&v) > 0;
      // A unit without a volume stands nowhere: its registered parcels say where it is.
      if (!v.has_volume)
        for (const auto& p : at.value("parcels", nlohmann::json::array()))
          match |= p.is_string() && p.get<std::string>() == a.parcel;
    }
    if (!match) continue;
    auto j = volume_json(v, m.unit_m);
    if (j["volume_m3"].is_number()) volume += j["volume_m3"].get<double>();
    if (j["floor_area_m2"].is_number()) area += j["floor_area_m2"].get<double>();
    baunits.insert(at.value("building_no", ""));
    list.push_back(std::move(j));
  }
  // Without the CRS's unit no area is known: totals are unknown, never 0.
  const bool measured = m.unit_m.has_value();
  std::int64_t without_volume = 0;
  for (const auto& u : list) without_volume += u["has_volume"].get<bool>() ? 0 : 1;
  std::ostringstream text;
  text << list.size() - static_cast<std::size_t>(without_volume) << " legal spaces";
  if (without_volume > 0) text << " and " << without_volume << " unit(s) without a volume";
  text << " of " << baunits.size() << " registered units; ";
  if (measured)
    text << "floor area " << area << " m², volume " << volume << " m³\n";
  else
    text << "floor area and volume unknown (the model names no CRS, so its unit is unknown)\n";
  for (const auto& u : list) {
    text << "  " << u["id"].get<std::string>();
    if (u["has_volume"].get<bool>()) {
      text << " z " << u["z_bottom"].get<double>() << ".." << u["z_top"].get<double>();
    } else {
      const auto& at = u.value("attributes", nlohmann::json::object());
      text << " (" << at.value("unit_kind", std::string("unit"))
           << " registered without an outline: no volume, not in the totals)";
    }
    for (const auto& r :
         u.value("attributes", nlohmann::json::object()).value("rights", nlohmann::json::array()))
      text << " " << r.value("party", "?") << ":" << r.value("share", "?");
    text << "\n";
  }
  JobResult r("query units",
              {{"units", list},
               {"baunits", static_cast<std::int64_t>(baunits.size())},
               {"units_without_volume", without_volume},
               {"floor_area_m2", measured ? nlohmann::json(area) : nlohmann::json(nullptr)},
               {"volume_m3", measured ? nlohmann::json(volume) : nlohmann::json(nullptr)}},
              text.str());
  r.nothing_found = r.result["units"].empty();
  return r;
}

}  // namespace strata::engine
