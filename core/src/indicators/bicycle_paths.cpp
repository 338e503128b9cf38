// ISO 37120:2014 18.7: kilometres of bicycle paths and lanes per 100 000 population.
#include "strata/core/indicator_catalogue.h"

namespace strata {

Indicator bicycle_paths_indicator() {
  Indicator i;
  i.key = "bicycle_paths";
  i.what = "bicycle paths";
  i.measure = IndicatorMeasure::kLength;
  i.layer_kinds = {"line_feature"};
  i.iso = {{"2014", "18.7"}};
  i.columns = {{"bicycle_path_km"}, {"bicycle_path_km_per_100k"}};
  i.definitions = {{"bicycle_path_km_per_100k",
                    "Kilometres of bicycle paths and lanes per 100 000 population",
                    "km per 100 000 population", "", "18.7",
                    "length of the union of (bicycle path lines ∩ district) in km / (population / "
                    "100 000)"}};
  i.fill = [](const IndicatorInputs& in, IndicatorRowValues& row) {
    row.set("bicycle_path_km", in.measured / 1e3);
    if (in.per_capita())
      row.set("bicycle_path_km_per_100k", (in.measured / 1e3) / (*in.population / 1e5));
  };
  i.summary = "bicycle paths {bicycle_path_km} km ({bicycle_path_km_per_100k} per 100 000)";
  return i;
}

}  // namespace strata
