// ISO 37120:2014 13.1: square metres of public indoor recreation space per capita.
#include "strata/core/indicator_catalogue.h"

namespace strata {

Indicator recreation_indoor_indicator() {
  Indicator i;
  i.key = "recreation_indoor";
  i.what = "indoor recreation space";
  i.measure = IndicatorMeasure::kArea;
  i.layer_kinds = {"green", "paving", "zoning", "parcel"};
  i.iso = {{"2014", "13.1"}};
  i.columns = {{"recreation_indoor_m2"},
               {"recreation_indoor_m2_per_capita", false, 4, /*mapped=*/true}};
  i.definitions = {{"recreation_indoor_m2_per_capita",
                    "Square metres of public indoor recreation space per capita", "m² per person",
                    "", "13.1",
                    "area of the union of (indoor recreation polygons ∩ district) / population; "
                    "the polygons' plan area, so floors above the first are not counted"}};
  i.fill = [](const IndicatorInputs& in, IndicatorRowValues& row) {
    row.set("recreation_indoor_m2", in.measured);
    if (in.per_capita()) row.set("recreation_indoor_m2_per_capita", in.measured / *in.population);
  };
  i.summary = "indoor recreation {recreation_indoor_m2_per_capita} m²/person";
  return i;
}

}  // namespace strata
