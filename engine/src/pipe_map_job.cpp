// strata render pipes: pipe networks by utility with the analyses' findings, as PNG or SVG.
#include "strata/engine/pipe_map_job.h"

#include <sstream>

#include "strata/engine/render_job.h"
#include "strata/render/pipe_map.h"

namespace strata::engine {

JobResult run_render_pipes(const PipeMapOptions& a) {
  const PipeInputs in = load_pipe_inputs(a.networks, a.settings, true);
  render::PipeMapSpec spec;
  spec.title = a.title;
  spec.subtitle = a.subtitle;
  for (const auto& n : in.networks) spec.networks.push_back(&n.network);
  spec.findings = a.findings;
  spec.areas = a.areas;
  spec.context = a.context;
  spec.metres_per_unit = in.unit_m;
  if (in.crs) spec.notes.push_back("CRS: " + *in.crs + ". Pipes coloured by utility (APWA).");
  const auto m = render::build_pipe_map(spec);
  nlohmann::json result = {{"pipes_by_utility", m.pipes_by_utility},
                           {"context_polygons", m.context},
                           {"findings_by_kind", m.findings_by_kind},
                           {"areas", m.areas},
                           {"files", draw_map_files(m.map, a.outs, a.width, a.height)}};
  std::ostringstream text;
  for (const auto& [u, n] : m.pipes_by_utility) text << "  " << u << " pipes: " << n << "\n";
  for (const auto& [k, n] : m.findings_by_kind) text << "  " << k << ": " << n << "\n";
  for (const auto& f : result["files"]) text << "wrote " << f["path"].get<std::string>() << "\n";
  return JobResult("render pipes", std::move(result), text.str());
}

const OptionSchema<PipeMapOptions>& pipe_map_option_schema() {
  using P = PipeMapOptions;
  static const OptionSchema<P> schema = {
      option<P>(
          "findings", "findings GeoPackage of a pipe analysis (--gpkg output; repeatable)",
          [](P & p) -> auto& { return p.findings; }, OptionCheck::kExistingFile),
      option<P>(
          "areas", "polygons drawn under the pipes: digs, survey areas",
          [](P & p) -> auto& { return p.areas; }, OptionCheck::kExistingPath),
      option<P>(
          "context", "polygons drawn grey under everything: building footprints, parcels",
          [](P & p) -> auto& { return p.context; }, OptionCheck::kExistingPath),
      map_title_option<P>(),
      map_subtitle_option<P>(),
      map_outs_option<P>(),
      image_width_option<P>(),
      image_height_option<P>()};
  return schema;
}

}  // namespace strata::engine
