#pragma once
// ISO 37120:2014 15.3, households without a registered legal title: the residential units of
// the 3D ownership model that `units build --save` wrote into the store (legal_space layers),
// each building number once, with whether a title is in force and where the unit lies.
// Definition: docs/indicators.md.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "strata/core/geometry.h"
#include "strata/io/project_file.h"
#include "strata/io/store.h"

namespace strata::spatial {

struct TitleRules {
  std::string as_of;                      // "YYYY-MM-DD"; empty = the current rights
  std::vector<std::string> title_rights;  // right types that are a title ("ownership", "所有權")
};

// Why a unit has no title, or nothing when it has one: a right of a title type, held by a
// party, with a share above 0, in force on `as_of` (without `as_of`: not ended). `rights` is
// the legal space's "rights" attribute as `units build` writes it.
std::optional<std::string> missing_title(const nlohmann::json& rights, const TitleRules& rules);

struct HouseholdUnit {
  std::string building_no;
  std::optional<Point2> location;  // a point inside the unit's outline (GEOS PointOnSurface)
  bool titled = false;
  std::string reason;  // why not titled
  bool generated = false;
};

struct HouseholdUnits {
  std::vector<HouseholdUnit> units;
  // Per selection: layer, field, values, legal spaces read, units selected; and the counts of
  // units without title by reason.
  nlohmann::json selections = nlohmann::json::array();
  nlohmann::json untitled_by_reason = nlohmann::json::object();
  std::int64_t other_kinds = 0;  // annexes and common parts: not households
};

// Reads the selected legal spaces; only main units (主建物) are households. A unit with legal
// spaces on several floors, or in several selections, counts once (first seen). Throws 960 on
// a layer that is not a legal_space layer or an attribute that is not JSON.
HouseholdUnits read_household_units(io::Store& store,
                                    const std::vector<io::LayerSelection>& selections,
                                    const TitleRules& rules);

}  // namespace strata::spatial
