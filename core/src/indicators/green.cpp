// ISO 37120:2018 21.1 (2014: 19.1): green area (hectares) per 100 000 population.
#include "strata/core/indicator_catalogue.h"

namespace strata {

Indicator green_indicator() {
  Indicator i;
  i.key = "green";
  i.what = "green";
  i.measure = IndicatorMeasure::kArea;
  i.layer_kinds = {"green", "paving", "zoning", "parcel"};
  i.iso = {{"2018", "21.1"}, {"2014", "19.1"}};
  i.columns = {{"green_area_m2"},
               {"green_area_ha"},
               {"iso37120_21_1", false, 1, /*mapped=*/true, /*headline=*/true}};
  i.definitions = {{"iso37120_21_1", "Green area (hectares) per 100 000 population",
                    "ha per 100 000 population", "21.1", "19.1",
                    "area of the union of (green ∩ district) in ha / (population / 100 000)"}};
  i.fill = [](const IndicatorInputs& in, IndicatorRowValues& row) {
    row.set("green_area_m2", in.measured);
    row.set("green_area_ha", in.measured / 1e4);
    if (in.per_capita()) row.set("iso37120_21_1", (in.measured / 1e4) / (*in.population / 1e5));
  };
  i.summary = "green {green_area_ha} ha, 21.1 = {iso37120_21_1}";
  return i;
}

}  // namespace strata
