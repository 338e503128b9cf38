#include "strata/core/crs_fit.h"

#include <algorithm>
#include <array>
#include <cstdio>

namespace strata {
namespace {

std::string fmt(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string box_text(const GeoBox& b) {
  return "lon " + fmt(b.west) + ".." + fmt(b.east) + ", lat " + fmt(b.south) + ".." + fmt(b.north);
}

// Checks that the extent, read in `crs`, lands inside the area of use of `area_crs` (with a
// margin of a fifth of the area's size, at least one degree: areas of use are not hard limits).
bool lands_inside(const Crs& crs, const Box2& extent, std::string* where,
                  const Crs* area_crs = nullptr) {
  auto area = (area_crs ? *area_crs : crs).area_of_use();
  if (!area) return true;  // nothing to compare against
  Transformer to_lonlat(crs, Crs::wgs84_lon_lat());
  double margin = std::max(1.0, 0.2 * std::max(area->east - area->west, area->north - area->south));
  const double x0 = extent.min_corner().x(), y0 = extent.min_corner().y();
  const double x1 = extent.max_corner().x(), y1 = extent.max_corner().y();
  const std::array<std::array<double, 2>, 5> probes = {
      {{x0, y0}, {x0, y1}, {x1, y0}, {x1, y1}, {(x0 + x1) / 2, (y0 + y1) / 2}}};
  GeoBox seen{1e9, 1e9, -1e9, -1e9};
  bool ok = true;
  for (auto [x, y] : probes) {
    if (crs.is_geographic() && (x < -180 || x > 180 || y < -90 || y > 90)) {
      ok = false;
      continue;
    }
    if (!to_lonlat.transform(x, y)) {
      ok = false;
      continue;
    }
    seen.west = std::min(seen.west, x);
    seen.east = std::max(seen.east, x);
    seen.south = std::min(seen.south, y);
    seen.north = std::max(seen.north, y);
    if (!area->contains(x, y, margin)) ok = false;
  }
  if (where) {
    *where = seen.west <= seen.east ? "the data lands at " + box_text(seen)
                                    : "the coordinates cannot be read in this CRS at all";
    *where += ", outside " + std::string(area_crs ? area_crs->label() + "'s" : "its") +
              " area of use (" + box_text(*area) + ")";
  }
  return ok;
}

}  // namespace

CrsFit check_crs_fit(const Crs& declared, const Box2& extent, const Crs& hint,
                     std::string_view role) {
  CrsFit fit;
  std::string where;
  if (lands_inside(declared, extent, &where)) return fit;
  fit.fits = false;
  fit.explanation = "the coordinates (x " + fmt(extent.min_corner().x()) + ".." +
                    fmt(extent.max_corner().x()) + ", y " + fmt(extent.min_corner().y()) + ".." +
                    fmt(extent.max_corner().y()) + ") do not fit the " + std::string(role) +
                    " CRS " + declared.label() + " (" + declared.name() + "): read in it, " + where;
  const bool looks_like_degrees = extent.min_corner().x() >= -180 &&
                                  extent.max_corner().x() <= 180 &&
                                  extent.min_corner().y() >= -90 && extent.max_corner().y() <= 90;
  if (looks_like_degrees && !declared.is_geographic()) {
    Crs lonlat = Crs::from_user_input("EPSG:4326");
    auto hint_area = hint.area_of_use();
    bool in_hint_area =
        !hint_area || (hint_area->contains(extent.min_corner().x(), extent.min_corner().y(), 1) &&
                       hint_area->contains(extent.max_corner().x(), extent.max_corner().y(), 1));
    if (in_hint_area && lands_inside(lonlat, extent, nullptr)) {
      fit.suggested = "EPSG:4326";
      fit.explanation += ". The values look like longitude/latitude degrees";
    }
  } else if (!hint.equivalent_to(declared) && lands_inside(hint, extent, nullptr)) {
    fit.suggested = hint.label();
    fit.explanation += ". The values fit " + hint.label() + " (" + hint.name() + ")";
  }
  return fit;
}

CrsFit check_within_area(const Crs& data_crs, const Box2& extent, const Crs& target) {
  CrsFit fit;
  std::string where;
  if (lands_inside(data_crs, extent, &where, &target)) return fit;
  fit.fits = false;
  fit.explanation = "read in " + data_crs.label() + " (" + data_crs.name() + "), " + where;
  return fit;
}

}  // namespace strata
