// strata import: a project's layers, or one data file, into a store in one transaction.
#include "strata/engine/import_job.h"

#include <sstream>

#include "strata/core/kind_schema.h"
#include "strata/engine/store_access.h"
#include "strata/io/vector_read_cache.h"

namespace strata::engine {

io::Project data_file_project(const ImportJobOptions& a) {
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

JobResult run_import(const ImportJobOptions& a, const io::ProgressFn& progress) {
  io::VectorReadCache reads;  // a table joined to two layers is parsed once
  io::Project project = is_project_file(a.input) ? io::load_project(a.input) : data_file_project(a);
  if (!a.store.empty()) project.store = a.store;
  io::ImportOptions options{a.layers, a.keep_going, a.dry_run};
  io::ProjectImport result = run_import(project, options, progress).result;

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
           : a.dry_run    ? "dry run: nothing written\n"
                          : "nothing written; the store is unchanged\n");
  json["dry_run"] = a.dry_run;
  json["rejected_or_warned"] = result.rejected_or_warned();
  JobResult out("import", std::move(json), text.str());
  if (!result.failures.empty()) out.failure = result.failures.front().code;
  out.warnings = result.rejected_or_warned() > 0;
  return out;
}

}  // namespace strata::engine
