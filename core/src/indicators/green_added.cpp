// Green area added in a period (Taipei AP2.2): the period is the selection's min/max on a year
// field.
#include "strata/core/indicator_catalogue.h"

namespace strata {

Indicator green_added_indicator() {
  Indicator i;
  i.key = "green_added";
  i.what = "green added";
  i.measure = IndicatorMeasure::kArea;
  i.layer_kinds = {"green", "paving", "zoning", "parcel"};
  i.columns = {{"green_added_m2"}};
  i.definitions = {{"green_added_m2", "Green area added in the period (e.g. Taipei AP2.2)", "m²",
                    "", "",
                    "area of the union of (green_added polygons ∩ district); the period is the "
                    "selection's min/max on a year field"}};
  i.fill = [](const IndicatorInputs& in, IndicatorRowValues& row) {
    row.set("green_added_m2", in.measured);
  };
  i.summary = "green added {green_added_m2} m²";
  return i;
}

}  // namespace strata
