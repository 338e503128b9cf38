#pragma once
// A choropleth of one numeric field of a polygon layer (an indicator per district or village):
// classes, colours, labels and the legend, as a MapDocument.
#include <string>
#include <vector>

#include "strata/render/class_breaks.h"
#include "strata/render/map_document.h"

namespace strata::render {

struct ChoroplethSpec {
  std::string path, layer;  // any vector dataset GDAL reads; layer empty: its only/first one
  std::string field;        // the numeric field mapped
  std::string label_field;  // drawn on each polygon ("" none)
  std::string id_field;     // reported per feature ("" = the label, else the fid)
  ClassMethod method = ClassMethod::kQuantile;
  int classes = 5;
  std::vector<double> fixed_breaks;
  std::string palette = "YlGn";
  std::string title, subtitle, legend_title;
  std::vector<std::string> notes;
};

struct ChoroplethFeature {
  std::string id, label;
  std::optional<double> value;
  int cls = -1;  // -1: no value
};

struct Choropleth {
  MapDocument map;
  ClassBreaks breaks;
  std::vector<ChoroplethFeature> features;
  int without_value = 0;
  std::string crs;  // as the layer declares it
};

// Reads the layer and builds the map. Throws StrataError naming the file and field: 901 when it
// cannot be read, 920 when the field is missing, 903 when the field is not numeric, the layer
// holds no polygons or no feature has a value.
Choropleth build_choropleth(const ChoroplethSpec& spec);

// A value as the legend shows it: thousands grouped, decimals by magnitude (plus
// `extra_decimals`, where classes are narrower than that precision).
std::string format_value(double value, double magnitude, int extra_decimals = 0);

}  // namespace strata::render
