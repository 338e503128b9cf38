// QML is QGIS's own XML style format; no library writes it, so it is assembled here from the
// few elements a renderer needs (QGIS 3.x reads <Option type="Map"> symbol properties).
#include "qgis_styles.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "strata/io/text_cells.h"

namespace strata::plugins {
namespace {

std::string xml_escape(const std::string& s) { return io::html_escape(s); }

struct Paint {
  std::string fill = "190,190,190,255";
  std::string stroke = "60,60,60,255";
  double width = 0.26;  // mm
  bool no_fill = false;
  std::string stroke_style = "solid";
};

std::string option(const std::string& name, const std::string& value) {
  return "<Option type=\"QString\" name=\"" + name + "\" value=\"" + xml_escape(value) + "\"/>";
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

// A class bound as QGIS must read it back: the shortest text that round-trips to the same double
// (10 digits put the greatest value above the top bound, and its feature in no class).
std::string exact_number(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : number(v);
}

// One <symbol> of the layer's geometry type.
std::string symbol(GeometryKind kind, const std::string& name, const Paint& p) {
  std::ostringstream s;
  if (kind == GeometryKind::kLines) {
    s << "<symbol type=\"line\" name=\"" << name << "\" alpha=\"1\" clip_to_extent=\"1\" "
      << "force_rhr=\"0\"><layer class=\"SimpleLine\" pass=\"0\" locked=\"0\" enabled=\"1\">"
      << "<Option type=\"Map\">" << option("line_color", p.stroke)
      << option("line_width", number(p.width)) << option("line_width_unit", "MM")
      << option("line_style", p.stroke_style) << option("capstyle", "round")
      << option("joinstyle", "round") << "</Option></layer></symbol>";
  } else if (kind == GeometryKind::kPoints) {
    s << "<symbol type=\"marker\" name=\"" << name << "\" alpha=\"1\" clip_to_extent=\"1\" "
      << "force_rhr=\"0\"><layer class=\"SimpleMarker\" pass=\"0\" locked=\"0\" enabled=\"1\">"
      << "<Option type=\"Map\">" << option("name", "circle") << option("color", p.fill)
      << option("outline_color", p.stroke) << option("outline_width", number(p.width))
      << option("size", "2.6") << option("size_unit", "MM") << "</Option></layer></symbol>";
  } else {
    s << "<symbol type=\"fill\" name=\"" << name << "\" alpha=\"1\" clip_to_extent=\"1\" "
      << "force_rhr=\"0\"><layer class=\"SimpleFill\" pass=\"0\" locked=\"0\" enabled=\"1\">"
      << "<Option type=\"Map\">" << option("color", p.fill)
      << option("style", p.no_fill ? "no" : "solid") << option("outline_color", p.stroke)
      << option("outline_style", p.stroke_style) << option("outline_width", number(p.width))
      << option("outline_width_unit", "MM") << "</Option></layer></symbol>";
  }
  return s.str();
}

std::string wrap(const std::string& renderer) {
  return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
         "<qgis version=\"3.22.16-Białowieża\" styleCategories=\"Symbology\">\n" +
         renderer + "\n</qgis>\n";
}

QgisStyle single(const ExportLayer& layer, const Paint& paint, const std::string& what) {
  QgisStyle s;
  s.renderer = "singleSymbol";
  s.name = "strata " + std::string(feature_class_name(layer.feature_class));
  s.description = what;
  s.qml = wrap(
      "<renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" "
      "forceraster=\"0\"><symbols>" +
      symbol(layer.geometry, "0", paint) + "</symbols></renderer-v2>");
  return s;
}

std::string text_of(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

QgisStyle categorised(const ExportLayer& layer, const std::string& field,
                      const std::map<std::string, std::string>& fixed, Paint base,
                      const std::string& what) {
  static const std::vector<std::string> palette = {
      "141,211,199,255", "255,255,179,255", "190,186,218,255", "251,128,114,255",
      "128,177,211,255", "253,180,98,255",  "179,222,105,255", "252,205,229,255",
      "188,128,189,255", "204,235,197,255", "255,237,111,255", "217,217,217,255"};
  std::set<std::string> values;
  for (const auto& f : layer.features)
    if (auto it = f.attributes.find(field); it != f.attributes.end() && !it->is_null())
      values.insert(text_of(*it));
  std::ostringstream categories, symbols;
  int i = 0;
  for (const auto& v : values) {
    Paint p = base;
    auto known = fixed.find(v);
    const std::string colour = known != fixed.end()
                                   ? known->second
                                   : palette[static_cast<std::size_t>(i) % palette.size()];
    if (layer.geometry == GeometryKind::kLines)
      p.stroke = colour;
    else
      p.fill = colour;
    categories << "<category render=\"true\" symbol=\"" << i << "\" value=\"" << xml_escape(v)
               << "\" label=\"" << xml_escape(v) << "\" type=\"string\"/>";
    symbols << symbol(layer.geometry, std::to_string(i), p);
    ++i;
  }
  QgisStyle s;
  s.renderer = "categorizedSymbol";
  s.name = "strata " + std::string(feature_class_name(layer.feature_class)) + " by " + field;
  s.description = what;
  s.qml = wrap("<renderer-v2 type=\"categorizedSymbol\" attr=\"" + xml_escape(field) +
               "\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\"><categories>" +
               categories.str() + "</categories><symbols>" + symbols.str() +
               "</symbols></renderer-v2>");
  return s;
}

// Quantile classes (up to 5) of a numeric field, coloured from light to dark green.
QgisStyle graduated(const ExportLayer& layer, const std::string& field, const std::string& what) {
  static const std::vector<std::string> ramp = {"237,248,233,255", "186,228,179,255",
                                                "116,196,118,255", "49,163,84,255", "0,109,44,255"};
  std::vector<double> v;
  for (const auto& f : layer.features)
    if (auto it = f.attributes.find(field); it != f.attributes.end() && it->is_number())
      v.push_back(it->get<double>());
  std::sort(v.begin(), v.end());
  // Quantile classes that never collapse on ties (a third of the villages with no green at all
  // made one class of them and one of everything else): each class takes its share of the values
  // still unclassed, but leaves at least one distinct value for each class after it.
  std::vector<double> breaks;
  if (!v.empty()) {
    std::vector<double> distinct = v;
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    const std::size_t classes = std::min<std::size_t>(5, distinct.size());
    breaks.push_back(v.front());
    std::size_t start = 0;  // the first value not yet in a class
    for (std::size_t k = 0; k < classes && start < v.size(); ++k) {
      const std::size_t left = classes - k, remaining = v.size() - start;
      double q = v[start + (remaining + left - 1) / left - 1];
      q = std::min(q, distinct[distinct.size() - left]);
      breaks.push_back(q);
      start = static_cast<std::size_t>(std::upper_bound(v.begin(), v.end(), q) - v.begin());
    }
  }
  std::ostringstream ranges, symbols;
  for (std::size_t k = 0; k + 1 < breaks.size(); ++k) {
    Paint p;
    p.fill = ramp[std::min(ramp.size() - 1, k * ramp.size() / (breaks.size() - 1))];
    ranges << "<range render=\"true\" symbol=\"" << k << "\" lower=\"" << exact_number(breaks[k])
           << "\" upper=\"" << exact_number(breaks[k + 1]) << "\" label=\"" << number(breaks[k])
           << " – " << number(breaks[k + 1]) << "\"/>";
    symbols << symbol(layer.geometry, std::to_string(k), p);
  }
  QgisStyle s;
  s.renderer = "graduatedSymbol";
  s.name = "strata indicator " + field;
  s.description = what;
  s.qml = wrap("<renderer-v2 type=\"graduatedSymbol\" attr=\"" + xml_escape(field) +
               "\" graduatedMethod=\"GraduatedColor\" symbollevels=\"0\" enableorderby=\"0\" "
               "forceraster=\"0\"><ranges>" +
               ranges.str() + "</ranges><symbols>" + symbols.str() + "</symbols></renderer-v2>");
  return s;
}

bool has_field(const ExportLayer& layer, const std::string& field) {
  return std::any_of(layer.features.begin(), layer.features.end(), [&](const ExportFeature& f) {
    auto it = f.attributes.find(field);
    return it != f.attributes.end() && !it->is_null();
  });
}

}  // namespace

QgisStyle qgis_style_for(const ExportLayer& layer) {
  Paint p;
  switch (layer.feature_class) {
    case FeatureClass::kDistrict:
      p.no_fill = true, p.stroke = "40,40,40,255", p.width = 0.8;
      return single(layer, p, "district boundaries");
    case FeatureClass::kVillage:
      p.no_fill = true, p.stroke = "110,110,110,255", p.width = 0.3, p.stroke_style = "dash";
      return single(layer, p, "village boundaries");
    case FeatureClass::kZone:
      if (has_field(layer, "zone_class"))
        return categorised(layer, "zone_class", {}, p, "zoning units by zone class");
      return categorised(layer, "zone_code", {}, p, "zoning units by zone code");
    case FeatureClass::kParcel:
      p.fill = "245,235,205,255", p.stroke = "140,100,60,255";
      return single(layer, p, "parcels");
    case FeatureClass::kGreen:
      p.fill = "120,190,100,255", p.stroke = "40,110,40,255";
      return single(layer, p, "green space");
    case FeatureClass::kPaving:
      p.fill = "150,180,210,255", p.stroke = "70,100,140,255";
      return single(layer, p, "permeable paving");
    case FeatureClass::kBuilding:
      p.fill = "200,200,200,255", p.stroke = "90,90,90,255";
      return single(layer, p, "buildings (3D volumes, drawn by their faces)");
    case FeatureClass::kBuildingStorey:
      p.fill = "225,225,225,255", p.stroke = "120,120,120,255";
      return single(layer, p, "building storeys");
    case FeatureClass::kBuildingUnit:
      return categorised(
          layer, "unit_kind",
          {{"main", "251,128,114,255"}, {"annex", "253,180,98,255"}, {"common", "128,177,211,255"}},
          p, "legal spaces of registered units by unit kind");
    case FeatureClass::kPipe:
      p.width = 0.8;
      // APWA uniform colour code for marking underground utilities.
      return categorised(layer, "utility",
                         {{"water", "0,90,200,255"},
                          {"sewer", "0,150,60,255"},
                          {"storm", "0,180,120,255"},
                          {"gas", "230,190,0,255"},
                          {"petroleum", "230,150,0,255"},
                          {"power", "220,30,30,255"},
                          {"telecom", "255,120,0,255"},
                          {"heating", "160,60,160,255"}},
                         p, "pipes by utility (APWA colours)");
    case FeatureClass::kIndicator: {
      std::string field;
      for (const auto& f : layer.features) {
        for (const auto& [k, v] : f.attributes.items())
          if (k.rfind("iso37120_", 0) == 0 && v.is_number()) {
            field = k;
            break;
          }
        if (!field.empty()) break;
      }
      if (field.empty() && !layer.features.empty())
        for (const auto& [k, v] : layer.features.front().attributes.items())
          if (v.is_number_float()) {
            field = k;
            break;
          }
      if (!field.empty()) return graduated(layer, field, "indicator " + field + ", quantiles");
      return single(layer, p, "indicator areas");
    }
    case FeatureClass::kFinding:
      p.fill = "230,30,30,255", p.stroke = "120,0,0,255", p.width = 0.4;
      if (layer.geometry == GeometryKind::kLines) p.stroke = "230,30,30,255", p.width = 0.8;
      return single(layer, p, "findings");
    default:
      return single(layer, p, "features");
  }
}

}  // namespace strata::plugins
