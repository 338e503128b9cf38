#pragma once
// Does a dataset's extent fit the CRS it declares? Catches the classic labelling error of
// lon/lat degrees declared as a projected CRS (or metres declared as lon/lat).
#include <optional>
#include <string>
#include <string_view>

#include "strata/core/crs.h"

namespace strata {

struct CrsFit {
  bool fits = true;
  std::string explanation;               // why not, with numbers
  std::optional<std::string> suggested;  // a CRS under which the extent does fit, e.g. EPSG:4326
};

// `extent` is in the dataset's coordinates. `hint` is another CRS worth proposing when the
// declared one does not fit (normally the project CRS).
// `role` names where `declared` came from in the explanation ("declared", "overriding").
CrsFit check_crs_fit(const Crs& declared, const Box2& extent, const Crs& hint,
                     std::string_view role = "declared");

// Does the extent (in `data_crs`) lie in the area of use of `target` (normally the project CRS)?
// Catches a label that fits its own CRS but puts the data somewhere else in the world.
CrsFit check_within_area(const Crs& data_crs, const Box2& extent, const Crs& target);

}  // namespace strata
