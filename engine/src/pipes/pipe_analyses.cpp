#include "strata/engine/pipe_analyses.h"

namespace strata::engine {

// Each defined in its own file of this folder.
PipeAnalysis clearance_analysis();
PipeAnalysis excavation_analysis();
PipeAnalysis detection_analysis();
PipeAnalysis cover_analysis();
PipeAnalysis isolate_analysis();
PipeAnalysis buildings_analysis();
PipeAnalysis parcels_analysis();

const std::vector<PipeAnalysis>& pipe_analyses() {
  // The order of `strata pipes --help`.
  static const std::vector<PipeAnalysis> all = {
      clearance_analysis(), excavation_analysis(), detection_analysis(), cover_analysis(),
      isolate_analysis(),   buildings_analysis(),  parcels_analysis()};
  return all;
}

const PipeAnalysis* find_pipe_analysis(const std::string& kind) {
  for (const auto& a : pipe_analyses())
    if (a.kind == kind) return &a;
  return nullptr;
}

}  // namespace strata::engine
