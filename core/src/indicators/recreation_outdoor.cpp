// ISO 37120:2014 13.2: square metres of public outdoor recreation space per capita.
#include "strata/core/indicator_catalogue.h"

namespace strata {

Indicator recreation_outdoor_indicator() {
  Indicator i;
  i.key = "recreation_outdoor";
  i.what = "outdoor recreation space";
  i.measure = IndicatorMeasure::kArea;
  i.layer_kinds = {"green", "paving", "zoning", "parcel"};
  i.iso = {{"2014", "13.2"}};
  i.columns = {{"recreation_outdoor_m2"},
               {"recreation_outdoor_m2_per_capita", false, 4, /*mapped=*/true}};
  i.definitions = {{"recreation_outdoor_m2_per_capita",
                    "Square metres of public outdoor recreation space per capita", "m² per person",
                    "", "13.2",
                    "area of the union of (outdoor recreation polygons ∩ district) / population"}};
  i.fill = [](const IndicatorInputs& in, IndicatorRowValues& row) {
    row.set("recreation_outdoor_m2", in.measured);
    if (in.per_capita()) row.set("recreation_outdoor_m2_per_capita", in.measured / *in.population);
  };
  i.summary = "outdoor recreation {recreation_outdoor_m2_per_capita} m²/person";
  return i;
}

}  // namespace strata
