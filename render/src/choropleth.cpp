#include "strata/render/choropleth.h"

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "strata/core/error.h"
#include "strata/io/vector_source.h"

namespace strata::render {

std::string format_value(double value, double magnitude, int extra_decimals) {
  const double m = std::abs(magnitude);
  const int decimals = (m >= 1000 ? 0 : m >= 10 ? 1 : m >= 1 ? 2 : 3) + extra_decimals;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  // Group the integer part in thousands: 1234567.8 -> 1,234,567.8 (built anew rather than
  // with string::insert, which GCC 12 at -O2 flags with a false -Wrestrict).
  const std::string digits = buf;
  const std::size_t sign = digits[0] == '-' ? 1 : 0;
  const std::size_t dot = digits.find('.');
  const std::size_t end = dot == std::string::npos ? digits.size() : dot;
  std::string s = digits.substr(0, sign);
  for (std::size_t i = sign; i < end; ++i) {
    if (i > sign && (end - i) % 3 == 0) s += ',';
    s += digits[i];
  }
  s += digits.substr(end);
  return s;
}

namespace {

std::optional<double> numeric(const FieldValue& v) {
  if (const auto* d = std::get_if<double>(&v))
    return std::isfinite(*d) ? std::optional(*d) : std::nullopt;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  return std::nullopt;
}

std::string text_of(const FieldValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) return format_value(*d, *d);
  return "";
}

}  // namespace

