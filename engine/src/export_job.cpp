#include "strata/engine/export_job.h"

#include <algorithm>

#include "strata/core/error.h"
#include "strata/engine/project_pipes.h"
#include "strata/io/vector_source.h"
#include "strata/plugins/model_sources.h"

namespace strata::engine {

plugins::PluginRegistry load_plugins(const std::vector<std::filesystem::path>& directories) {
  plugins::PluginRegistry registry;
  plugins::register_builtin_writers(registry);
  registry.load_directories(plugins::plugin_directories(directories));
  return registry;
}

plugins::PrivacyProfile profile_arg(const std::string& text) {
  if (auto p = plugins::parse_profile(text)) return *p;
  std::string names;
  for (const auto& n : plugins::profile_names()) names += (names.empty() ? "" : ", ") + n;
  throw StrataError(ErrorCode::kWrongInputParameters,
                    "unknown privacy profile '" + text + "' (profiles: " + names + ")");
}

std::vector<std::filesystem::path> project_results(const io::Project& project) {
  // Only the files this project's analyses write: a result left in the folder by an analysis
  // the project no longer names is not this project's result.
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  const bool indicators =
      project.indicators &&
      std::find(project.analyses.begin(), project.analyses.end(), "indicators") !=
          project.analyses.end() &&
      std::find(project.indicators->outputs.begin(), project.indicators->outputs.end(), "gpkg") !=
          project.indicators->outputs.end();
  if (indicators && std::filesystem::is_regular_file(project.output / "indicators.gpkg", ec))
    out.push_back(project.output / "indicators.gpkg");
  const bool pipes = project.pipes && std::find(project.analyses.begin(), project.analyses.end(),
                                                "pipes") != project.analyses.end();
  if (pipes)
    for (const auto& a : project.pipes->analyses) {
      const auto path = project.output / "pipes" / (a.name + ".gpkg");
      if (std::filesystem::is_regular_file(path, ec)) out.push_back(path);
    }
  return out;
}

nlohmann::json run_export(const plugins::PluginRegistry& registry, io::Store* store,
                          const io::Project* project, const ExportJob& job) {
  plugins::ExportPlugin* plugin = registry.find(job.to);
  if (!plugin) {
    std::string names;
    for (const auto& e : registry.entries())
      names += (names.empty() ? "" : ", ") + e.plugin->name();
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "no export plugin named '" + job.to + "' (plugins: " + names +
                          "; `strata plugins list` shows them and any that failed to load)");
  }
  plugins::ExportRequest request;
  request.options = plugins::resolve_options(*plugin, job.options);
  request.output = job.output;

  plugins::ExportModel model;
  model.title = job.title;
  model.profile = job.profile;
  plugins::GatherOptions gather{job.profile, job.layers, job.allow_attributes};
  std::optional<Crs> crs;
  if (store) {
    crs = store->crs();
    plugins::add_store_layers(model, *store, gather);
  } else if (!job.results.empty()) {
    // Results alone: every layer must share the first one's CRS.
    for (const auto& r : job.results)
      for (const auto& name : io::vector_layer_names(r.string())) {
        auto declared = io::open_vector_source({r.string(), name, {}, {}})->declared_crs();
        if (!declared) continue;
        if (!crs)
          crs = declared;
        else if (!declared->equivalent_to(*crs))
          throw StrataError(ErrorCode::kCrsMismatch, r.string() + " layer " + name + " is in " +
                                                         declared->label() +
                                                         ", the other results in " + crs->label());
      }
  }
  if (!crs)
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "nothing to export: give a store, a project or --results with a CRS");
  model.crs = crs->authority_code().value_or(crs->to_wkt());
  for (const auto& r : job.results) plugins::add_result_layers(model, r, gather);
  std::vector<ProjectNetwork> read_now;
  if (project && job.pipes && !job.networks) read_now = load_project_networks(*project);
  if (project && job.pipes)
    for (const auto& n : job.networks ? *job.networks : read_now) {
      // Exports carry one CRS: a network must be in the store's (no silent reprojection of
      // depths and inverts).
      if (n.crs && !Crs::from_user_input(*n.crs).equivalent_to(*crs))
        throw StrataError(ErrorCode::kCrsMismatch, "pipe network " + n.name + " (" + n.file +
                                                       ") is in " + *n.crs + ", the store in " +
                                                       crs->label() +
                                                       "; reproject it or export with --no-pipes");
      plugins::add_pipe_network(model, n.name, n.network, n.file, gather);
    }
  request.model = &model;

  if (plugin->output_is_folder())
    std::filesystem::create_directories(job.output);
  else if (job.output.has_parent_path())
    std::filesystem::create_directories(job.output.parent_path());
  plugins::ExportResult result = plugins::run_plugin(*plugin, request);

  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : result.files) files.push_back(f.string());
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : model.layers)
    layers.push_back({{"name", l.name},
                      {"class", std::string(plugins::feature_class_name(l.feature_class))},
                      {"features", l.features.size()},
                      {"origin", l.origin}});
  return {{"plugin", job.to},
          {"profile", std::string(plugins::profile_name(job.profile))},
          {"output", job.output.string()},
          {"files", files},
          {"options", request.options.all()},
          {"layers", layers},
          {"layers_withheld", model.layers_withheld},
          {"values_withheld", model.values_withheld},
          {"attributes_withheld", model.attributes_withheld},
          {"summary", result.summary}};
}

