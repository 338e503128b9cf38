#pragma once
// The maps, 3D views and HTML report that `strata run` writes after its analyses and exports
// (outputs "maps" and "report", section [report]; docs/render.md).
#include <string>

#include <nlohmann/json.hpp>

#include "strata/engine/observer.h"
#include "strata/engine/pipe_inputs.h"
#include "strata/io/project_file.h"
#include "strata/io/store.h"

namespace strata::engine {

// Draws the maps (indicator choropleths per district and village, one map per pipe analysis)
// into <output>/maps, the 3D views into <output>/scenes (when the store holds 3D layers), and,
// with `html`, writes <output>/report.html. A map or view that fails is listed under "problems"
// (and shown in the report); it does not stop the others. `summary` is the run's summary so
// far; the pipe networks come through `cache` (read once per run). Says what it draws through
// `observer` and appends a line per file to `text`.
nlohmann::json write_project_report(const io::Project& project, io::Store* store,
                                    const nlohmann::json& summary, bool html, Observer& observer,
                                    InputCache* cache, std::string& text);

}  // namespace strata::engine
