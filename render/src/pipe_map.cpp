#include "strata/render/pipe_map.h"

#include <map>

#include "strata/io/vector_source.h"

namespace strata::render {
namespace {

// Findings carry their kind in a "kind" field (clash / clearance); other layers are one kind.
Rgba finding_colour(const std::string& kind, std::size_t n) {
  if (kind == "clash") return Rgba::hex(0xe31a1c);
  if (kind == "clearance") return Rgba::hex(0xff7f00);
  return category_colour(n + 5);  // brown first: not the red, orange or purple of the rest
}

// Every polygon of every layer of the datasets, drawn in `style`.
MapLayer polygon_layer(const std::string& name, const std::vector<std::string>& paths,
                       const MapFeature& style) {
  MapLayer layer{name, {}, false};
  for (const auto& path : paths)
    for (const auto& layer_name : io::vector_layer_names(path)) {
      auto source = io::open_vector_source({path, layer_name, {}, {}});
      io::SourceFeature f;
      while (source->next(f))
        if (f.polygons) {
          MapFeature mf = style;
          mf.polygons = *f.polygons;
          layer.features.push_back(std::move(mf));
        }
    }
  return layer;
}

}  // namespace

PipeMap build_pipe_map(const PipeMapSpec& spec) {
  PipeMap out;
  MapDocument& map = out.map;
  map.title = spec.title;
  map.subtitle = spec.subtitle;
  map.notes = spec.notes;
  map.metres_per_unit = spec.metres_per_unit;
  map.legend_title = "Pipes and findings";

  MapFeature context_style, area_style;
  context_style.fill = Rgba::hex(0xe0ddd8);
  context_style.stroke = Rgba::hex(0xa8a29a);
  context_style.stroke_px = 0.5;
  area_style.fill = Rgba::hex(0x9e9ac8, 0.35);
  area_style.stroke = Rgba::hex(0x54278f);
  area_style.stroke_px = 1.4;
  area_style.min_size_px = 10;
  MapLayer context = polygon_layer("context", spec.context, context_style);
  MapLayer areas = polygon_layer("areas", spec.areas, area_style);
  out.context = static_cast<int>(context.features.size());
  out.areas = static_cast<int>(areas.features.size());
  if (out.context > 0)
    map.legend.push_back({"buildings, parcels (context)", context_style.fill, LegendSymbol::kBox});
  if (out.areas > 0)
    map.legend.push_back({"area (dig, survey)", Rgba::hex(0x9e9ac8), LegendSymbol::kBox});
  map.layers.push_back(std::move(context));
  map.layers.push_back(std::move(areas));

  std::map<Utility, MapFeature> by_utility;  // one feature per utility: fewer, longer paths
  for (const PipeNetwork* network : spec.networks)
    for (const auto& link : network->links) {
      if (link.centreline.size() < 2) continue;
      auto& mf = by_utility[link.utility];
      Linestring2 line;
      for (const auto& p : link.centreline) line.emplace_back(p[0], p[1]);
      mf.lines.push_back(std::move(line));
      ++out.pipes_by_utility[std::string(utility_name(link.utility))];
    }
  MapLayer pipes{"pipes", {}, false};
  for (auto& [utility, mf] : by_utility) {
    mf.stroke = utility_colour(utility);
    mf.stroke_px = 2.2;
    map.legend.push_back(
        {std::string(utility_name(utility)) + " pipes  (" +
             std::to_string(out.pipes_by_utility[std::string(utility_name(utility))]) + ")",
         mf.stroke, LegendSymbol::kLine});
    pipes.features.push_back(std::move(mf));
  }
  map.layers.push_back(std::move(pipes));

  std::map<std::string, MapFeature> by_kind;
  std::vector<std::string> kinds_in_order;
  for (const auto& path : spec.findings) {
    for (const auto& name : io::vector_layer_names(path)) {
      auto source = io::open_vector_source({path, name, {}, {}});
      const int kind_at = source->field_index("kind");
      io::SourceFeature f;
      while (source->next(f)) {
        if (!f.points && !f.lines) continue;  // counted only when drawn
        std::string kind = name;
        if (kind_at >= 0)
          if (const auto* s =
                  std::get_if<std::string>(&f.values[static_cast<std::size_t>(kind_at)]))
            kind = *s;
        if (!by_kind.count(kind)) kinds_in_order.push_back(kind);
        auto& mf = by_kind[kind];
        if (f.points)
          for (const auto& p : *f.points) mf.points.push_back(p);
        if (f.lines)
          for (const auto& l : *f.lines) mf.lines.push_back(l);
        ++out.findings_by_kind[kind];
      }
    }
  }
  MapLayer findings{"findings", {}, false};
  for (std::size_t i = 0; i < kinds_in_order.size(); ++i) {
    auto& mf = by_kind[kinds_in_order[i]];
    mf.fill = finding_colour(kinds_in_order[i], i);
    mf.stroke = mf.lines.empty() ? Rgba::hex(0x222222) : mf.fill;
    mf.stroke_px = mf.lines.empty() ? 0.8 : 3.0;
    mf.marker_px = 4.5;
    map.legend.push_back(
        {kinds_in_order[i] + "  (" + std::to_string(out.findings_by_kind[kinds_in_order[i]]) + ")",
         mf.fill, mf.lines.empty() ? LegendSymbol::kPoint : LegendSymbol::kLine});
    findings.features.push_back(std::move(mf));
  }
  // With context or areas, the map shows them and the findings (pipes run on beyond the frame):
  // a kilometre of main would otherwise shrink the block it passes to a dot.
  if (out.context > 0 || out.areas > 0) {
    MapDocument around;
    around.layers = {map.layers[0], map.layers[1], findings};  // context, areas, findings
    map.focus = map_extent(around);
  }
  map.layers.push_back(std::move(findings));
  return out;
}

}  // namespace strata::render
