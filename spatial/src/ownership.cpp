#include "strata/spatial/ownership.h"

#include <algorithm>
#include <boost/geometry/algorithms/area.hpp>
#include <boost/geometry/algorithms/difference.hpp>
#include <boost/geometry/algorithms/envelope.hpp>
#include <boost/geometry/algorithms/intersection.hpp>
#include <boost/geometry/algorithms/intersects.hpp>
#include <boost/geometry/algorithms/perimeter.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <cmath>
#include <set>
#include <sstream>

namespace strata::spatial {
namespace bg = boost::geometry;

namespace {

std::string fmt(double v, int digits = 2) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(digits);
  s << v;
  return s.str();
}

// A representative point: the centre of the outline's bounding box.
Point3 location_of(const MultiPolygon2& outline, double z) {
  if (outline.empty()) return {0, 0, z};
  Box2 box;
  bg::envelope(outline, box);
  return {(box.min_corner().x() + box.max_corner().x()) / 2,
          (box.min_corner().y() + box.max_corner().y()) / 2, z};
}

// The depth of a 2D overlap: area / half the perimeter (the half-width of a thin strip).
double overlap_depth_2d(const MultiPolygon2& a, const MultiPolygon2& b) {
  MultiPolygon2 common;
  bg::intersection(a, b, common);
  const double area = static_cast<double>(bg::area(common));
  if (area <= 0) return 0;
  return area / (static_cast<double>(bg::perimeter(common)) / 2);
}

ValidationFinding finding(ErrorCode code, const std::string& id, std::string detail,
                          std::optional<Point3> where = std::nullopt) {
  ValidationFinding f;
  f.code = code;
  f.object_id = id;
  f.detail = std::move(detail);
  f.location = where;
  return f;
}

}  // namespace

int storeys_for(double height, double storey_height) {
  if (!(storey_height > 0) || !(height > 0)) return 1;
  return std::max(1, static_cast<int>(std::lround(height / storey_height)));
}

void build_legal_spaces(OwnershipModel& model,
                        const std::map<std::string, BuildingBlock>& buildings,
                        const OwnershipOptions& options) {
  model.units.clear();
  const double h = options.storey_height;
  for (const BAUnit& b : model.baunits) {
    auto it = buildings.find(b.building);
    if (it == buildings.end()) continue;  // 809, reported by check_ownership
    const BuildingBlock& building = it->second;
    if (!b.unit_polygon && b.kind != UnitKind::kMain) continue;
    for (int floor : b.floors) {
      LegalSpaceBuildingUnit u;
      u.id = b.generated ? b.id : b.id + "/F" + floor_label(floor);
      u.baunit = b.id;
      u.building = building.id;
      u.floor = floor;
      u.outline = b.unit_polygon ? *b.unit_polygon : building.footprint;
      u.z_bottom = floor > 0 ? building.base + (floor - 1) * h : building.base + floor * h;
      u.z_top = u.z_bottom + h;
      u.generated = b.generated;
      model.units.push_back(std::move(u));
    }
  }
  // Storeys: 1..storeys above ground for every building, and the basements down to the deepest
  // one a unit is registered on. A unit links to the storey of its floor, if the building has it.
  std::map<std::string, int> deepest;
  for (const auto& u : model.units)
    if (u.floor < 0) deepest[u.building] = std::min(deepest[u.building], u.floor);
  model.storeys.clear();
  std::map<std::pair<std::string, int>, std::string> storey_id;
  for (const auto& [id, building] : buildings) {
    for (int floor = deepest.count(id) ? deepest[id] : 1; floor <= building.storeys; ++floor) {
      if (floor == 0) continue;
      BuildingStorey s;
      s.id = id + "/storey/" + floor_label(floor);
      s.building = id;
      s.floor = floor;
      s.z_bottom = floor > 0 ? building.base + (floor - 1) * h : building.base + floor * h;
      s.z_top = s.z_bottom + h;
      storey_id[{id, floor}] = s.id;
      model.storeys.push_back(std::move(s));
    }
  }
  for (auto& u : model.units) {
    auto it = storey_id.find({u.building, u.floor});
    if (it != storey_id.end()) u.storey = it->second;
  }
}

