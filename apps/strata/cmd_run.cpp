// strata run PROJECT: the main job. Imports every layer (one transaction), runs the analyses
// the project names and writes its outputs, with summary.json in the output folder.
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "commands.h"
#include "export_job.h"
#include "pipes_project.h"
#include "report_job.h"
#include "store_arg.h"
#include "strata/core/clock.h"
#include "strata/io/issues_csv.h"
#include "strata/io/project_import.h"
#include "strata/spatial/population_by_district.h"
#include "units_project.h"

namespace strata::cli {
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

}  // namespace
Runner add_run(CLI::App& app, const GlobalOptions& g) {
  struct Args {
    std::string project;
    bool keep_going = false, dry_run = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(
      "run", "Run a project end to end: import, analyses, outputs (summary.json)");
  sub->add_option("project", a->project, "project file (.toml)")->required();
  sub->add_flag("--keep-going", a->keep_going, "keep the layers that import even if another fails");
  sub->add_flag("--dry-run", a->dry_run,
                "check the project and its data, write nothing (no store, no outputs)");

  return [a, &g]() -> int {
    const auto started = std::chrono::steady_clock::now();
    nlohmann::json summary = {{"strata_version", strata_version()},
                              {"started_at", utc_now_iso8601()}};
    io::Project project = io::load_project(a->project);
    check_project_pipes(project);  // option mistakes before anything is imported
    check_project_units(project);
    summary["project"] = {{"name", project.name},
                          {"file", project.file.string()},
                          {"crs", project.crs},
                          {"store", project.store.string()},
                          {"output", project.output.string()}};
    if (!a->dry_run) {
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
    // One line per stage on stderr (not with --quiet), so a long run shows where it is.
    const bool wants_report = std::find(project.outputs.begin(), project.outputs.end(), "report") !=
                              project.outputs.end();
    const bool wants_maps =
        wants_report ||
        std::find(project.outputs.begin(), project.outputs.end(), "maps") != project.outputs.end();
    const int stages = 1 + static_cast<int>(project.analyses.size()) + 1 +
                       (project.exports.empty() ? 0 : 1) + (wants_maps ? 1 : 0);
    int stage_no = 0;
    auto stage = [&](const std::string& name) {
      if (!g.quiet && !a->dry_run)
        std::cerr << "stage " << ++stage_no << "/" << stages << ": " << name << std::endl;
    };
    stage("import");
    ImportRun run = run_import(project, {{}, a->keep_going, a->dry_run}, progress_printer(g));
    const io::ProjectImport& imported = run.result;
    io::Store* store = run.store.get();  // null when nothing was written
    summary["import"] = imported.summary();
    if (a->dry_run) {
      summary["dry_run"] = true;
      summary["ok"] = imported.failures.empty();
      std::ostringstream text;
      text << "dry run of " << project.name << ": nothing written\n"
           << layer_lines(imported, "would import");
      emit(g, "run", imported.failures.empty(), summary, text.str());
      return imported.failures.empty() ? kExitOk : exit_code_for(imported.failures.front().code);
    }

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
        } else if (name == "pipes") {
          analyses[name] = run_project_pipes(project, pipes_text);
        } else if (name == "units") {
          analyses[name] = run_project_units(project, units_text);
          // `units build --save` wrote the model through its own connection: reopen the store,
          // so that what follows (indicators, exports, the report) sees the new 3D layers.
          const Crs crs = store->crs();
          run.store.reset();
          run.store = io::open_geopackage_store(project.store, crs, false);
          store = run.store.get();
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
      summary["exports"] = run_project_exports(project, *store, exports_text, export_failed);
    }
    // Maps, 3D views and the report last: they show everything above. One that fails is
    // listed (and shown in the report) but does not fail the run's data.
    std::string report_text;
    bool render_failed = false;
    if (wants_maps && store) {
      stage(wants_report ? "maps, 3D views and report" : "maps");
      try {
        summary["report"] =
            write_project_report(project, store, summary, wants_report, g, report_text);
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
    auto summary_path = project.output / "summary.json";
    outputs["summary"] = summary_path.string();
    summary["outputs"] = outputs;
    summary["finished_at"] = utc_now_iso8601();
    summary["seconds"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    bool ok = imported.failures.empty() && !export_failed && !render_failed;
    summary["ok"] = ok;
    {
      // Written to a temporary name and renamed, so a reader never sees half a summary.
      auto tmp = summary_path;
      tmp += ".tmp";
      std::ofstream f(tmp);
      f << summary.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      f.close();
      if (!f) throw StrataError(ErrorCode::kInvalidInputFile, "cannot write " + tmp.string());
      std::filesystem::rename(tmp, summary_path);
    }

    std::ostringstream text;
    text << "project " << project.name << " -> " << project.store.string() << "\n"
         << layer_lines(imported, "imported");
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
    emit(g, "run", ok, summary, text.str());
    if (!ok) {
      for (const auto& f : imported.failures)
        std::cerr << "strata run: error " << static_cast<int>(f.code) << " " << error_name(f.code)
                  << ": " << f.message << "\n";
      if (!imported.failures.empty()) return exit_code_for(imported.failures.front().code);
      if (export_failed) {
        std::cerr << "strata run: an export failed (see summary.json, exports)\n";
        return exit_code_for(*export_failed);
      }
      std::cerr << "strata run: a map or 3D view could not be drawn (see summary.json, report)\n";
      return kExitRender;
    }
    if (g.strict && imported.rejected_or_warned() > 0) {
      std::cerr << "strata run: --strict: " << imported.rejected_or_warned()
                << " features or rows rejected or with a warning (import_report, summary.json)\n";
      return kExitInputData;
    }
    return kExitOk;
  };
}

}  // namespace strata::cli
