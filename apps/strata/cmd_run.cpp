// strata run PROJECT: the main job (engine::run_project): imports every layer (one
// transaction), runs the analyses the project names and writes its outputs, with summary.json
// in the output folder.
#include <iostream>

#include "commands.h"
#include "strata/engine/project_run.h"

namespace strata::cli {
namespace {

// Stages as "stage 2/6: indicators" lines, progress and notes on stderr (not with --quiet).
class StderrObserver final : public engine::Observer {
 public:
  explicit StderrObserver(const GlobalOptions& g)
      : quiet_(g.quiet), progress_(progress_printer(g)) {}
  void stage(int number, int of, const std::string& name) override {
    if (!quiet_) std::cerr << "stage " << number << "/" << of << ": " << name << std::endl;
  }
  void progress(const std::string& step, std::int64_t done, std::int64_t total) override {
    if (progress_) progress_(step, done, total);
  }
  void note(const std::string& line) override {
    if (!quiet_) std::cerr << "progress: " << line << std::endl;
  }

 private:
  bool quiet_;
  io::ProgressFn progress_;
};

}  // namespace

Runner add_run(CLI::App& app, const GlobalOptions& g) {
  struct Args {
    std::string project;
    engine::RunOptions options;
  };
  auto a = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(
      "run", "Run a project end to end: import, analyses, outputs (summary.json)");
  sub->add_option("project", a->project, "project file (.toml)")->required();
  sub->add_flag("--keep-going", a->options.keep_going,
                "keep the layers that import even if another fails");
  sub->add_flag("--dry-run", a->options.dry_run,
                "check the project and its data, write nothing (no store, no outputs)");

  return [a, &g]() -> int {
    StderrObserver observer(g);
    const engine::RunResult r = engine::run_project(a->project, a->options, observer);
    emit(g, "run", r.ok, r.summary, r.text);
    if (!r.ok) {
      using Failed = engine::RunResult::Failed;
      for (const auto& line : r.import_errors) std::cerr << "strata run: " << line << "\n";
      if (r.failed == Failed::kImport) return exit_code_for(*r.failure);
      if (r.failed == Failed::kExport) {
        std::cerr << "strata run: an export failed (see summary.json, exports)\n";
        return exit_code_for(*r.failure);
      }
      std::cerr << "strata run: a map or 3D view could not be drawn (see summary.json, report)\n";
      return kExitRender;
    }
    // --strict: anything left out at import or computed around a problem fails the run (its
    // outputs are written); each reason is said.
    bool strict_failed = false;
    if (g.strict && !a->options.dry_run && r.rejected_or_warned > 0) {
      std::cerr << "strata run: --strict: " << r.rejected_or_warned
                << " features or rows rejected or with a warning (import_report, summary.json)\n";
      strict_failed = true;
    }
    if (g.strict && !r.warned_stages.empty()) {
      std::string stages;
      for (const auto& s : r.warned_stages) stages += (stages.empty() ? "" : ", ") + s;
      std::cerr << "strata run: --strict: " << stages
                << " computed around a problem (warnings in summary.json)\n";
      strict_failed = true;
    }
    if (strict_failed) return kExitInputData;
    return kExitOk;
  };
}

}  // namespace strata::cli
