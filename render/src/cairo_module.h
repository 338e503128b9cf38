#pragma once
// The interface of libstrata_cairo.so (render/cairo/), strata's map drawing with Cairo and
// Pango, loaded the first time a map is drawn (core/lazy_module.h). The module does not throw
// across the boundary: it returns "" or what went wrong, and render_map() raises the error.
#include <optional>
#include <string>

#include "strata/render/map_document.h"

namespace strata::render {

inline constexpr int kCairoApiVersion = 1;

struct CairoApi {
  int version = 0;  // kCairoApiVersion of the module
  // Draws `map`, whose layers span `extent`, into the file `path` (PNG when `png`, else SVG) of
  // `width` x `height` pixels; fills the labels drawn and skipped and the scale bar of `result`.
  std::string (*draw_map)(const MapDocument& map, const std::optional<Box2>& extent,
                          const std::string& path, bool png, int width, int height,
                          MapRender& result) = nullptr;
};

}  // namespace strata::render