Choropleth build_choropleth(const ChoroplethSpec& spec) {
  auto source = io::open_vector_source({spec.path, spec.layer, {}, {}});
  const std::string where = spec.path + (spec.layer.empty() ? "" : " layer " + spec.layer);
  const std::string short_where = std::filesystem::path(spec.path).filename().string() +
                                  (spec.layer.empty() ? "" : " layer " + spec.layer);
  auto field_at = [&](const std::string& name) {
    const int i = source->field_index(name);
    if (i < 0) {
      std::string names;
      for (const auto& f : source->fields()) names += (names.empty() ? "" : ", ") + f.name;
      throw StrataError(ErrorCode::kFieldMissing,
                        where + ": no field '" + name + "' (fields: " + names + ")");
    }
    return i;
  };
  const int value_at = field_at(spec.field);
  const auto type = source->fields()[static_cast<std::size_t>(value_at)].type;
  if (type != FieldType::kReal && type != FieldType::kInteger)
    throw StrataError(ErrorCode::kWrongInputParameters,
                      where + ": field '" + spec.field + "' is not numeric");
  const int label_at = spec.label_field.empty() ? -1 : field_at(spec.label_field);
  const int id_at = spec.id_field.empty() ? -1 : field_at(spec.id_field);

  Choropleth out;
  if (auto crs = source->declared_crs()) out.crs = crs->label();
  // A geographic layer is drawn equirectangular around its mean latitude, so shapes and the
  // scale bar stay right to within a percent over a city.
  const bool geographic = out.crs.empty() ? false : source->declared_crs()->is_geographic();
  std::vector<MapFeature> features;
  std::vector<double> values;
  io::SourceFeature f;
  double lat_sum = 0;
  std::size_t lat_n = 0;
  while (source->next(f)) {
    if (!f.polygons) continue;
    ChoroplethFeature cf;
    cf.label = label_at >= 0 ? text_of(f.values[static_cast<std::size_t>(label_at)]) : "";
    cf.id = id_at >= 0 ? text_of(f.values[static_cast<std::size_t>(id_at)])
                       : (cf.label.empty() ? "fid " + std::to_string(f.fid) : cf.label);
    cf.value = numeric(f.values[static_cast<std::size_t>(value_at)]);
    if (cf.value) values.push_back(*cf.value);
    MapFeature mf;
    mf.polygons = *f.polygons;
    mf.label = cf.label;
    if (geographic)
      for (const auto& poly : mf.polygons)
        for (const auto& p : poly.outer()) {
          lat_sum += p.y();
          ++lat_n;
        }
    features.push_back(std::move(mf));
    out.features.push_back(std::move(cf));
  }
  if (out.features.empty())
    throw StrataError(ErrorCode::kWrongInputParameters, where + ": holds no polygons to map");
  if (values.empty())
    throw StrataError(ErrorCode::kWrongInputParameters,
                      where + ": no feature has a value in '" + spec.field + "'");
  out.breaks = classify(values, spec.method, spec.classes, spec.fixed_breaks);
  const auto colours = sequential_palette(spec.palette, out.breaks.size());
  const Rgba no_data = Rgba::hex(0xd9d9d9);
  for (std::size_t i = 0; i < features.size(); ++i) {
    auto& cf = out.features[i];
    cf.cls = cf.value ? out.breaks.class_of(*cf.value) : -1;
    features[i].fill = cf.cls >= 0 ? colours[static_cast<std::size_t>(cf.cls)] : no_data;
    features[i].stroke = Rgba::hex(0x4d4d4d);
    if (!cf.value) ++out.without_value;
  }

  MapDocument& map = out.map;
  map.title = spec.title.empty() ? spec.field : spec.title;
  map.subtitle = spec.subtitle;
  map.legend_title = spec.legend_title.empty() ? spec.field : spec.legend_title;
  map.notes = spec.notes;
  const double magnitude =
      std::max(std::abs(out.breaks.lower.front()), std::abs(out.breaks.upper.back()));
  // Enough decimals that bounds which differ also read differently (0.0027 and 0.0034 are not
  // both "0.003"), up to four more than the magnitude gives.
  int extra = 0;
  for (; extra < 4; ++extra) {
    bool distinct = true;
    for (std::size_t k = 0; k < out.breaks.upper.size(); ++k)
      distinct = distinct && (out.breaks.lower[k] == out.breaks.upper[k] ||
                              format_value(out.breaks.lower[k], magnitude, extra) !=
                                  format_value(out.breaks.upper[k], magnitude, extra));
    if (distinct) break;
  }
  for (int c = 0; c < out.breaks.size(); ++c) {
    const auto k = static_cast<std::size_t>(c);
    // A class of one value shows that value, not "v – v".
    const std::string bounds = out.breaks.lower[k] == out.breaks.upper[k]
                                   ? format_value(out.breaks.upper[k], magnitude, extra)
                                   : format_value(out.breaks.lower[k], magnitude, extra) + " – " +
                                         format_value(out.breaks.upper[k], magnitude, extra);
    map.legend.push_back({bounds + "  (" + std::to_string(out.breaks.counts[k]) + ")", colours[k],
                          LegendSymbol::kBox});
  }
  if (out.without_value > 0)
    map.legend.push_back(
        {"no value  (" + std::to_string(out.without_value) + ")", no_data, LegendSymbol::kBox});
  if (geographic && lat_n > 0) {
    const double k = std::cos((lat_sum / static_cast<double>(lat_n)) * M_PI / 180.0);
    for (auto& mf : features)
      for (auto& poly : mf.polygons) {
        for (auto& p : poly.outer()) p.x(p.x() * k);
        for (auto& inner : poly.inners())
          for (auto& p : inner) p.x(p.x() * k);
      }
    map.metres_per_unit = 111320.0;
  } else if (!out.crs.empty()) {
    map.metres_per_unit = source->declared_crs()->linear_unit_m();
  } else {
    map.metres_per_unit = std::nullopt;  // unknown units: no scale bar rather than a wrong one
  }
  MapLayer layer;
  layer.name = spec.field;
  layer.features = std::move(features);
  layer.labels = label_at >= 0;
  map.layers.push_back(std::move(layer));
  map.notes.push_back("Classes: " + class_method_name(out.breaks.method) + ", " +
                      std::to_string(out.breaks.size()) + " classes. Data: " + short_where +
                      (out.crs.empty() ? "" : " (" + out.crs + ")") + ".");
  return out;
}

}  // namespace strata::render
