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
  std::string explanation;              // why not, with numbers
  std::optional<std::string> suggested;  // a CRS under which the extent does fit, e.g. EPSG:4326
};

// `extent` is in the dataset's coordinates. `hint` is another CRS worth proposing when the
// declared one does not fit (normally the project CRS).
// `role` names where `declared` came from in the explanation ("declared", "overriding").
CrsFit check_crs_fit(const Crs& declared, const Box2& extent, const Crs& hint, std::string_view role = "declared");

}  // namespace strata
