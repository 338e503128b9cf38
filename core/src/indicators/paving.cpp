// Permeable paving: area, share of the district and progress against the city's target
// (Taipei's sponge-city AP5.1).
#include "strata/core/indicator_catalogue.h"

namespace strata {

Indicator paving_indicator() {
  Indicator i;
  i.key = "paving";
  i.what = "permeable paving";
  i.measure = IndicatorMeasure::kArea;
  i.layer_kinds = {"green", "paving", "zoning", "parcel"};
  i.parameters = {{"paving_target_m2",
                   IndicatorParameter::Type::kPositiveNumber,
                   "a positive number of square metres",
                   {}}};
  i.columns = {{"permeable_paving_m2"},
               {"permeable_paving_share", false, 4, /*mapped=*/true, /*headline=*/true},
               {"paving_target_m2"},
               {"paving_target_progress", false, 4, /*mapped=*/false, /*headline=*/true}};
  i.definitions = {
      {"permeable_paving_m2", "Permeable paving area", "m²", "", "",
       "area of the union of (paving ∩ district), all paving layers together"},
      {"permeable_paving_share", "Permeable paving as a share of the district's area", "ratio", "",
       "", "permeable_paving_m2 / district_area_m2"},
      {"paving_target_progress", "Progress against the permeable paving target (city row)", "ratio",
       "", "", "city permeable_paving_m2 / paving_target_m2 (project file)"}};
  i.fill = [](const IndicatorInputs& in, IndicatorRowValues& row) {
    row.set("permeable_paving_m2", in.measured);
    if (in.zone_area_m2 > 0) row.set("permeable_paving_share", in.measured / in.zone_area_m2);
    const auto target = in.number("paving_target_m2");
    if (in.city && target) {
      row.set("paving_target_m2", *target);
      row.set("paving_target_progress", in.measured / *target);
    }
  };
  i.summary = "permeable paving {permeable_paving_m2} m²";
  i.city_summary =
      "permeable paving target {paving_target_m2} m²: progress {paving_target_progress}";
  return i;
}

}  // namespace strata
