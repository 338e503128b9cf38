// ISO 37120:2014 15.3: percentage of households that exist without registered legal titles,
// from the ownership model's registered main units (docs/indicators.md#households).
#include "strata/core/indicator_catalogue.h"

namespace strata {

Indicator households_indicator() {
  Indicator i;
  i.key = "households";
  i.what = "households (residential units)";
  i.measure = IndicatorMeasure::kUnits;
  i.iso = {{"2014", "15.3"}};
  i.parameters = {{"households_as_of", IndicatorParameter::Type::kDate, "a date YYYY-MM-DD", {}},
                  {"title_rights",
                   IndicatorParameter::Type::kTextList,
                   "a list of right types",
                   {"ownership", "所有權"}}};
  i.columns = {{"households", true, 0},
               {"households_without_title", true, 0},
               {"iso37120_15_3", false, 4, /*mapped=*/true}};
  i.definitions = {
      {"iso37120_15_3", "Percentage of households that exist without registered legal titles", "%",
       "", "15.3",
       "100 × households_without_title / households; a household is a registered main unit "
       "(主建物, one per building number) of the ownership model, in the first district covering "
       "a point inside its outline; it has a title when a right of a title type, held by a party "
       "with a share above 0, is in force"}};
  i.fill = [](const IndicatorInputs& in, IndicatorRowValues& row) {
    row.set("households", in.measured);
    row.set("households_without_title", in.untitled);
    if (in.measured > 0) row.set("iso37120_15_3", 100 * in.untitled / in.measured);
  };
  i.summary =
      "households {households}, without title {households_without_title} (15.3 = "
      "{iso37120_15_3} %)";
  return i;
}

}  // namespace strata
