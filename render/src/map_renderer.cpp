// Draws a MapDocument through strata's Cairo module (render/cairo/, loaded on the first map):
// the checks, the extent and the all-or-nothing write are here, the drawing is there.
#include <boost/geometry.hpp>

#include "cairo_module.h"
#include "strata/core/atomic_file.h"
#include "strata/core/error.h"
#include "strata/core/lazy_module.h"
#include "strata/render/map_document.h"

namespace strata::render {
namespace bg = boost::geometry;

std::optional<Box2> map_extent(const MapDocument& map) {
  std::optional<Box2> box;
  auto add = [&](const auto& geometry) {
    if (bg::is_empty(geometry)) return;
    Box2 b;
    bg::envelope(geometry, b);
    if (!box) {
      box = b;
    } else {
      bg::expand(*box, b);
    }
  };
  for (const auto& layer : map.layers)
    for (const auto& f : layer.features) {
      add(f.polygons);
      add(f.lines);
      add(f.points);
    }
  return box;
}

namespace {

const CairoApi& cairo_api() {
  static LazyModule module("libstrata_cairo.so", "strata's map drawing module",
                           "STRATA_CAIRO_MODULE", STRATA_CAIRO_BUILD_MODULE,
                           STRATA_CAIRO_INSTALLED_MODULE);
  static const CairoApi* api = [] {
    auto get = reinterpret_cast<const CairoApi* (*)()>(module.symbol("strata_cairo_api"));
    const CairoApi* a = get();
    if (!a || a->version != kCairoApiVersion)
      throw StrataError(ErrorCode::kInternal,
                        "libstrata_cairo.so is of another strata version (interface " +
                            std::to_string(a ? a->version : 0) + ", this strata needs " +
                            std::to_string(kCairoApiVersion) + ")");
    return a;
  }();
  return *api;
}

}  // namespace

MapRender render_map(const MapDocument& map, const std::filesystem::path& out, int width,
                     int height) {
  const auto ext = out.extension().string();
  if (ext != ".png" && ext != ".svg")
    throw StrataError(ErrorCode::kWrongInputParameters,
                      out.string() + ": a map is written as .png or .svg, not '" + ext + "'");
  if (width < 300 || height < 240 || width > 20000 || height > 20000)
    throw StrataError(ErrorCode::kWrongInputParameters, "map size " + std::to_string(width) + "x" +
                                                            std::to_string(height) +
                                                            " is outside 300x240 .. 20000x20000");
  const CairoApi& cairo = cairo_api();
  MapRender result;
  result.path = out;
  result.width = width;
  result.height = height;
  const std::optional<Box2> extent = map_extent(map);
  // Written whole or not at all (core/atomic_file.h): no half-written map stays behind.
  replace_file_atomically(
      out,
      [&](const std::filesystem::path& tmp) {
        const std::string problem =
            cairo.draw_map(map, extent, tmp.string(), ext == ".png", width, height, result);
        if (!problem.empty())
          throw StrataError(ErrorCode::kRenderFailed,
                            "cannot write " + out.string() + ": " + problem);
      },
      ErrorCode::kRenderFailed);
  return result;
}

}  // namespace strata::render
