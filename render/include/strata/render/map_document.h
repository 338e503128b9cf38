#pragma once
// A 2D map as data: styled layers of polygons, lines and points in one projected CRS, a title,
// a legend and notes. Choropleths and pipe maps build one; render_map() draws it.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "strata/core/geometry.h"
#include "strata/render/palette.h"

namespace strata::render {

struct MapFeature {
  MultiPolygon2 polygons;
  MultiLinestring2 lines;
  MultiPoint2 points;
  Rgba fill = Rgba::hex(0xdddddd), stroke = Rgba::hex(0x555555);
  double stroke_px = 0.6;  // outline or line width
  double marker_px = 0;    // point markers: radius (0: none)
  std::string label;       // drawn at the polygon's interior point (or the point / line middle)
  // Polygons smaller than this on the page (pixels across) are also circled with a ring of this
  // radius in the stroke colour, so a 5 m dig stays visible on a map of a district (0: never).
  double min_size_px = 0;
};

struct MapLayer {
  std::string name;
  std::vector<MapFeature> features;
  bool labels = false;  // draw the features' labels (skipped where they would overlap)
};

enum class LegendSymbol { kBox, kLine, kPoint };
struct LegendEntry {
  std::string label;
  Rgba colour;
  LegendSymbol symbol = LegendSymbol::kBox;
};

struct MapDocument {
  std::string title, subtitle;
  std::string legend_title;
  std::vector<LegendEntry> legend;
  std::vector<MapLayer> layers;    // drawn in order, first at the bottom
  std::vector<std::string> notes;  // source, provenance, CRS: small print under the map
  // Metres per map unit along x (the scale bar); nothing draws no scale bar (unknown units).
  std::optional<double> metres_per_unit = 1.0;
  bool north_arrow = true;  // grid north is up
  // The part of the map to show (widened by 8 %); nothing: everything the layers hold. What
  // lies outside is cut at the frame.
  std::optional<Box2> focus;
  std::string font = "Noto Sans CJK TC";  // fontconfig family; Traditional Chinese glyphs
};

struct MapRender {
  std::filesystem::path path;
  int width = 0, height = 0;
  int labels_drawn = 0, labels_skipped = 0;
  double scale_bar_m = 0;  // the length the scale bar shows
};

// Draws the map to `out`: PNG for ".png", SVG for ".svg" (StrataError 903 otherwise). Written
// to a temporary name and renamed, so a reader never sees half an image. Width and height in
// pixels (SVG: points).
MapRender render_map(const MapDocument& map, const std::filesystem::path& out, int width = 1400,
                     int height = 1000);

// The box of everything the map holds, or nothing when it is empty.
std::optional<Box2> map_extent(const MapDocument& map);

}  // namespace strata::render
