#include "strata/io/project_import.h"

#include <algorithm>

#include "strata/core/error.h"
#include "strata/io/json_report.h"
#include "strata/io/table.h"

namespace strata::io {

nlohmann::json ProjectImport::summary() const {
  nlohmann::json layers_json = nlohmann::json::array();
  for (const auto& li : layers) {
    nlohmann::json j = to_json(li.provenance);
    if (li.join) j["join"] = to_json(*li.join);
    if (li.dissolve)
      j["dissolve"] = {{"field", li.dissolve->field},
                       {"features", li.dissolve->features},
                       {"merged_into", li.dissolve->merged}};
    std::map<std::string, int> by_code;
    for (const auto& i : li.issues)
      by_code[std::to_string(static_cast<int>(i.code)) + " " + std::string(error_name(i.code))]++;
    j["issues_by_code"] = by_code;
    layers_json.push_back(std::move(j));
  }
  nlohmann::json failures_json = nlohmann::json::array();
  for (const auto& f : failures)
    failures_json.push_back({{"layer", f.layer},
                             {"code", static_cast<int>(f.code)},
                             {"code_name", error_name(f.code)},
                             {"message", f.message}});
  nlohmann::json table_json = nlohmann::json::array();
  for (const auto& i : table_issues) table_json.push_back(to_json(i));
  return {{"layers", layers_json},
          {"failures", failures_json},
          {"table_issues", table_json},
          {"written", written}};
}

ProjectImport import_project(const Project& project, const Crs& project_crs, Store* store,
                             const ImportOptions& options, const ProgressFn& progress) {
  if (!store && !options.dry_run) throw StrataError(ErrorCode::kInternal, "import without a store");
  ProjectImport result;
  for (const auto& name : options.only_layers) {
    if (!project.find_layer(name))
      throw StrataError(ErrorCode::kWrongInputParameters, "project has no layer '" + name + "'");
  }
  auto selected = [&](const LayerSpec& spec) {
    return options.only_layers.empty() ||
           std::find(options.only_layers.begin(), options.only_layers.end(), spec.name) !=
               options.only_layers.end();
  };
  std::vector<std::string> needed;
  for (const auto& spec : project.layers)
    if (selected(spec) && spec.join) needed.push_back(spec.join->table);
  std::map<std::string, Table> tables;
  if (!needed.empty()) {
    try {
      tables = load_project_tables(project, result.table_issues, needed);
    } catch (const StrataError& e) {
      // Joined layers depend on it: nothing is imported, but the run still reports. "(tables)"
      // cannot clash with a layer name.
      result.failures.push_back({"(tables)", e.code(), e.what()});
      return result;
    }
  }
  for (const auto& spec : project.layers) {
    if (!selected(spec)) continue;
    try {
      result.layers.push_back(
          import_layer(spec, project_crs, tables, project.file.string(), progress));
    } catch (const StrataError& e) {
      result.failures.push_back({spec.name, e.code(), e.what()});
      if (!options.keep_going) return result;
    }
  }
  if (result.layers.empty() || options.dry_run) return result;
  ImportBatch batch;
  for (const auto& li : result.layers) batch.layers.push_back(&li);
  batch.extra_issues = result.table_issues;
  for (const auto& [name, table] : tables) batch.tables.push_back(name);
  result.written = true;  // as recorded in the run; reset below if the write throws
  batch.run_summary_json =
      nlohmann::json{{"project", project.file.string()}, {"import", result.summary()}}.dump(
          -1, ' ', false, nlohmann::json::error_handler_t::replace);
  try {
    store->write_import(batch, progress);
  } catch (...) {
    result.written = false;
    throw;
  }
  return result;
}

}  // namespace strata::io
