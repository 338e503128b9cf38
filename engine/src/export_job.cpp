#include "strata/engine/export_job.h"

#include <algorithm>
#include <sstream>

#include "strata/core/error.h"
#include "strata/engine/project_pipes.h"
#include "strata/engine/store_access.h"
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

JobResult run_export_job(const ExportOptions& a) {
  const bool project_file = !a.target.empty() && is_project_file(a.target);
  std::optional<io::Project> project;
  if (project_file) project = io::load_project(a.target);
  if (a.target.empty() && a.results.empty())
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "give a store, a project file or --results FILE.gpkg");
  std::unique_ptr<io::Store> store;
  if (!a.target.empty()) store = open_store_arg(a.target);
  std::ostringstream text;

  if (a.to.empty()) {
    if (!project)
      throw StrataError(ErrorCode::kWrongInputParameters,
                        "--to is needed with a store (only a project file has [[exports]])");
    if (project->exports.empty())
      throw StrataError(ErrorCode::kWrongInputParameters,
                        project->file.string() + " has no [[exports]]; give --to");
    for (const auto& d : a.plugin_dirs) project->plugin_paths.emplace_back(d);
    std::string lines;
    std::optional<ErrorCode> failed;
    InputCache inputs;  // the networks read once for all exports
    nlohmann::json exports =
        run_project_exports(*project, *store, project_results(*project), &inputs, lines, failed);
    JobResult out("export", {{"exports", exports}}, "exports of " + project->name + ":\n" + lines);
    out.failure = failed;
    return out;
  }

  ExportJob job;
  job.to = a.to;
  job.profile = profile_arg(a.profile);
  job.layers = a.layers;
  job.allow_attributes = a.allow_attributes;
  for (const auto& o : a.options) {
    const auto eq = o.find('=');
    if (eq == std::string::npos || eq == 0)
      throw StrataError(ErrorCode::kWrongInputParameters,
                        "--option " + o + ": expected NAME=VALUE");
    job.options[o.substr(0, eq)] = o.substr(eq + 1);
  }
  for (const auto& r : a.results) job.results.emplace_back(r);
  if (project && !a.no_results) {
    auto more = project_results(*project);
    job.results.insert(job.results.end(), more.begin(), more.end());
  }
  job.pipes = !a.no_pipes;
  job.title = project ? project->name
              : store ? store->path().filename().string()
                      : std::filesystem::path(a.results.front()).filename().string();
  std::vector<std::filesystem::path> dirs(a.plugin_dirs.begin(), a.plugin_dirs.end());
  if (project) dirs.insert(dirs.end(), project->plugin_paths.begin(), project->plugin_paths.end());
  plugins::PluginRegistry registry = load_plugins(dirs);
  if (!a.out.empty()) {
    job.output = a.out;
  } else if (project) {
    if (auto* plugin = registry.find(job.to))
      job.output = default_export_path(project->output / "exports", *plugin);
  }
  if (job.output.empty())
    throw StrataError(ErrorCode::kWrongInputParameters, "--out is needed with a store");
  nlohmann::json result;
  try {
    result = run_export(registry, store.get(), project ? &*project : nullptr, job);
  } catch (const StrataError& e) {
    // A plugin that is not there may be one that failed to load: say why with the error.
    if (registry.failures().empty() || registry.find(job.to)) throw;
    std::string why;
    for (const auto& f : registry.failures())
      why += "; not loaded (980 PLUGIN_LOAD): " + f.path + ": " + f.message;
    throw StrataError(e.code(), e.what() + why);
  }
  nlohmann::json failures = nlohmann::json::array();
  for (const auto& f : registry.failures())
    failures.push_back({{"path", f.path}, {"message", f.message}, {"code", 980}});
  result["plugin_failures"] = failures;
  text << job.to << " (" << a.profile << ") -> " << job.output.string() << "\n";
  for (const auto& l : result["layers"])
    text << "  " << l["name"].get<std::string>() << ": " << l["features"] << " features\n";
  if (!result["layers_withheld"].empty())
    text << "  left out by the " << a.profile << " profile: " << result["layers_withheld"].dump()
         << "\n";
  if (result["values_withheld"].get<int>() > 0) {
    std::string names;
    std::size_t k = 0;
    for (const auto& n : result["attributes_withheld"]) {
      if (k++ == 8) {
        names += ", ...";
        break;
      }
      names += (names.empty() ? "" : ", ") + n.get<std::string>();
    }
    text << "  attribute values withheld by the profile: " << result["values_withheld"] << " ("
         << result["attributes_withheld"].size()
         << " names; allow one with --allow-attribute NAME: " << names << ")\n";
  }
  return JobResult("export", std::move(result), text.str());
}

}  // namespace strata::engine
