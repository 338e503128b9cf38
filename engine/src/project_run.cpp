// A project run in one process: import, analyses, outputs, exports, maps and the report, each
// stage handed the results of the ones before it in memory (docs/ARCHITECTURE.md, "A run").
#include "strata/engine/project_run.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <sstream>

#include "strata/core/atomic_file.h"
#include "strata/core/clock.h"
#include "strata/engine/export_job.h"
#include "strata/engine/indicators_job.h"
#include "strata/engine/project_pipes.h"
#include "strata/engine/report_job.h"
#include "strata/engine/store_access.h"
#include "strata/engine/units_job.h"
#include "strata/engine/version.h"
#include "strata/io/issues_csv.h"
#include "strata/io/vector_read_cache.h"
#include "strata/spatial/population_by_district.h"

namespace strata::engine {
namespace {

// "  villages: 456/456 imported (2 repaired, 0 rejected)" per layer, then the failures.
std::string layer_lines(const io::ProjectImport& imported, const char* verb) {
  std::ostringstream text;
  for (const auto& li : imported.layers) {
    const auto& p = li.provenance;
    text << "  " << p.layer << ": " << p.features_imported + p.features_repaired << "/"
         << p.features_read << " " << verb << " (" << p.features_repaired << " repaired, "
         << p.features_rejected << " rejected)";
    if (li.dissolve)
      text << ", dissolved by " << li.dissolve->field << " into " << li.dissolve->merged;
    text << "\n";
  }
  for (const auto& f : imported.failures)
    text << "  FAILED " << f.layer << ": " << f.message << "\n";
  return text.str();
}

bool wants(const io::Project& project, const char* output) {
  return std::find(project.outputs.begin(), project.outputs.end(), output) != project.outputs.end();
}

}  // namespace

RunResult run_project(const std::filesystem::path& project_file, const RunOptions& options,
                      Observer& observer) {
  return run_project(io::load_project(project_file), options, observer);
}

RunResult run_project(const io::Project& project, const RunOptions& options, Observer& observer) {
  const auto started = std::chrono::steady_clock::now();
  // Each input layer parsed once: the units, the analyses and the maps that read the same file
  // get it from memory (io/vector_read_cache.h).
  io::VectorReadCache reads;
  RunResult run_result;
  nlohmann::json& summary = run_result.summary;
  summary = {{"strata_version", version()}, {"started_at", utc_now_iso8601()}};
  check_project_pipes(project);  // option mistakes before anything is imported
  check_project_units(project);
  summary["project"] = {{"name", project.name},
                        {"file", project.file.string()},
                        {"crs", project.crs},
                        {"store", project.store.string()},
                        {"output", project.output.string()}};
  if (!options.dry_run) {
    // The outputs must be writable before anything is imported, not discovered after.
    std::error_code ec;
    std::filesystem::create_directories(project.output, ec);
    if (ec || !std::filesystem::is_directory(project.output) ||
        ::access(project.output.c_str(), W_OK) != 0)
      throw StrataError(ErrorCode::kProjectFile,
                        project.file.string() + ": output folder " + project.output.string() +
                            " cannot be created" +
                            (ec ? " (" + ec.message() + ")" : " (a file is in the way)"));
  }
  const bool wants_report = wants(project, "report");
  const bool wants_maps = wants_report || wants(project, "maps");
  const int stages = 1 + static_cast<int>(project.analyses.size()) + 1 +
                     (project.exports.empty() ? 0 : 1) + (wants_maps ? 1 : 0);
  int stage_no = 0;
  // Cancelled before a stage starts (also when the observer says so on hearing of it): what
  // earlier stages committed stays, nothing of this stage is written.
  auto stage = [&](const std::string& name) {
    if (!observer.cancelled() && !options.dry_run) observer.stage(++stage_no, stages, name);
    if (observer.cancelled())
      throw StrataError(ErrorCode::kCancelled, "the run was cancelled before stage " + name);
  };
  stage("import");
  ImportRun run =
      run_import(project, {{}, options.keep_going, options.dry_run}, observer.progress_fn());
  const io::ProjectImport& imported = run.result;
  io::Store* store = run.store.get();  // null when nothing was written
  summary["import"] = imported.summary();
  for (const auto& f : imported.failures)
    run_result.import_errors.push_back("error " + std::to_string(static_cast<int>(f.code)) + " " +
                                       std::string(error_name(f.code)) + ": " + f.message);
  run_result.rejected_or_warned = imported.rejected_or_warned();
  if (!imported.failures.empty()) {
    run_result.failure = imported.failures.front().code;
    run_result.failed = RunResult::Failed::kImport;
  }
  if (options.dry_run) {
    summary["dry_run"] = true;
    summary["ok"] = imported.failures.empty();
    run_result.ok = imported.failures.empty();
    run_result.text = "dry run of " + project.name + ": nothing written\n" +
                      layer_lines(imported, "would import");
    return run_result;
  }

  // What the stages hand on: the pipe inputs read once, the result GeoPackages this run wrote.
  InputCache inputs;
  std::vector<std::filesystem::path> results;
  nlohmann::json analyses = nlohmann::json::object();
  std::string indicator_text, pipes_text, units_text;
  if (store) {
    for (const auto& name : project.analyses) {
      stage(name);
      if (name == "population_by_district") {
        std::vector<std::string> layers;  // the project's own, not whatever else the store holds
        for (const auto& l : project.layers)
          if (l.kind == "district" || l.kind == "village") layers.push_back(l.name);
        analyses[name] = spatial::population_by_district(*store, layers).to_json();
      } else if (name == "indicators") {
        nlohmann::json result =
            compute_and_write_indicators(project, *store, project.output, 0, indicator_text);
        analyses[name] = {{"outputs", result["outputs"]},
                          {"warnings", result["warnings"]},
                          {"city", result["city"]}};
        if (result["outputs"].contains("gpkg"))
          results.emplace_back(result["outputs"]["gpkg"].get<std::string>());
        if (!result["warnings"].empty()) run_result.warned_stages.push_back("indicators");
        run_result.indicators = std::move(result);
      } else if (name == "pipes") {
        const auto pipes = run_project_pipes(project, inputs);
        analyses[name] = project_pipes_summary(pipes, pipes_text);
        for (const auto& p : pipes) {
          if (p.gpkg) results.push_back(*p.gpkg);
          if (p.result.warnings) run_result.warned_stages.push_back("pipes " + p.name);
        }
      } else if (name == "units") {
        // Saved into the run's own store connection: what follows (indicators, exports, the
        // report) sees the new 3D layers.
        JobResult units = run_project_units(project, *store);
        if (units.warnings) run_result.warned_stages.push_back("units");
        units_text += "  " + units.text.substr(0, units.text.find('\n')) + "\n";
        analyses[name] = std::move(units.result);
      }
    }
  }
  summary["analyses"] = analyses;
  nlohmann::json outputs = nlohmann::json::object();
  stage("outputs");
  for (const auto& out : project.outputs) {
    if (out == "import_report" && store) {
      auto path = project.output / "import_report.csv";
      io::write_issues_csv(path, store->issues());
      outputs[out] = path.string();
    }
  }
  // Exports last: they take the analyses' results. One that fails does not stop the others.
  std::string exports_text;
  std::optional<ErrorCode> export_failed;
  if (store && !project.exports.empty()) {
    stage("exports");
    summary["exports"] =
        run_project_exports(project, *store, results, &inputs, exports_text, export_failed);
  }
  // Maps, 3D views and the report last: they show everything above. One that fails is listed
  // (and shown in the report) but does not fail the run's data.
  std::string report_text;
  bool render_failed = false;
  if (wants_maps && store) {
    stage(wants_report ? "maps, 3D views and report" : "maps");
    try {
      summary["report"] = write_project_report(project, store, summary, wants_report, observer,
                                               &inputs, report_text);
    } catch (const std::exception& e) {  // a last resort: the sections catch their own
      const auto* se = dynamic_cast<const StrataError*>(&e);
      summary["report"] = {{"maps", nlohmann::json::array()},
                           {"scenes", nlohmann::json::array()},
                           {"problems",
                            {{{"what", "maps and report"},
                              {"code", se ? static_cast<int>(se->code()) : 999},
                              {"message", e.what()}}}}};
    }
    render_failed = !summary["report"]["problems"].empty();
    if (summary["report"].contains("report")) outputs["report"] = summary["report"]["report"];
  }
  run_result.files_read = inputs.files_read();
  auto summary_path = project.output / "summary.json";
  outputs["summary"] = summary_path.string();
  summary["outputs"] = outputs;
  summary["finished_at"] = utc_now_iso8601();
  summary["seconds"] =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const bool ok = imported.failures.empty() && !export_failed && !render_failed;
  summary["ok"] = ok;
  summary["warned_stages"] = run_result.warned_stages;
  run_result.ok = ok;
  if (!run_result.failure && export_failed) {
    run_result.failure = export_failed;
    run_result.failed = RunResult::Failed::kExport;
  } else if (!run_result.failure && render_failed) {
    run_result.failure = ErrorCode::kRenderFailed;
    run_result.failed = RunResult::Failed::kRender;
  }
  // Written to a temporary name and renamed, so a reader never sees half a summary.
  write_text_atomically(summary_path, [&](std::ostream& f) {
    f << summary.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  });

  std::ostringstream text;
  text << "project " << project.name << " -> " << project.store.string() << "\n";
  // What was left out or computed around a problem, before the details (--strict fails on it).
  if (run_result.rejected_or_warned > 0)
    text << "  WARNING: " << run_result.rejected_or_warned
         << " features or rows rejected or warned about at import (import_report)\n";
  if (!run_result.warned_stages.empty()) {
    std::string warned;
    for (const auto& s : run_result.warned_stages) warned += (warned.empty() ? "" : ", ") + s;
    text << "  WARNING: computed around a problem: " << warned << " (warnings below)\n";
  }
  text << layer_lines(imported, "imported");
  if (analyses.contains("population_by_district"))
    text << "  population (sum of villages): "
         << analyses["population_by_district"]["total_population"] << "\n";
  if (!indicator_text.empty()) text << "indicators:\n" << indicator_text;
  if (!units_text.empty()) text << "ownership model:\n" << units_text;
  if (!pipes_text.empty()) text << "pipes:\n" << pipes_text;
  if (!exports_text.empty()) text << "exports:\n" << exports_text;
  if (!report_text.empty()) text << "maps and report:\n" << report_text;
  if (render_failed)
    for (const auto& p : summary["report"]["problems"])
      text << "  PROBLEM " << p["what"].get<std::string>() << ": "
           << p["message"].get<std::string>() << "\n";
  text << "summary: " << summary_path.string() << "\n";
  if (outputs.contains("report"))
    text << "report: " << outputs["report"].get<std::string>() << " (open it in a browser)\n";
  run_result.text = text.str();
  return run_result;
}

}  // namespace strata::engine
