#pragma once
// The legal side of the 3D building-ownership model, after ISO 19152 LADM (DESIGN §2):
// parties hold rights (RRR) with exact shares in basic administrative units (BAUnit, a
// registered building number 建號), whose spatial units are legal spaces (one volume per unit
// and storey) linked to the physical building, its parcels and its zone.
#include <optional>
#include <string>
#include <vector>

#include "strata/core/geometry.h"
#include "strata/core/share.h"

namespace strata {

// 主建物 main building, 附屬建物 annex (balcony, ...), 共有部分 common part.
enum class UnitKind { kMain, kAnnex, kCommon };
std::string_view unit_kind_name(UnitKind kind);                  // "main", "annex", "common"
std::optional<UnitKind> parse_unit_kind(std::string_view text);  // English or Chinese

// Personal data: names and identity numbers leave strata only with the bureau profile.
struct Party {
  std::string id;  // stable reference used in exports ("P-1" or the registry's own id)
  std::string name;
  std::string identity_number;
};

// A right (or restriction / responsibility) of a party in a BAUnit, with its exact share
// (權利範圍).
struct Right {
  std::string baunit;
  std::string party;  // Party::id; empty = a right without a party (808 family)
  std::string type = "ownership";
  Share share = Share::whole();
  std::string source;  // where it was read: "registry.csv:12"
  // Lifespan (LADM beginLifespanVersion / endLifespanVersion) as ISO dates "YYYY-MM-DD";
  // empty = open. A right is in force on day d when begin <= d < end.
  std::string valid_from, valid_to;
  bool in_force_on(const std::string& day) const {
    return (valid_from.empty() || valid_from <= day) && (valid_to.empty() || day < valid_to);
  }
  bool current() const { return valid_to.empty(); }
};

// True for "YYYY-MM-DD" with a plausible month and day.
bool is_iso_date(std::string_view text);

struct BAUnit {
  std::string id;  // the building number (建號)
  std::string address;
  std::string use;  // 主要用途 as registered (住家用, 商業用, ...): residential units for 15.3
  UnitKind kind = UnitKind::kMain;
  double registered_area_m2 = 0;
  std::vector<std::string> parcels;           // "<地段> <地號>" the building stands on
  std::string building;                       // physical building (footprint / city object) id
  std::vector<int> floors;                    // 層次: 1, 2, ...; basements -1 (B1), -2 (B2), ...
  std::optional<MultiPolygon2> unit_polygon;  // the unit's own outline, when registered
  bool generated = false;                     // derived by `units generate`, not registered
  std::string source;
};

// One storey of a physical building (CityGML/CityJSON BuildingStorey): the footprint between
// two heights. Storeys are derived from the building's storey count and the storey height
// (and from the basements its units are registered on); they are not registered themselves.
struct BuildingStorey {
  std::string id;  // "<building>/storey/<floor>" ("B1" for -1)
  std::string building;
  int floor = 1;
  double z_bottom = 0, z_top = 0;
};

// One legal space: a BAUnit on one storey, as a prism between two heights.
struct LegalSpaceBuildingUnit {
  std::string id;  // "<建號>/F<floor>" (B1 for -1)
  std::string baunit;
  std::string building;
  std::string storey;  // BuildingStorey::id; empty when the building has no such storey (805)
  int floor = 1;
  MultiPolygon2 outline;
  double z_bottom = 0, z_top = 0;
  bool generated = false;
};

struct OwnershipModel {
  std::vector<Party> parties;
  std::vector<BAUnit> baunits;
  std::vector<Right> rights;
  std::vector<LegalSpaceBuildingUnit> units;
  std::vector<BuildingStorey> storeys;
};

// "B1" -> -1, "1" -> 1, "地下一層"-style text is not parsed. Floor lists: "1", "1,2", "2-4",
// "B1", "B2-B1"; nothing when the text is not a floor list.
std::optional<std::vector<int>> parse_floors(std::string_view text);
std::string floor_label(int floor);  // 1 -> "1", -1 -> "B1"

}  // namespace strata