std::filesystem::path default_export_path(const std::filesystem::path& folder,
                                          const plugins::ExportPlugin& plugin) {
  std::string stem = plugin.name().substr(plugin.name().rfind('.') + 1);
  return folder / (stem + plugin.default_extension());
}

nlohmann::json run_project_exports(const io::Project& project, io::Store& store,
                                   const std::vector<std::filesystem::path>& results,
                                   InputCache* cache, std::string& text,
                                   std::optional<ErrorCode>& failed) {
  nlohmann::json out = nlohmann::json::array();
  if (project.exports.empty()) return out;
  plugins::PluginRegistry registry = load_plugins(project.plugin_paths);
  for (const auto& f : registry.failures()) {
    text += "  plugin not loaded: " + f.path + ": " + f.message + "\n";
    out.push_back({{"plugin_failure", f.path},
                   {"message", f.message},
                   {"code", static_cast<int>(ErrorCode::kPluginLoad)}});
  }
  // The networks are read once for all exports that take them; when reading fails, that export
  // fails and the next one tries again.
  std::optional<std::vector<ProjectNetwork>> networks;
  for (const auto& spec : project.exports) {
    const std::string where = project.file.string() + ":" + std::to_string(spec.line) + ": ";
    try {
      ExportJob job;
      job.to = spec.to;
      job.profile = profile_arg(spec.profile);
      job.layers = spec.layers;
      job.allow_attributes = spec.allow_attributes;
      job.options = spec.options;
      if (spec.results) job.results = results;
      job.pipes = spec.pipes;
      if (spec.pipes && project.pipes) {
        if (!networks) networks = load_project_networks(project, cache);
        job.networks = &*networks;
      }
      job.title = project.name;
      job.output = spec.path;
      if (job.output.empty()) {
        const plugins::ExportPlugin* plugin = registry.find(spec.to);
        job.output = plugin ? default_export_path(project.output / "exports", *plugin)
                            : project.output / "exports" / spec.to;
      }
      nlohmann::json r = run_export(registry, &store, &project, job);
      text += "  " + spec.to + " (" + spec.profile + ") -> " + job.output.string() + "\n";
      out.push_back(std::move(r));
    } catch (const StrataError& e) {
      if (!failed) failed = e.code();
      text += "  FAILED " + spec.to + ": error " + std::to_string(static_cast<int>(e.code())) +
              " " + std::string(error_name(e.code())) + ": " + e.what() + "\n";
      out.push_back({{"plugin", spec.to},
                     {"error",
                      {{"code", static_cast<int>(e.code())},
                       {"name", std::string(error_name(e.code()))},
                       {"message", where + e.what()}}}});
    }
  }
  return out;
}

}  // namespace strata::engine
