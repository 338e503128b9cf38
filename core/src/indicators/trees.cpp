// ISO 37120:2018 21.2 (2014: 19.2): number of trees planted per 100 000 population.
#include "strata/core/indicator_catalogue.h"

namespace strata {

Indicator trees_indicator() {
  Indicator i;
  i.key = "trees";
  i.what = "trees planted";
  i.measure = IndicatorMeasure::kCount;
  i.layer_kinds = {"point_feature"};
  i.iso = {{"2018", "21.2"}, {"2014", "19.2"}};
  i.columns = {{"trees_planted", true, 0}, {"iso37120_21_2", false, 1, /*mapped=*/true}};
  i.definitions = {{"iso37120_21_2", "Number of trees planted per 100 000 population",
                    "trees per 100 000 population", "21.2", "19.2",
                    "points of the trees layers in the district (each point one tree; the year is "
                    "the selection's min/max) / (population / 100 000)"}};
  i.fill = [](const IndicatorInputs& in, IndicatorRowValues& row) {
    row.set("trees_planted", in.measured);
    if (in.per_capita()) row.set("iso37120_21_2", in.measured / (*in.population / 1e5));
  };
  i.summary = "trees {trees_planted} (21.2 = {iso37120_21_2})";
  return i;
}

}  // namespace strata