std::vector<ValidationFinding> check_ownership(
    const OwnershipModel& model, const std::map<std::string, BuildingBlock>& buildings,
    const OwnershipOptions& options) {
  std::vector<ValidationFinding> out;
  const double tol = options.overlap_tolerance;

  // 809 and 805: every registered unit stands in a known building, on storeys it has.
  for (const BAUnit& b : model.baunits) {
    auto it = buildings.find(b.building);
    if (it == buildings.end()) {
      out.push_back(finding(ErrorCode::kBuildingNotFound, b.id,
                            "building number " + b.id + " names building '" + b.building +
                                "', which is not among the footprints (" + b.source + ")"));
      continue;
    }
    for (int floor : b.floors)
      if (floor > it->second.storeys)
        out.push_back(finding(
            ErrorCode::kStoreyMissing, b.id,
            "registered on floor " + floor_label(floor) + " but building " + b.building + " has " +
                std::to_string(it->second.storeys) + " storeys above ground (height " +
                fmt(it->second.height) + " m / " + fmt(options.storey_height) + " m per storey)",
            location_of(it->second.footprint, it->second.base + it->second.height)));
  }

  // 802: a unit's outline lies within its building's footprint.
  for (const BAUnit& b : model.baunits) {
    auto it = buildings.find(b.building);
    if (it == buildings.end() || !b.unit_polygon) continue;
    MultiPolygon2 outside;
    bg::difference(*b.unit_polygon, it->second.footprint, outside);
    const double u = options.unit_m;
    const double area = static_cast<double>(bg::area(outside)) * u * u;
    if (area > 0 && area / (static_cast<double>(bg::perimeter(outside)) * u / 2) > tol)
      out.push_back(finding(ErrorCode::kUnitOutsideBuilding, b.id,
                            fmt(area) + " m² of the unit's outline lie outside building " +
                                b.building + "'s footprint",
                            location_of(outside, it->second.base)));
  }

  // 804: computed floor area against the registered area.
  std::map<std::string, double> computed;
  for (const auto& u : model.units)
    computed[u.baunit] +=
        static_cast<double>(bg::area(u.outline)) * options.unit_m * options.unit_m;
  for (const BAUnit& b : model.baunits) {
    auto c = computed.find(b.id);
    if (c == computed.end() || b.generated) continue;
    const double diff = (c->second - b.registered_area_m2) / b.registered_area_m2;
    if (std::abs(diff) > options.area_tolerance)
      out.push_back(finding(ErrorCode::kAreaMismatch, b.id,
                            "computed floor area " + fmt(c->second) +
                                " m² differs from the registered " + fmt(b.registered_area_m2) +
                                " m² by " + fmt(diff * 100, 1) + " % (tolerance " +
                                fmt(options.area_tolerance * 100, 1) + " %)"));
  }

  // 801: legal spaces of different units must not overlap in 3D (R-tree on the 2D envelopes).
  namespace bgi = bg::index;
  using Entry = std::pair<Box2, std::size_t>;
  std::vector<Entry> entries;
  for (std::size_t i = 0; i < model.units.size(); ++i) {
    Box2 box;
    bg::envelope(model.units[i].outline, box);
    entries.emplace_back(box, i);
  }
  bgi::rtree<Entry, bgi::rstar<16>> tree(entries.begin(), entries.end());
  std::set<std::pair<std::string, std::string>> reported;
  for (std::size_t i = 0; i < model.units.size(); ++i) {
    const auto& a = model.units[i];
    std::vector<Entry> near;
    tree.query(bgi::intersects(entries[i].first), std::back_inserter(near));
    for (const auto& [box, j] : near) {
      if (j <= i) continue;
      const auto& b = model.units[j];
      if (a.baunit == b.baunit) continue;
      const double dz = std::min(a.z_top, b.z_top) - std::max(a.z_bottom, b.z_bottom);
      if (dz <= tol) continue;
      if (overlap_depth_2d(a.outline, b.outline) * options.unit_m <= tol) continue;
      if (!reported.insert({std::min(a.baunit, b.baunit), std::max(a.baunit, b.baunit)}).second)
        continue;
      out.push_back(finding(
          ErrorCode::kUnitsOverlap, b.baunit,
          "units " + a.id + " and " + b.id + " occupy the same space (floor " +
              floor_label(a.floor) + ")",
          location_of(a.outline,
                      (std::max(a.z_bottom, b.z_bottom) + std::min(a.z_top, b.z_top)) / 2)));
    }
  }

  // 806 / 807 / 808: the legal side.
  std::map<std::string, Share> owned;
  std::set<std::string> parties_with_rights;
  for (const Right& r : model.rights) {
    // Every allocated ownership share in force counts towards 806, with or without a party;
    // 807 and 808 look at the whole history.
    const bool in_force = options.as_of.empty() ? r.current() : r.in_force_on(options.as_of);
    if (in_force && (r.type == "ownership" || r.type == "所有權")) owned[r.baunit] += r.share;
    if (r.party.empty()) {
      out.push_back(finding(ErrorCode::kRightWithoutParty, r.baunit,
                            "an " + r.type + " right of " + r.share.to_string() + " in " +
                                r.baunit + " has no party (" + r.source + ")"));
      continue;
    }
    parties_with_rights.insert(r.party);
  }
  for (const BAUnit& b : model.baunits) {
    if (b.generated) continue;
    auto it = owned.find(b.id);
    const Share total = it == owned.end() ? Share() : it->second;
    if (total != Share::whole())
      out.push_back(
          finding(ErrorCode::kSharesNotWhole, b.id,
                  "the ownership shares of " + b.id + " in force " +
                      (options.as_of.empty() ? std::string("now") : "on " + options.as_of) +
                      " sum to " + total.to_string() + ", not 1"));
  }
  for (const Party& p : model.parties)
    if (!parties_with_rights.count(p.id))
      out.push_back(finding(ErrorCode::kPartyWithoutRight, p.id,
                            "party " + p.id + " holds no right in any registered unit"));
  return out;
}

OwnershipModel generate_units(const std::map<std::string, BuildingBlock>& buildings,
                              const OwnershipOptions& options) {
  OwnershipModel model;
  for (const auto& [id, building] : buildings)
    for (int floor = 1; floor <= building.storeys; ++floor) {
      BAUnit b;
      b.id = id + "/F" + floor_label(floor);
      b.building = id;
      b.floors = {floor};
      b.kind = UnitKind::kMain;
      b.registered_area_m2 =
          static_cast<double>(bg::area(building.footprint)) * options.unit_m * options.unit_m;
      b.generated = true;
      b.source = "generated: storeys = round(height / " + fmt(options.storey_height) + " m)";
      model.baunits.push_back(std::move(b));
    }
  build_legal_spaces(model, buildings, options);
  return model;
}

}  // namespace strata::spatial
