// libstrata_cairo.so: strata's maps drawn with Cairo (PNG and SVG surfaces) and Pango (text
// shaping, so that Traditional Chinese labels come out right with a CJK font from fontconfig).
// A module of its own, loaded the first time a map is drawn (render/src/cairo_module.h): the
// thirty-odd libraries of Cairo, Pango, GLib, HarfBuzz and X11 are not loaded by a command
// that draws none. Headers of core and render only; it links Cairo and Pango alone.
#include <cairo-svg.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <boost/geometry.hpp>
#include <cmath>
#include <memory>

#include "../src/cairo_module.h"

namespace strata::render {
namespace bg = boost::geometry;

namespace {

// #rrggbb as a colour (render's Rgba::hex lives in the render library, not in this module).
Rgba hex(unsigned rgb) {
  return {((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0, (rgb & 0xff) / 255.0, 1.0};
}

// The page: title band on top, legend panel on the right, small print at the bottom, the map
// frame in between.
struct Layout {
  double width, height;
  double frame_x0, frame_y0, frame_x1, frame_y1;
  double legend_x;
};

Layout layout_for(int width, int height, bool has_legend) {
  Layout l{};
  l.width = width;
  l.height = height;
  const double legend_w = has_legend ? std::clamp(width * 0.26, 220.0, 380.0) : 0.0;
  l.frame_x0 = 24;
  l.frame_y0 = 92;
  l.frame_x1 = width - legend_w - 24;
  l.frame_y1 = height - 64;
  l.legend_x = l.frame_x1 + 24;
  return l;
}

// Map units -> page, y up, the extent fitted into the frame with a margin, aspect kept.
struct Transform {
  double scale = 1, x0 = 0, y0 = 0, ox = 0, oy = 0;
  double px(double x) const { return ox + (x - x0) * scale; }
  double py(double y) const { return oy - (y - y0) * scale; }
};

Transform fit(const Box2& extent, const Layout& l) {
  double minx = extent.min_corner().x(), miny = extent.min_corner().y();
  double w = extent.max_corner().x() - minx, h = extent.max_corner().y() - miny;
  if (w <= 0) w = 1;
  if (h <= 0) h = 1;
  const double fw = l.frame_x1 - l.frame_x0, fh = l.frame_y1 - l.frame_y0;
  Transform t;
  t.scale = 0.94 * std::min(fw / w, fh / h);
  t.x0 = minx;
  t.y0 = miny;
  t.ox = l.frame_x0 + (fw - w * t.scale) / 2;
  t.oy = l.frame_y1 - (fh - h * t.scale) / 2;
  return t;
}

void set_colour(cairo_t* cr, const Rgba& c) { cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a); }

struct TextBox {
  double x0, y0, x1, y1;
  bool overlaps(const TextBox& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};

class Text {
 public:
  Text(cairo_t* cr, const std::string& family) : cr_(cr), family_(family) {
    layout_.reset(pango_cairo_create_layout(cr));
  }
  // Size of the text at `size_px`.
  std::pair<double, double> measure(const std::string& text, double size_px, bool bold = false) {
    prepare(text, size_px, bold);
    int w = 0, h = 0;
    pango_layout_get_pixel_size(layout_.get(), &w, &h);
    return {w, h};
  }
  // Draws text with its top-left at (x, y) (anchor_x 0.5 centres it, 1 right-aligns); a white
  // halo keeps labels readable over any fill.
  TextBox draw(const std::string& text, double x, double y, double size_px, const Rgba& colour,
               bool bold = false, double anchor_x = 0, double anchor_y = 0, bool halo = false) {
    auto [w, h] = measure(text, size_px, bold);
    const double left = x - anchor_x * w, top = y - anchor_y * h;
    cairo_move_to(cr_, left, top);
    if (halo) {
      pango_cairo_layout_path(cr_, layout_.get());
      cairo_set_source_rgba(cr_, 1, 1, 1, 0.85);
      cairo_set_line_width(cr_, std::max(2.0, size_px / 4));
      cairo_set_line_join(cr_, CAIRO_LINE_JOIN_ROUND);
      cairo_stroke(cr_);
      cairo_move_to(cr_, left, top);
    }
    set_colour(cr_, colour);
    pango_cairo_show_layout(cr_, layout_.get());
    return {left, top, left + w, top + h};
  }

 private:
  void prepare(const std::string& text, double size_px, bool bold) {
    std::unique_ptr<PangoFontDescription, decltype(&pango_font_description_free)> font(
        pango_font_description_new(), pango_font_description_free);
    pango_font_description_set_family(font.get(), family_.c_str());
    pango_font_description_set_weight(font.get(), bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_absolute_size(font.get(), size_px * PANGO_SCALE);
    pango_layout_set_font_description(layout_.get(), font.get());
    pango_layout_set_text(layout_.get(), text.c_str(), -1);
  }
  struct Unref {
    void operator()(PangoLayout* p) const { g_object_unref(p); }
  };
  cairo_t* cr_;
  std::string family_;
  std::unique_ptr<PangoLayout, Unref> layout_;
};

void ring_path(cairo_t* cr, const Ring2& ring, const Transform& t) {
  bool first = true;
  for (const auto& p : ring) {
    if (first) {
      cairo_move_to(cr, t.px(p.x()), t.py(p.y()));
      first = false;
    } else {
      cairo_line_to(cr, t.px(p.x()), t.py(p.y()));
    }
  }
  cairo_close_path(cr);
}

// A point inside the polygon for its label: the centroid when it lies inside, else the middle of
// the widest stretch of the horizontal line through the centroid.
std::optional<Point2> label_point(const MultiPolygon2& mp) {
  const Polygon2* largest = nullptr;
  double best = -1;
  for (const auto& poly : mp) {
    const double a = std::abs(bg::area(poly));
    if (a > best) {
      best = a;
      largest = &poly;
    }
  }
  if (!largest) return std::nullopt;
  Point2 c;
  bg::centroid(*largest, c);
  if (bg::within(c, *largest)) return c;
  std::vector<double> xs;
  auto crossings = [&](const Ring2& ring) {
    for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
      const auto &a = ring[i], &b = ring[i + 1];
      if ((a.y() > c.y()) != (b.y() > c.y()))
        xs.push_back(a.x() + (c.y() - a.y()) * (b.x() - a.x()) / (b.y() - a.y()));
    }
  };
  crossings(largest->outer());
  for (const auto& inner : largest->inners()) crossings(inner);
  std::sort(xs.begin(), xs.end());
  double widest = -1;
  std::optional<Point2> best_point;
  for (std::size_t i = 0; i + 1 < xs.size(); i += 2)
    if (xs[i + 1] - xs[i] > widest) {
      widest = xs[i + 1] - xs[i];
      best_point = Point2((xs[i] + xs[i + 1]) / 2, c.y());
    }
  return best_point;
}

// 1, 2 or 5 times a power of ten, at most `max_m`.
double nice_length(double max_m) {
  const double p = std::pow(10.0, std::floor(std::log10(max_m)));
  for (double m : {5.0, 2.0, 1.0})
    if (m * p <= max_m) return m * p;
  return p;
}

std::string length_label(double m) {
  char buf[32];
  if (m >= 1000)
    std::snprintf(buf, sizeof buf, "%g km", m / 1000);
  else
    std::snprintf(buf, sizeof buf, "%g m", m);
  return buf;
}

double draw_scale_bar(cairo_t* cr, Text& text, const Layout& l, const Transform& t,
                      double metres_per_unit) {
  const double px_per_m = t.scale / metres_per_unit;
  const double length_m = nice_length((l.frame_x1 - l.frame_x0) * 0.25 / px_per_m);
  const double w = length_m * px_per_m, x = l.frame_x0 + 12, y = l.frame_y1 - 22, h = 7;
  for (int i = 0; i < 4; ++i) {
    cairo_rectangle(cr, x + i * w / 4, y, w / 4, h);
    cairo_set_source_rgb(cr, i % 2 ? 1 : 0.1, i % 2 ? 1 : 0.1, i % 2 ? 1 : 0.1);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
  }
  const Rgba ink = hex(0x222222);
  text.draw("0", x, y - 3, 12, ink, false, 0.5, 1, true);
  text.draw(length_label(length_m), x + w, y - 3, 12, ink, false, 0.5, 1, true);
  return length_m;
}

void draw_north_arrow(cairo_t* cr, Text& text, const Layout& l) {
  const double cx = l.frame_x1 - 34, top = l.frame_y0 + 30, h = 44, w = 16;
  cairo_move_to(cr, cx, top);
  cairo_line_to(cr, cx + w / 2, top + h);
  cairo_line_to(cr, cx, top + h * 0.72);
  cairo_close_path(cr);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  cairo_fill(cr);
  cairo_move_to(cr, cx, top);
  cairo_line_to(cr, cx - w / 2, top + h);
  cairo_line_to(cr, cx, top + h * 0.72);
  cairo_close_path(cr);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_fill_preserve(cr);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  cairo_set_line_width(cr, 1);
  cairo_stroke(cr);
  text.draw("N", cx, top - 4, 15, hex(0x111111), true, 0.5, 1, true);
}

void draw_legend(cairo_t* cr, Text& text, const MapDocument& map, const Layout& l) {
  if (map.legend.empty()) return;
  const Rgba ink = hex(0x222222);
  double y = l.frame_y0 + 8;
  if (!map.legend_title.empty()) {
    // Long titles wrap on words so they stay inside the panel.
    const double max_w = l.width - l.legend_x - 16;
    std::string line, word;
    std::vector<std::string> lines;
    for (std::size_t i = 0; i <= map.legend_title.size(); ++i) {
      const char ch = i < map.legend_title.size() ? map.legend_title[i] : ' ';
      if (ch == ' ') {
        const std::string candidate = line.empty() ? word : line + " " + word;
        if (!line.empty() && text.measure(candidate, 14, true).first > max_w) {
          lines.push_back(line);
          line = word;
        } else {
          line = candidate;
        }
        word.clear();
      } else {
        word += ch;
      }
    }
    if (!line.empty()) lines.push_back(line);
    for (const auto& ln : lines) y = text.draw(ln, l.legend_x, y, 14, ink, true).y1;
    y += 10;
  }
  for (const auto& e : map.legend) {
    const double sx = l.legend_x, sy = y + 2;
    switch (e.symbol) {
      case LegendSymbol::kBox:
        cairo_rectangle(cr, sx, sy, 26, 16);
        set_colour(cr, e.colour);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
        cairo_set_line_width(cr, 0.8);
        cairo_stroke(cr);
        break;
      case LegendSymbol::kLine:
        cairo_new_path(cr);
        cairo_move_to(cr, sx, sy + 8);
        cairo_line_to(cr, sx + 26, sy + 8);
        set_colour(cr, e.colour);
        cairo_set_line_width(cr, 4);
        cairo_stroke(cr);
        break;
      case LegendSymbol::kPoint:
        cairo_new_path(cr);  // the legend text left a current point: no line from it
        cairo_arc(cr, sx + 13, sy + 8, 6, 0, 2 * M_PI);
        set_colour(cr, e.colour);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
        cairo_set_line_width(cr, 1);
        cairo_stroke(cr);
        break;
    }
    y = std::max(y + 24, text.draw(e.label, sx + 36, sy - 1, 13, ink).y1 + 6);
  }
}

void draw_features(cairo_t* cr, const MapLayer& layer, const Transform& t) {
  for (const auto& f : layer.features) {
    cairo_new_path(cr);
    if (!f.polygons.empty()) {
      for (const auto& poly : f.polygons) {
        ring_path(cr, poly.outer(), t);
        for (const auto& inner : poly.inners()) ring_path(cr, inner, t);
      }
      cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
      set_colour(cr, f.fill);
      cairo_fill_preserve(cr);
      set_colour(cr, f.stroke);
      cairo_set_line_width(cr, f.stroke_px);
      cairo_stroke(cr);
      if (f.min_size_px > 0)
        for (const auto& poly : f.polygons) {
          Box2 b;
          bg::envelope(poly, b);
          const double w = (b.max_corner().x() - b.min_corner().x()) * t.scale,
                       h = (b.max_corner().y() - b.min_corner().y()) * t.scale;
          if (std::max(w, h) >= f.min_size_px) continue;
          const double cx = t.px((b.min_corner().x() + b.max_corner().x()) / 2),
                       cy = t.py((b.min_corner().y() + b.max_corner().y()) / 2);
          cairo_new_path(cr);
          cairo_arc(cr, cx, cy, f.min_size_px, 0, 2 * M_PI);
          set_colour(cr, f.stroke);
          cairo_set_line_width(cr, 2.5);
          cairo_stroke(cr);
        }
    }
    if (!f.lines.empty()) {
      for (const auto& line : f.lines) {
        bool first = true;
        for (const auto& p : line) {
          if (first)
            cairo_move_to(cr, t.px(p.x()), t.py(p.y()));
          else
            cairo_line_to(cr, t.px(p.x()), t.py(p.y()));
          first = false;
        }
      }
      set_colour(cr, f.stroke);
      cairo_set_line_width(cr, f.stroke_px);
      cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
      cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
      cairo_stroke(cr);
    }
    if (f.marker_px > 0)
      for (const auto& p : f.points) {
        cairo_new_sub_path(cr);
        cairo_arc(cr, t.px(p.x()), t.py(p.y()), f.marker_px, 0, 2 * M_PI);
        set_colour(cr, f.fill);
        cairo_fill_preserve(cr);
        set_colour(cr, f.stroke);
        cairo_set_line_width(cr, f.stroke_px);
        cairo_stroke(cr);
      }
  }
}

std::optional<Point2> anchor_of(const MapFeature& f) {
  if (!f.polygons.empty()) return label_point(f.polygons);
  if (!f.points.empty()) return f.points.front();
  if (!f.lines.empty() && !f.lines.front().empty())
    return f.lines.front()[f.lines.front().size() / 2];
  return std::nullopt;
}

void draw_page(cairo_t* cr, const MapDocument& map, const std::optional<Box2>& map_extent,
               const Layout& l, MapRender& result) {
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  Text text(cr, map.font);
  const Rgba ink = hex(0x111111);
  text.draw(map.title, 24, 16, 26, ink, true);
  if (!map.subtitle.empty()) text.draw(map.subtitle, 24, 54, 15, hex(0x444444));

  // Frame and clip: features outside the extent margin never spill onto the legend.
  cairo_rectangle(cr, l.frame_x0, l.frame_y0, l.frame_x1 - l.frame_x0, l.frame_y1 - l.frame_y0);
  cairo_set_source_rgb(cr, 0.97, 0.98, 0.99);
  cairo_fill_preserve(cr);
  cairo_save(cr);
  cairo_clip(cr);
  std::optional<Box2> extent = map_extent;
  if (map.focus) {
    Box2 f = *map.focus;
    // Widened by 8 %, and to at least a tenth of everything (a single finding would otherwise
    // zoom without limit).
    const double full = extent ? std::max(extent->max_corner().x() - extent->min_corner().x(),
                                          extent->max_corner().y() - extent->min_corner().y())
                               : 1.0;
    const double dx = std::max((f.max_corner().x() - f.min_corner().x()) * 0.08, full / 20),
                 dy = std::max((f.max_corner().y() - f.min_corner().y()) * 0.08, full / 20);
    extent = Box2(Point2(f.min_corner().x() - dx, f.min_corner().y() - dy),
                  Point2(f.max_corner().x() + dx, f.max_corner().y() + dy));
  }
  if (extent) {
    const Transform t = fit(*extent, l);
    for (const auto& layer : map.layers) draw_features(cr, layer, t);
    std::vector<TextBox> placed;
    for (const auto& layer : map.layers) {
      if (!layer.labels) continue;
      for (const auto& f : layer.features) {
        if (f.label.empty()) continue;
        const auto at = anchor_of(f);
        if (!at) continue;
        const double x = t.px(at->x()), y = t.py(at->y()), size = 13;
        auto [w, h] = text.measure(f.label, size);
        const TextBox box{x - w / 2, y - h / 2, x + w / 2, y + h / 2};
        if (std::any_of(placed.begin(), placed.end(),
                        [&](const TextBox& b) { return b.overlaps(box); })) {
          ++result.labels_skipped;
          continue;
        }
        placed.push_back(text.draw(f.label, x, y, size, ink, false, 0.5, 0.5, true));
        ++result.labels_drawn;
      }
    }
    if (map.metres_per_unit)
      result.scale_bar_m = draw_scale_bar(cr, text, l, t, *map.metres_per_unit);
  }
  cairo_restore(cr);
  cairo_rectangle(cr, l.frame_x0, l.frame_y0, l.frame_x1 - l.frame_x0, l.frame_y1 - l.frame_y0);
  cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
  cairo_set_line_width(cr, 1);
  cairo_stroke(cr);
  if (map.north_arrow) draw_north_arrow(cr, text, l);
  draw_legend(cr, text, map, l);
  double y = l.frame_y1 + 8;
  for (const auto& note : map.notes) y = text.draw(note, 24, y, 11, hex(0x555555)).y1 + 1;
}

struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextDeleter {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};

// Draws the map into `path` (the caller's temporary file); "" or what went wrong.
std::string draw_map(const MapDocument& map, const std::optional<Box2>& extent,
                     const std::string& path, bool png, int width, int height, MapRender& result) {
  const Layout l = layout_for(width, height, !map.legend.empty());
  std::unique_ptr<cairo_surface_t, SurfaceDeleter> surface(
      png ? cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height)
          : cairo_svg_surface_create(path.c_str(), width, height));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS)
    return std::string("cannot create the surface: ") +
           cairo_status_to_string(cairo_surface_status(surface.get()));
  {
    std::unique_ptr<cairo_t, ContextDeleter> cr(cairo_create(surface.get()));
    draw_page(cr.get(), map, extent, l, result);
  }
  cairo_status_t status = CAIRO_STATUS_SUCCESS;
  if (png) {
    status = cairo_surface_write_to_png(surface.get(), path.c_str());
  } else {
    cairo_surface_finish(surface.get());
    status = cairo_surface_status(surface.get());
  }
  if (status != CAIRO_STATUS_SUCCESS) return cairo_status_to_string(status);
  return "";
}

}  // namespace

}  // namespace strata::render

extern "C" __attribute__((visibility("default"))) const strata::render::CairoApi*
strata_cairo_api() {
  static const strata::render::CairoApi api{strata::render::kCairoApiVersion,
                                            &strata::render::draw_map};
  return &api;
}
