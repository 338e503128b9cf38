// ISO 37120:2018 21.3 (2014: 19.3): areal size of informal settlements as a percentage of the
// area.
#include "strata/core/indicator_catalogue.h"

namespace strata {

Indicator informal_settlements_indicator() {
  Indicator i;
  i.key = "informal_settlements";
  i.what = "informal settlements";
  i.measure = IndicatorMeasure::kArea;
  i.layer_kinds = {"green", "paving", "zoning", "parcel"};
  i.iso = {{"2018", "21.3"}, {"2014", "19.3"}};
  i.columns = {{"informal_settlement_m2"}, {"iso37120_21_3", false, 4, /*mapped=*/true}};
  i.definitions = {
      {"iso37120_21_3",
       "Areal size of informal settlements (illegal buildings) as a percentage of the area", "%",
       "21.3", "19.3", "100 × area of the union of (informal ∩ district) / district_area_m2"}};
  i.fill = [](const IndicatorInputs& in, IndicatorRowValues& row) {
    row.set("informal_settlement_m2", in.measured);
    if (in.zone_area_m2 > 0) row.set("iso37120_21_3", 100 * in.measured / in.zone_area_m2);
  };
  i.summary = "informal settlements {iso37120_21_3} %";
  return i;
}

}  // namespace strata
