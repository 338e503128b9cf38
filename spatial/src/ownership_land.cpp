// Buildings and the land they stand on: parcels (LADM's land spatial units) and zoning plan
// units from the project store, and check 803.
#include <boost/geometry/algorithms/area.hpp>
#include <boost/geometry/algorithms/difference.hpp>
#include <boost/geometry/algorithms/envelope.hpp>
#include <boost/geometry/algorithms/intersection.hpp>
#include <boost/geometry/algorithms/perimeter.hpp>
#include <boost/geometry/algorithms/union.hpp>
#include <set>
#include <sstream>

#include "strata/spatial/ownership.h"

namespace strata::spatial {
namespace bg = boost::geometry;

std::vector<ValidationFinding> check_land(const OwnershipModel& model,
                                          const std::map<std::string, BuildingBlock>& buildings,
                                          const Crs& footprint_crs, io::Store& store,
                                          const OwnershipOptions& options,
                                          std::map<std::string, BuildingLand>& land) {
  std::vector<ValidationFinding> out;
  // Footprints are brought into the store's CRS: areas in m² and depths in m from its unit.
  const double u = store.crs().linear_unit_m().value_or(1.0);
  std::vector<std::string> parcel_layers, zoning_layers;
  for (const auto& l : store.layers()) {
    if (l.provenance.kind == "parcel") parcel_layers.push_back(l.provenance.layer);
    if (l.provenance.kind == "zoning") zoning_layers.push_back(l.provenance.layer);
  }
  std::optional<Transformer> to_store;
  if (!footprint_crs.equivalent_to(store.crs())) to_store.emplace(footprint_crs, store.crs());

  // Parcels registered per building (through its units).
  std::map<std::string, std::set<std::string>> registered;
  for (const BAUnit& b : model.baunits)
    for (const auto& p : b.parcels) registered[b.building].insert(p);

  for (const auto& [id, building] : buildings) {
    MultiPolygon2 footprint = building.footprint;
    if (to_store && !to_store->transform(footprint)) continue;
    Box2 box;
    bg::envelope(footprint, box);
    BuildingLand& links = land[id];
    // A named copy: clang 14 does not let a lambda capture a structured binding.
    const std::string& building_id = id;
    MultiPolygon2 registered_land;
    auto collect = [&](const std::vector<std::string>& layers, std::vector<LandLink>& into,
                       bool is_parcel) {
      for (const auto& layer : layers)
        store.for_each_record(layer, box, [&](const Record& r) {
          MultiPolygon2 common;
          bg::intersection(footprint, r.geometry, common);
          const double area = static_cast<double>(bg::area(common)) * u * u;
          if (area > 0) into.push_back({layer, r.id, area});
          if (is_parcel && registered[building_id].count(r.id)) {
            MultiPolygon2 merged;
            bg::union_(registered_land, r.geometry, merged);
            registered_land = std::move(merged);
          }
          return true;
        });
    };
    collect(parcel_layers, links.parcels, true);
    collect(zoning_layers, links.zones, false);

    // 803: only for buildings with registered units naming parcels, and when parcels exist.
    if (parcel_layers.empty() || registered[id].empty()) continue;
    MultiPolygon2 outside;
    bg::difference(footprint, registered_land, outside);
    const double area = static_cast<double>(bg::area(outside)) * u * u;
    if (area <= 0 ||
        area / (static_cast<double>(bg::perimeter(outside)) * u / 2) <= options.overlap_tolerance)
      continue;
    std::ostringstream detail;
    detail << "building " << id << ": " << static_cast<long long>(std::llround(area))
           << " m² of its footprint lie outside the parcels its units are registered on (";
    bool first = true;
    for (const auto& p : registered[id]) detail << (first ? "" : ", ") << p, first = false;
    detail << "); under it:";
    if (links.parcels.empty()) detail << " no parcel of the store";
    for (const auto& l : links.parcels) detail << " " << l.id;
    ValidationFinding f;
    f.code = ErrorCode::kBuildingOutsideParcels;
    f.object_id = id;
    f.detail = detail.str();
    Box2 ob;
    bg::envelope(outside, ob);
    double x = (ob.min_corner().x() + ob.max_corner().x()) / 2;
    double y = (ob.min_corner().y() + ob.max_corner().y()) / 2;
    // Locations are in the footprints' CRS, like every other finding of the model.
    if (to_store) {
      Transformer back(store.crs(), footprint_crs);
      back.transform(x, y);
    }
    f.location = Point3{x, y, building.base};
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace strata::spatial
