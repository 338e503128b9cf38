// strata import: ingest a project's layers (or one file given on the command line) into a store.
#include "commands.h"
#include "strata/engine/import_job.h"
#include "strata/engine/store_access.h"

namespace strata::cli {
namespace {

struct ImportArgs {
  engine::ImportJobOptions options;
  std::vector<CLI::Option*> data_file_options;  // given with a project file, they are an error
};

}  // namespace

Runner add_import(CLI::App& app, const GlobalOptions& g) {
  auto a = std::make_shared<ImportArgs>();
  CLI::App* sub = app.add_subcommand(
      "import", "Ingest a project's layers (or one data file) into the store, in one transaction");
  sub->add_option("input", a->options.input,
                  "project file (.toml), or a data file with --kind/--name/--store")
      ->required();
  sub->add_option("--layer", a->options.layers, "import only these project layers (repeatable)");
  sub->add_flag("--keep-going", a->options.keep_going,
                "write the layers that import even if another fails (exit code still 4)");
  sub->add_flag("--dry-run", a->options.dry_run,
                "read and check everything (CRS, fields, geometry, joins), write nothing");
  sub->add_option("--store", a->options.store, "store path (overrides the project's)");
  a->data_file_options = {
      sub->add_option("--kind", a->options.kind,
                      "data file mode: kind of the features (see 'strata kinds')"),
      sub->add_option("--name", a->options.name, "data file mode: layer name in the store"),
      sub->add_option("--field", a->options.fields,
                      "data file mode: canonical=source (a+b sums numeric fields); repeatable"),
      sub->add_option("--crs", a->options.crs, "override the file's declared CRS, e.g. EPSG:4326"),
      sub->add_option("--source-layer", a->options.source_layer, "layer inside the data file"),
      sub->add_option("--encoding", a->options.encoding,
                      "text encoding of the data file, e.g. BIG5"),
      sub->add_option(
          "--open-option", a->options.open_options,
          "GDAL open option for the data file, e.g. GEOM_POSSIBLE_NAMES=wkt; repeatable"),
      sub->add_option("--project-crs", a->options.project_crs,
                      "data file mode: CRS of a new store (default EPSG:3826)")};
  sub->footer(
      "Examples:\n"
      "  strata import samples/taipei/project.toml\n"
      "  strata import zoning.geojson --kind zoning --name zoning --store city.gpkg --field "
      "zone_code=分區代\n");

  return [a, &g]() -> int {
    const bool is_project = engine::is_project_file(a->options.input);
    for (const CLI::Option* o : a->data_file_options) {
      if (is_project && o->count() > 0)
        throw StrataError(ErrorCode::kWrongInputParameters,
                          o->get_name() +
                              " is for importing a data file; with a project file, set it in "
                              "the file (its layers' kind, fields, crs, ...)");
    }
    const engine::JobResult r = engine::run_import(a->options, progress_printer(g));
    emit(g, r.command, !r.failure, r.result, r.text);
    if (r.failure) {
      for (const auto& f : r.result["failures"])
        std::cerr << "strata import: error " << f["code"].get<int>() << " "
                  << f["code_name"].get<std::string>() << ": " << f["message"].get<std::string>()
                  << "\n";
      return exit_code_for(*r.failure);
    }
    // --strict: a rejected feature or a warning fails the import (it is still written, and the
    // report says what; the exit status lets a pipeline stop there).
    if (g.strict && r.warnings) {
      std::cerr << "strata import: --strict: " << r.result["rejected_or_warned"].get<std::int64_t>()
                << " features or rows rejected or with a warning (strata info STORE --issues)\n";
      return kExitInputData;
    }
    return kExitOk;
  };
}

}  // namespace strata::cli
