// strata import: ingest a project's layers (or one file given on the command line) into a store.
#include <sstream>

#include "commands.h"
#include "strata/core/kind_schema.h"
#include "strata/engine/store_access.h"
#include "strata/io/project_import.h"

namespace strata::cli {

using namespace strata::engine;  // the jobs this command calls
namespace {

struct ImportArgs {
  std::string input;
  std::vector<std::string> layers;
  bool keep_going = false, dry_run = false;
  std::string store;
  // Ad-hoc mode (a data file instead of a project file):
  std::string kind, name, crs, source_layer, project_crs = "EPSG:3826", encoding;
  std::vector<std::string> fields, open_options;
  std::vector<CLI::Option*> data_file_options;  // given with a project file, they are an error
};

io::Project adhoc_project(const ImportArgs& a) {
  if (a.kind.empty() || a.name.empty() || a.store.empty()) {
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "importing a data file directly needs --kind, --name and --store (or give a "
                      "project .toml)");
  }
  const KindSpec* kind = find_kind(a.kind);
  if (!kind)
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "unknown kind '" + a.kind + "' (see 'strata kinds')");
  if (auto problem = io::layer_name_problem(a.name))
    throw StrataError(ErrorCode::kWrongInputParameters, "--name: " + *problem);
  if (auto problem = io::project_crs_problem(a.project_crs))
    throw StrataError(ErrorCode::kWrongInputParameters, "--project-crs: " + *problem);
  io::Project p;
  p.file = "(command line)";
  p.name = a.name;
  p.crs = a.project_crs;
  p.store = a.store;
  io::LayerSpec l;
  l.name = a.name;
  l.kind = a.kind;
  l.path = std::filesystem::absolute(a.input)
               .lexically_normal();  // provenance names files unambiguously
  l.layer = a.source_layer;
  l.encoding = a.encoding;
  l.open_options = a.open_options;
  if (!a.crs.empty()) l.crs = a.crs;
  for (const auto& f : a.fields) {
    auto eq = f.find('=');
    if (eq == std::string::npos)
      throw StrataError(ErrorCode::kWrongInputParameters,
                        "--field takes canonical=source, got '" + f + "'");
    std::string canonical = f.substr(0, eq);
    std::vector<std::string> sources;
    std::stringstream ss(f.substr(eq + 1));
    for (std::string part; std::getline(ss, part, '+');) sources.push_back(part);
    if (auto problem = io::field_mapping_problem(a.kind, canonical, sources))
      throw StrataError(ErrorCode::kWrongInputParameters, "--field " + f + ": " + *problem);
    l.fields[canonical] = sources;
  }
  for (const auto& spec : kind->fields)
    if (spec.required && !l.fields.count(spec.name))
      throw StrataError(ErrorCode::kWrongInputParameters,
                        "kind " + a.kind + " needs --field " + spec.name + "=<source field>");
  p.layers.push_back(std::move(l));
  return p;
}

}  // namespace

Runner add_import(CLI::App& app, const GlobalOptions& g) {
  auto a = std::make_shared<ImportArgs>();
  CLI::App* sub = app.add_subcommand(
      "import", "Ingest a project's layers (or one data file) into the store, in one transaction");
  sub->add_option("input", a->input,
                  "project file (.toml), or a data file with --kind/--name/--store")
      ->required();
  sub->add_option("--layer", a->layers, "import only these project layers (repeatable)");
  sub->add_flag("--keep-going", a->keep_going,
                "write the layers that import even if another fails (exit code still 4)");
  sub->add_flag("--dry-run", a->dry_run,
                "read and check everything (CRS, fields, geometry, joins), write nothing");
  sub->add_option("--store", a->store, "store path (overrides the project's)");
  a->data_file_options = {
      sub->add_option("--kind", a->kind,
                      "data file mode: kind of the features (see 'strata kinds')"),
      sub->add_option("--name", a->name, "data file mode: layer name in the store"),
      sub->add_option("--field", a->fields,
                      "data file mode: canonical=source (a+b sums numeric fields); repeatable"),
      sub->add_option("--crs", a->crs, "override the file's declared CRS, e.g. EPSG:4326"),
      sub->add_option("--source-layer", a->source_layer, "layer inside the data file"),
      sub->add_option("--encoding", a->encoding, "text encoding of the data file, e.g. BIG5"),
      sub->add_option(
          "--open-option", a->open_options,
          "GDAL open option for the data file, e.g. GEOM_POSSIBLE_NAMES=wkt; repeatable"),
      sub->add_option("--project-crs", a->project_crs,
                      "data file mode: CRS of a new store (default EPSG:3826)")};
  sub->footer(
      "Examples:\n"
      "  strata import samples/taipei/project.toml\n"
      "  strata import zoning.geojson --kind zoning --name zoning --store city.gpkg --field "
      "zone_code=分區代\n");

  return [a, &g]() -> int {
    const bool is_project = is_project_file(a->input);
    for (const CLI::Option* o : a->data_file_options) {
      if (is_project && o->count() > 0)
        throw StrataError(ErrorCode::kWrongInputParameters,
                          o->get_name() +
                              " is for importing a data file; with a project file, set it in "
                              "the file (its layers' kind, fields, crs, ...)");
    }
    io::Project project = is_project ? io::load_project(a->input) : adhoc_project(*a);
    if (!a->store.empty()) project.store = a->store;
    io::ImportOptions options{a->layers, a->keep_going, a->dry_run};
    io::ProjectImport result = run_import(project, options, progress_printer(g)).result;

    nlohmann::json json = result.summary();
    json["store"] = project.store.string();
    std::ostringstream text;
    for (const auto& li : result.layers) {
      const auto& p = li.provenance;
      text << p.layer << " (" << p.kind << "): " << p.features_read << " read, "
           << p.features_imported << " imported, " << p.features_repaired << " repaired, "
           << p.features_rejected << " rejected\n";
      if (li.join)
        text << "  join: " << li.join->matched_exact << " exact + " << li.join->matched_normalised
             << " normalised matches, " << li.join->unmatched_features << " features and "
             << li.join->unmatched_rows << " table rows unmatched\n";
      if (li.dissolve)
        text << "  dissolve by " << li.dissolve->field << ": " << li.dissolve->features
             << " features merged into " << li.dissolve->merged << "\n";
    }
    for (const auto& f : result.failures) text << "FAILED " << f.layer << ": " << f.message << "\n";
    text << (result.written ? "written to " + project.store.string() + "\n"
             : a->dry_run   ? "dry run: nothing written\n"
                            : "nothing written; the store is unchanged\n");
    json["dry_run"] = a->dry_run;
    bool ok = result.failures.empty();
    emit(g, "import", ok, json, text.str());
    if (!ok)
      for (const auto& f : result.failures)
        std::cerr << "strata import: error " << static_cast<int>(f.code) << " "
                  << error_name(f.code) << ": " << f.message << "\n";
    if (!ok) return exit_code_for(result.failures.front().code);
    // --strict: a rejected feature or a warning fails the import (it is still written, and the
    // report says what; the exit status lets a pipeline stop there).
    if (g.strict && result.rejected_or_warned() > 0) {
      std::cerr << "strata import: --strict: " << result.rejected_or_warned()
                << " features or rows rejected or with a warning (strata info STORE --issues)\n";
      return kExitInputData;
    }
    return kExitOk;
  };
}

}  // namespace strata::cli
