// The `strata` Python module: a project or its indicators as one call into the engine, results
// as Python objects, progress as a callback, errors as strata.Error with strata's error code
// (docs/python.md). A thin client like the command line: no logic of its own.
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>
#include <algorithm>
#include <map>

#include <dlfcn.h>

#include <sstream>
#include <thread>

#include "strata/core/error.h"
#include "strata/engine/catalogue_job.h"
#include "strata/engine/export_job.h"
#include "strata/engine/extrude_job.h"
#include "strata/engine/import_job.h"
#include "strata/engine/indicators_job.h"
#include "strata/engine/info_job.h"
#include "strata/engine/inspect_job.h"
#include "strata/engine/pipe_analyses.h"
#include "strata/engine/pipe_map_job.h"
#include "strata/engine/project_run.h"
#include "strata/engine/query_2d_job.h"
#include "strata/engine/query_3d_job.h"
#include "strata/engine/render_job.h"
#include "strata/engine/scene_job.h"
#include "strata/engine/store_access.h"
#include "strata/engine/units_job.h"
#include "strata/engine/validate_job.h"
#include "strata/engine/version.h"
#include "strata/io/project_file.h"

namespace py = pybind11;

namespace strata::python {
namespace {

// JSON documents become Python dicts and lists through Python's own json module: numbers keep
// every bit (nlohmann writes the shortest text that reads back as the same double).
py::object to_python(const nlohmann::json& j) {
  return py::module_::import("json").attr("loads")(
      j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// Runs an engine call with the GIL released, so that the interpreter's other threads (QGIS's
// own Python) go on meanwhile. The engine calls Python back only through the callbacks below,
// which take the GIL again.
template <class F>
auto without_gil(F&& f) {
  py::gil_scoped_release release;
  return f();
}

// Calls the Python callback with one dict per event; a callback that returns False cancels the
// run at the next stage (StrataError 990). Only the thread that started the run calls Python
// (taking the GIL): progress reported from a worker thread is dropped.
class CallbackObserver final : public engine::Observer {
 public:
  explicit CallbackObserver(py::object callback)
      : callback_(std::move(callback)), owner_(std::this_thread::get_id()) {}
  void stage(int number, int of, const std::string& name) override {
    if (!ours()) return;
    py::gil_scoped_acquire gil;
    send(py::dict(py::arg("event") = "stage", py::arg("number") = number, py::arg("of") = of,
                  py::arg("name") = name));
  }
  void progress(const std::string& step, std::int64_t done, std::int64_t total) override {
    if (!ours()) return;
    py::gil_scoped_acquire gil;
    send(py::dict(py::arg("event") = "progress", py::arg("step") = step, py::arg("done") = done,
                  py::arg("total") = total));
  }
  void note(const std::string& line) override {
    if (!ours()) return;
    py::gil_scoped_acquire gil;
    send(py::dict(py::arg("event") = "note", py::arg("message") = line));
  }
  bool cancelled() const override { return cancelled_; }

 private:
  bool ours() const { return !callback_.is_none() && std::this_thread::get_id() == owner_; }
  void send(py::dict event) {  // with the GIL
    py::object answer = callback_(event);
    if (!answer.is_none() && !answer.cast<bool>()) cancelled_ = true;
  }
  py::object callback_;
  std::thread::id owner_;
  bool cancelled_ = false;
};

// A table of indicator rows: lists of dicts, or a pandas DataFrame when pandas is there.
struct Indicators {
  nlohmann::json doc;
  py::list rows(const char* level) const {
    py::list out;
    if (doc.contains(level))
      for (const auto& r : doc[level]) out.append(to_python(r));
    return out;
  }
  py::object dataframe(const char* level) const {
    py::object pandas = py::module_::import("pandas");
    py::list columns;
    columns.append(std::string(level) == "villages" ? "village_id" : "district_id");
    columns.append(std::string(level) == "villages" ? "village_name" : "district_name");
    if (std::string(level) == "villages") columns.append("district_id");
    for (const auto& c : doc.value("columns", nlohmann::json::array()))
      columns.append(c.get<std::string>());
    return pandas.attr("DataFrame")(rows(level), py::arg("columns") = columns);
  }
};

struct RunResult {
  engine::RunResult run;
  std::optional<Indicators> indicators;
};

// A Python value as an option's text: True -> "true", 2.5 -> "2.5", a path -> its text.
std::string option_text(const py::handle& value) {
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>() ? "true" : "false";
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  return py::str(value).cast<std::string>();
}

// Calls `set(key, text)` for every keyword (a list or tuple: once per item); keywords use `_`.
void set_options(const py::dict& options,
                 const std::function<void(const std::string&, const std::string&)>& set) {
  for (const auto& [k, v] : options) {
    const std::string key = py::str(k).cast<std::string>();
    if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v)) {
      for (const auto& item : v) set(key, option_text(item));
    } else if (!v.is_none()) {
      set(key, option_text(v));
    }
  }
}

// Fills `target` from keywords through its schema (and `extra`, e.g. the pipe settings, for
// the keys the schema has not); an unknown keyword is 903 naming the ones `what` takes.
template <class T, class Extra = int>
void fill_options(const engine::OptionSchema<T>& schema, T& target, const py::dict& options,
                  const std::string& what, const engine::OptionSchema<Extra>* extra = nullptr,
                  Extra* extra_target = nullptr) {
  set_options(options, [&](const std::string& key, const std::string& value) {
    if (const auto* spec = engine::find_option(schema, key)) return spec->set(target, value);
    if (extra)
      if (const auto* spec = engine::find_option(*extra, key))
        return spec->set(*extra_target, value);
    std::string known;
    for (const auto& spec : schema) known += (known.empty() ? "" : ", ") + spec.name;
    if (extra)
      for (const auto& spec : *extra) known += ", " + spec.name;
    for (char& c : known)
      if (c == '-') c = '_';
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "unknown option '" + key + "' of " + what + " (" + known + ")");
  });
}

py::list option_infos(const std::vector<engine::OptionInfo>& infos) {
  py::list out;
  for (const auto& o : infos)
    out.append(py::dict(
        py::arg("name") = o.name,
        py::arg("keyword") =
            [&] {
              std::string k = o.name;
              for (char& c : k)
                if (c == '-') c = '_';
              return k;
            }(),
        py::arg("help") = o.help, py::arg("type") = std::string(engine::option_type_name(o.type)),
        py::arg("default") = o.default_text, py::arg("required") = o.required,
        py::arg("check") = [&]() -> std::string {
          switch (o.check) {
            case engine::OptionCheck::kExistingPath:
              return "existing_path";
            case engine::OptionCheck::kExistingFile:
              return "existing_file";
            case engine::OptionCheck::kPositive:
              return "positive";
            case engine::OptionCheck::kNonNegative:
              return "non_negative";
            default:
              return "";
          }
        }()));
  return out;
}

template <class T>
py::list schema_infos(const engine::OptionSchema<T>& schema) {
  return option_infos(engine::describe(schema));
}

// A network: a path, or a dict with "file" and the network's options ({"utility": "gas"}).
engine::NetworkOptions network_from(const py::handle& item) {
  engine::NetworkOptions n;
  if (py::isinstance<py::dict>(item)) {
    py::dict d = py::reinterpret_borrow<py::dict>(item);
    if (!d.contains("file"))
      throw StrataError(ErrorCode::kWrongInputParameters, "a network dict needs 'file'");
    n.file = option_text(d["file"]);
    py::dict rest;
    for (const auto& [k, v] : d)
      if (py::str(k).cast<std::string>() != "file") rest[k] = v;
    set_options(rest, [&](const std::string& key, const std::string& value) {
      const auto* spec = engine::find_option(engine::network_option_schema(), key);
      if (!spec)
        throw StrataError(ErrorCode::kWrongInputParameters, "unknown network option '" + key + "'");
      spec->set(n, value);
    });
  } else {
    n.file = option_text(item);
  }
  return n;
}

py::object job_result(const engine::JobResult& r) {
  py::dict out;
  out["command"] = r.command;
  out["ok"] = !r.failure;
  out["failure"] = r.failure ? py::object(py::int_(static_cast<int>(*r.failure))) : py::none();
  out["result"] = to_python(r.full());
  out["text"] = r.text;
  out["warnings"] = r.warnings;
  out["findings"] = r.findings;
  out["nothing_found"] = r.nothing_found;
  return out;
}

// Keywords into options that have a schema: unknown ones are refused, naming the command.
template <class T>
void set_schema_options(const engine::OptionSchema<T>& schema, const py::dict& options, T& target,
                        const std::string& command) {
  set_options(options, [&](const std::string& key, const std::string& value) {
    const auto* spec = engine::find_option(schema, key);
    if (!spec)
      throw StrataError(ErrorCode::kWrongInputParameters,
                        "unknown option '" + key + "' of " + command);
    spec->set(target, value);
  });
}

std::vector<std::string> texts(const py::object& value) {
  std::vector<std::string> out;
  if (value.is_none()) return out;
  if (py::isinstance<py::str>(value) || !py::hasattr(value, "__iter__")) {
    out.push_back(option_text(value));
    return out;
  }
  for (const auto& item : value) out.push_back(option_text(item));
  return out;
}

// Import progress as events of the same shape as a run's ("progress", step, done, total).
// The engine copies the function freely, without the GIL: the Python object is held once,
// and released (with the GIL) when the last copy goes.
io::ProgressFn progress_callback(const py::object& callback) {
  if (callback.is_none()) return {};
  const auto owner = std::this_thread::get_id();
  std::shared_ptr<py::object> held(new py::object(callback), [](py::object* o) {
    py::gil_scoped_acquire gil;
    delete o;
  });
  return [held, owner](const std::string& step, std::int64_t done, std::int64_t total) {
    if (std::this_thread::get_id() != owner) return;
    py::gil_scoped_acquire gil;
    (*held)(py::dict(py::arg("event") = "progress", py::arg("step") = step, py::arg("done") = done,
                     py::arg("total") = total));
  };
}

engine::ImportJobOptions import_options(const std::string& input, const py::dict& kw) {
  engine::ImportJobOptions o;
  o.input = input;
  for (const auto& [k, v] : kw) {
    const std::string key = py::str(k).cast<std::string>();
    const py::object value = py::reinterpret_borrow<py::object>(v);
    if (value.is_none()) continue;
    if (key == "layers")
      o.layers = texts(value);
    else if (key == "keep_going")
      o.keep_going = value.cast<bool>();
    else if (key == "dry_run")
      o.dry_run = value.cast<bool>();
    else if (key == "store")
      o.store = option_text(value);
    else if (key == "kind")
      o.kind = option_text(value);
    else if (key == "name")
      o.name = option_text(value);
    else if (key == "crs")
      o.crs = option_text(value);
    else if (key == "source_layer")
      o.source_layer = option_text(value);
    else if (key == "project_crs")
      o.project_crs = option_text(value);
    else if (key == "encoding")
      o.encoding = option_text(value);
    else if (key == "open_options")
      o.open_options = texts(value);
    else if (key == "fields" && py::isinstance<py::dict>(value)) {
      // {"zone_code": "分區代"} or {"population": ["men", "women"]} (summed)
      for (const auto& [c, src] : py::reinterpret_borrow<py::dict>(value)) {
        std::string joined;
        for (const auto& part : texts(py::reinterpret_borrow<py::object>(src)))
          joined += (joined.empty() ? "" : "+") + part;
        o.fields.push_back(py::str(c).cast<std::string>() + "=" + joined);
      }
    } else if (key == "fields")
      o.fields = texts(value);
    else
      throw StrataError(ErrorCode::kWrongInputParameters,
                        "unknown option '" + key +
                            "' of import (layers, keep_going, dry_run, store, kind, name, fields, "
                            "crs, source_layer, project_crs, encoding, open_options)");
  }
  return o;
}

}  // namespace
}  // namespace strata::python

PYBIND11_MODULE(strata, m) {
  using namespace strata;
  using namespace strata::python;
  m.doc() = "strata: 3D cadastre and urban GIS engine (docs/python.md)";

  // strata.Error: every StrataError, with its code (e.g. 970) and name (e.g. PROJECT_FILE).
  static py::handle error_type =
      PyErr_NewExceptionWithDoc("strata.Error",
                                "A strata error: .code (e.g. 970), .name (e.g. PROJECT_FILE) and "
                                "the message (docs/error-codes.md).",
                                PyExc_RuntimeError, nullptr);
  m.attr("Error") = error_type;
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const StrataError& e) {
      py::object err = py::reinterpret_borrow<py::object>(error_type)(e.what());
      err.attr("code") = static_cast<int>(e.code());
      err.attr("name") = std::string(error_name(e.code()));
      err.attr("message") = std::string(e.what());
      PyErr_SetObject(error_type.ptr(), err.ptr());
    } catch (const std::filesystem::filesystem_error& e) {
      py::object err = py::reinterpret_borrow<py::object>(error_type)(e.what());
      err.attr("code") = static_cast<int>(ErrorCode::kStoreError);
      err.attr("name") = std::string(error_name(ErrorCode::kStoreError));
      err.attr("message") = std::string("file system: ") + e.what();
      PyErr_SetObject(error_type.ptr(), err.ptr());
    }
  });

  m.def("version", &engine::version, "strata's version, as every output records it");

  // 3D views are drawn by a child `strata render scene`: inside Python /proc/self/exe is the
  // interpreter, so name the strata binary: $STRATA_BIN; else, for the module of a build, that
  // build's binary; for an installed module, the installed binary; else `strata` on the PATH.
  {
    std::error_code ec;
    const char* from_env = std::getenv("STRATA_BIN");
    // This module's own file (its __file__ is set only after this function returns).
    Dl_info self{};
    const std::string here =
        dladdr(reinterpret_cast<void*>(&python::to_python), &self) && self.dli_fname
            ? std::filesystem::weakly_canonical(self.dli_fname, ec).string()
            : std::string();
    const bool in_build = here.rfind(std::string(STRATA_BUILD_DIR) + "/", 0) == 0;
    std::string program = from_env && *from_env ? from_env
                          : in_build            ? STRATA_CLI_PROGRAM
                                                : STRATA_INSTALLED_PROGRAM;
    if (!std::filesystem::is_regular_file(program, ec)) {
      program.clear();
      if (const char* path = std::getenv("PATH")) {
        std::stringstream dirs(path);
        for (std::string dir; std::getline(dirs, dir, ':');)
          if (!dir.empty() && std::filesystem::is_regular_file(dir + "/strata", ec)) {
            program = dir + "/strata";
            break;
          }
      }
    }
    if (!program.empty()) engine::set_renderer_program(program);
  }
  m.def("set_strata_program", &engine::set_renderer_program, py::arg("path"),
        "the strata binary that draws 3D views in a child process (default: $STRATA_BIN, else "
        "the build's strata)");

  m.def(
      "pipe_analyses",
      [] {
        py::list out;
        for (const auto& a : engine::pipe_analyses()) {
          const char* count = a.networks == engine::NetworkCount::kOne        ? "one"
                              : a.networks == engine::NetworkCount::kOneOrTwo ? "one_or_two"
                                                                              : "one_or_more";
          out.append(py::dict(
              py::arg("kind") = a.kind, py::arg("name") = a.name, py::arg("summary") = a.summary,
              py::arg("doc") = a.doc, py::arg("networks") = count, py::arg("ground") = a.ground,
              py::arg("gpkg") = a.gpkg_help, py::arg("options") = option_infos(a.options),
              py::arg("network_options") = schema_infos(engine::network_option_schema()),
              py::arg("settings") = schema_infos(engine::settings_option_schema(a.ground))));
        }
        return out;
      },
      "the pipe analyses of the engine's registry, with their options (name, keyword, help, "
      "type, default, required)");

  m.def(
      "run_pipe_analysis",
      [](const std::string& kind, const py::list& networks, py::kwargs options) {
        const engine::PipeAnalysis* analysis = engine::find_pipe_analysis(kind);
        if (!analysis)
          throw StrataError(ErrorCode::kWrongInputParameters,
                            "unknown pipe analysis '" + kind + "'");
        auto job = analysis->make();
        for (const auto& n : networks) job->inputs().networks.push_back(network_from(n));
        const auto& settings = engine::settings_option_schema(analysis->ground);
        set_options(options, [&](const std::string& key, const std::string& value) {
          if (key == "gpkg") {
            job->inputs().gpkg = value;
          } else if (const auto* spec = engine::find_option(settings, key)) {
            spec->set(job->inputs().settings, value);
          } else {
            job->set(key, value);
          }
        });
        return job_result(without_gil([&] { return job->run(); }));
      },
      py::arg("kind"), py::arg("networks"),
      "runs one pipe analysis as `strata pipes <kind>` does: networks are paths or dicts "
      "({'file': ..., 'utility': 'gas', ...}); keywords are its options, the settings "
      "(rules, crs, dem, ground_z) and gpkg; returns {'command', 'result', 'text', ...}");

  m.def(
      "build_units",
      [](const std::filesystem::path& footprints, py::kwargs options) {
        engine::UnitsOptions u;
        u.footprints.path = footprints.string();
        u.generate = !options.contains("registry");
        const auto& schema = engine::units_option_schema(u.generate);
        set_options(options, [&](const std::string& key, const std::string& value) {
          const auto* spec = engine::find_option(schema, key);
          if (!spec)
            throw StrataError(
                ErrorCode::kWrongInputParameters,
                "unknown option '" + key + "' of units " + (u.generate ? "generate" : "build"));
          spec->set(u, value);
        });
        return job_result(without_gil([&] { return engine::run_units(u); }));
      },
      py::arg("footprints"),
      "the 3D ownership model as `strata units build` (with registry=...) or `units generate` "
      "does; keywords are its options (out=..., id_field=..., height=..., profile=...); "
      "result['result']['valid'] says whether the 8xx checks passed");

  m.def(
      "kinds", [] { return to_python(engine::list_kinds().result["kinds"]); },
      "the feature kinds and their canonical fields (as `strata kinds`)");
  m.def(
      "export_plugins",
      [](py::object plugin_dirs) {
        std::vector<std::filesystem::path> dirs;
        for (const auto& d : texts(plugin_dirs)) dirs.emplace_back(d);
        return to_python(engine::list_plugins(dirs).result);
      },
      py::arg("plugin_dirs") = py::none(),
      "the export plugins with their options, and libraries that failed to load (as `strata "
      "plugins list`)");
  m.def(
      "units_options",
      [](bool generate) { return schema_infos(engine::units_option_schema(generate)); },
      py::arg("generate") = false, "the options of units build (or generate)");

  m.def(
      "inspect",
      [](const std::filesystem::path& file, const std::string& crs) {
        return job_result(without_gil([&] { return engine::run_inspect(file.string(), crs); }));
      },
      py::arg("file"), py::arg("crs") = "",
      "what a CityJSON, CityJSONSeq or CityGML file holds, as `strata inspect` (objects by "
      "type, extent, heights, geometry kinds; result['result']['rejected'] counts what was "
      "left out)");

  m.def(
      "extrude_buildings",
      [](const std::filesystem::path& footprints, const std::filesystem::path& out,
         py::kwargs options) {
        engine::ExtrudeOptions e;
        e.footprints = footprints.string();
        e.out = out.string();
        fill_options(engine::extrude_option_schema(), e, options, "extrude_buildings");
        return job_result(without_gil([&] { return engine::run_extrude(e); }));
      },
      py::arg("footprints"), py::arg("out"),
      "LoD1 block models from footprints as CityJSON 2.0, as `strata buildings extrude`");

  m.def(
      "validate",
      [](const std::filesystem::path& file, py::kwargs options) {
        engine::ValidateOptions v;
        v.file = file.string();
        set_schema_options(engine::validate_option_schema(), options, v, "validate");
        return job_result(without_gil([&] { return engine::run_validate(v); }));
      },
      py::arg("file"),
      "validates 3D geometry as `strata validate` does (val3dity's codes); keywords are its "
      "options (snap_tol, planarity_d2p_tol, overlap_tol, report, gpkg, crs, ...); "
      "result['result']['objects_invalid'], ['errors_by_code'], ...");
  m.def(
      "validate_options", [] { return schema_infos(engine::validate_option_schema()); },
      "the options of validate (name, keyword, help, type, default, required)");

  m.def(
      "import_data",
      [](const std::filesystem::path& input, py::object progress, py::kwargs options) {
        const engine::ImportJobOptions o = import_options(input.string(), options);
        const io::ProgressFn on_progress = progress_callback(progress);
        return job_result(without_gil([&] { return engine::run_import(o, on_progress); }));
      },
      py::arg("input"), py::arg("progress") = py::none(),
      "imports a project's layers (input: project .toml; layers=[...], keep_going, dry_run, "
      "store) or one data file (kind=, name=, store=, fields={'canonical': 'source'}, crs=, "
      "source_layer=, encoding=, open_options=[...]) in one transaction, as `strata import`; "
      "result['ok'] is False (and 'failure' the code) when a layer failed");

  m.def(
      "export",
      [](const std::string& target, const std::string& to, const std::string& out,
         const std::string& profile, const py::dict& plugin_options, py::object layers,
         py::object results, py::object plugin_dirs, py::object allow_attributes, bool no_results,
         bool no_pipes) {
        engine::ExportOptions e;
        e.target = target;
        e.to = to;
        e.out = out;
        e.profile = profile;
        for (const auto& [k, v] : plugin_options)
          e.options.push_back(py::str(k).cast<std::string>() + "=" + option_text(v));
        e.layers = texts(layers);
        e.results = texts(results);
        e.plugin_dirs = texts(plugin_dirs);
        e.allow_attributes = texts(allow_attributes);
        e.no_results = no_results;
        e.no_pipes = no_pipes;
        return job_result(without_gil([&] { return engine::run_export_job(e); }));
      },
      py::arg("target") = "", py::arg("to") = "", py::arg("out") = "",
      py::arg("profile") = "planner", py::arg("options") = py::dict(),
      py::arg("layers") = py::none(), py::arg("results") = py::none(),
      py::arg("plugin_dirs") = py::none(), py::arg("allow_attributes") = py::none(),
      py::arg("no_results") = false, py::arg("no_pipes") = false,
      "writes a store or project with an export plugin under a privacy profile, as "
      "`strata export`; without `to`, a project's [[exports]]");

  m.def(
      "render_map",
      [](const std::filesystem::path& source, const std::string& field, py::object out,
         py::kwargs options) {
        engine::MapOptions o;
        o.source = source.string();
        o.field = field;
        o.outs = texts(out);
        fill_options(engine::map_option_schema(), o, options, "render_map");
        return job_result(without_gil([&] { return engine::run_render_map(o); }));
      },
      py::arg("source"), py::arg("field"), py::arg("out"),
      "a choropleth of `field` of a polygon layer into out (.png/.svg, or a list), as "
      "`strata render map`; keywords are its options (classes, class_count, breaks, palette, "
      "title, ...: strata.render_options('map'))");

  m.def(
      "render_pipes",
      [](const py::list& networks, py::object out, py::kwargs options) {
        engine::PipeMapOptions o;
        for (const auto& n : networks) o.networks.push_back(network_from(n));
        o.outs = texts(out);
        fill_options(engine::pipe_map_option_schema(), o, options, "render_pipes",
                     &engine::settings_option_schema(false), &o.settings);
        return job_result(without_gil([&] { return engine::run_render_pipes(o); }));
      },
      py::arg("networks"), py::arg("out"),
      "a map of pipe networks by utility with findings GeoPackages, digs and context polygons "
      "into out (.png/.svg, or a list), as `strata render pipes`");

  m.def(
      "render_scene",
      [](py::object out, py::kwargs options) {
        // Checked here through the schema (a bad value is 903 at once), then drawn by a child
        // `strata render scene` like a run's 3D views: OpenGL stays out of this process.
        engine::SceneViewOptions o;
        o.out = option_text(out);
        py::dict rest;
        std::vector<std::string> args = {"--out", o.out};
        py::list networks;
        for (const auto& [k, v] : options) {
          const std::string key = py::str(k).cast<std::string>();
          if (key == "networks") {
            if (py::isinstance<py::str>(v) || !py::isinstance<py::sequence>(v))
              throw StrataError(ErrorCode::kWrongInputParameters,
                                "render_scene: networks is a list of paths or dicts");
            networks = py::list(py::reinterpret_borrow<py::object>(v));
          } else {
            rest[k] = v;
          }
        }
        fill_options(engine::scene_option_schema(), o, rest, "render_scene",
                     &engine::settings_option_schema(false), &o.settings);
        set_options(rest, [&](const std::string& key, const std::string& value) {
          std::string flag = "--" + key;
          std::replace(flag.begin(), flag.end(), '_', '-');
          const auto* spec = engine::find_option(engine::scene_option_schema(), key);
          if (spec && spec->type == engine::OptionType::kFlag) {
            if (engine::option_detail::parse_flag(key, value)) args.push_back(flag);
          } else {
            args.insert(args.end(), {flag, value});
          }
        });
        // The networks as the command takes them: the files, then each option once per network
        // in order ('' keeps a network's default). Checked here first (network_from).
        std::vector<std::string> files;
        std::map<std::string, std::vector<std::string>> per_option;
        for (std::size_t i = 0; i < networks.size(); ++i) {
          const py::handle n = networks[i];
          files.push_back(network_from(n).file);
          if (!py::isinstance<py::dict>(n)) continue;
          for (const auto& [k, v] : py::reinterpret_borrow<py::dict>(n)) {
            std::string key = py::str(k).cast<std::string>();
            if (key == "file" || v.is_none()) continue;
            std::replace(key.begin(), key.end(), '_', '-');
            auto& values = per_option[key];
            values.resize(networks.size());
            values[i] = option_text(v);
          }
        }
        // Files first: a list option before them (--layers) would take them as its values.
        args.insert(args.begin(), files.begin(), files.end());
        for (auto& [key, values] : per_option) {
          values.resize(networks.size());
          for (const auto& v : values) args.insert(args.end(), {"--" + key, v});
        }
        const nlohmann::json doc = without_gil([&] { return engine::render_scene_in_child(args); });
        if (!doc.value("ok", false)) {
          const nlohmann::json e = doc.value("error", nlohmann::json::object());
          throw StrataError(static_cast<ErrorCode>(e.value("code", 985)),
                            e.value("message", std::string("the 3D view was not drawn")));
        }
        return job_result(engine::JobResult("render scene", doc["result"], ""));
      },
      py::arg("out"),
      "a 3D view (PNG) of a model or a store's buildings, storeys and units (and pipes), as "
      "`strata render scene`, drawn by a child `strata` process; keywords are its options "
      "(model, store, layers, colour_by, cutaway, networks, ...: strata.render_options('scene'))");

  m.def(
      "render_options",
      [](const std::string& which) {
        if (which == "map") return option_infos(engine::describe(engine::map_option_schema()));
        if (which == "pipes")
          return option_infos(engine::describe(engine::pipe_map_option_schema()));
        if (which == "scene") return option_infos(engine::describe(engine::scene_option_schema()));
        throw StrataError(ErrorCode::kWrongInputParameters,
                          "render_options: '" + which + "' is not map, pipes or scene");
      },
      py::arg("which"),
      "the options of render_map ('map'), render_pipes ('pipes') or "
      "render_scene ('scene'): name, help, type, default, required");

  m.def(
      "query_at",
      [](double x, double y, double z, const std::string& model, const std::string& store,
         const std::string& crs) {
        engine::Query3dOptions q;
        q.x = x;
        q.y = y;
        q.z = z;
        q.model = model;
        q.store = store;
        q.crs = crs;
        return job_result(without_gil([&] { return engine::run_query_at(q); }));
      },
      py::arg("x"), py::arg("y"), py::arg("z"), py::arg("model") = "", py::arg("store") = "",
      py::arg("crs") = "",
      "the building, storey, units (with rights) and land at a 3D point, as `strata query at`; "
      "model: the CityJSON of units build, or store: the store with the saved model");
  m.def(
      "query_point",
      [](const std::string& verb, py::object x, py::object y, const std::string& store,
         const std::string& crs, const std::string& points) {
        engine::PointQueryOptions q;
        q.verb = verb;
        if (!x.is_none()) q.x = x.cast<double>();
        if (!y.is_none()) q.y = y.cast<double>();
        q.store = store;
        q.crs = crs;
        q.points = points;
        if (points.empty() && (x.is_none() || y.is_none()))
          throw StrataError(ErrorCode::kWrongInputParameters, "give x and y, or points=FILE");
        return job_result(without_gil([&] { return engine::run_point_query(q); }));
      },
      py::arg("verb"), py::arg("x") = py::none(), py::arg("y") = py::none(), py::arg("store") = "",
      py::arg("crs") = "", py::arg("points") = "",
      "what covers a point: verb 'zone-at', 'district-at' or 'parcel-at', as `strata query "
      "<verb>`; points=CSV answers each row");
  m.def(
      "info",
      [](const std::string& store, bool libraries, bool issues, const std::string& layer) {
        engine::InfoOptions o;
        o.target = store;
        o.libraries = libraries;
        o.issues = issues;
        o.layer = layer;
        return job_result(without_gil([&] { return engine::run_info(o); }));
      },
      py::arg("store") = "", py::arg("libraries") = false, py::arg("issues") = false,
      py::arg("layer") = "",
      "a store's layers, provenance and import report (issues=True), or the linked libraries' "
      "versions, as `strata info`");

  m.def(
      "query_units",
      [](const std::string& party, const std::string& baunit, const std::string& parcel,
         const std::string& model, const std::string& store) {
        engine::Query3dOptions q;
        q.party = party;
        q.baunit = baunit;
        q.parcel = parcel;
        q.model = model;
        q.store = store;
        return job_result(without_gil([&] { return engine::run_query_units(q); }));
      },
      py::arg("party") = "", py::arg("baunit") = "", py::arg("parcel") = "", py::arg("model") = "",
      py::arg("store") = "",
      "the units of a party, a building number or over a parcel, as `strata query units`");

  py::class_<Indicators>(m, "Indicators", "Indicators per district (and village), city-wide")
      .def_property_readonly(
          "districts", [](const Indicators& i) { return i.rows("districts"); },
          "one dict per district (district_id, district_name, indicators)")
      .def_property_readonly("villages", [](const Indicators& i) { return i.rows("villages"); })
      .def_property_readonly("city", [](const Indicators& i) { return to_python(i.doc["city"]); })
      .def_property_readonly("columns",
                             [](const Indicators& i) {
                               return to_python(i.doc.value("columns", nlohmann::json::array()));
                             })
      .def_property_readonly("definitions",
                             [](const Indicators& i) { return to_python(i.doc["indicators"]); })
      .def_property_readonly("warnings",
                             [](const Indicators& i) { return to_python(i.doc["warnings"]); })
      .def_property_readonly("provenance",
                             [](const Indicators& i) { return to_python(i.doc["provenance"]); })
      .def(
          "to_dataframe",
          [](const Indicators& i, const std::string& level) {
            return i.dataframe(level == "villages" ? "villages" : "districts");
          },
          py::arg("level") = "districts",
          "a pandas DataFrame of the districts (or villages), columns in the CSV's order");

  py::class_<RunResult>(m, "RunResult", "What a project run did (summary.json and more)")
      .def_property_readonly("ok", [](const RunResult& r) { return r.run.ok; })
      .def_property_readonly("summary", [](const RunResult& r) { return to_python(r.run.summary); })
      .def_property_readonly("text", [](const RunResult& r) { return r.run.text; })
      .def_property_readonly("failure",
                             [](const RunResult& r) -> std::optional<int> {
                               if (!r.run.failure) return std::nullopt;
                               return static_cast<int>(*r.run.failure);
                             })
      .def_property_readonly("indicators",
                             [](const RunResult& r) -> py::object {
                               if (!r.indicators) return py::none();
                               return py::cast(*r.indicators);
                             })
      .def("__bool__", [](const RunResult& r) { return r.run.ok; });

  py::class_<io::Project>(m, "Project", "A project file (docs/project-file.md)")
      .def(py::init([](const std::filesystem::path& path) { return io::load_project(path); }),
           py::arg("path"), "reads and checks the project file (strata.Error 970 if invalid)")
      .def_readonly("name", &io::Project::name)
      .def_readonly("file", &io::Project::file)
      .def_readonly("store", &io::Project::store)
      .def_readonly("output", &io::Project::output)
      .def_readonly("crs", &io::Project::crs)
      .def_readonly("analyses", &io::Project::analyses)
      .def_property_readonly("layers",
                             [](const io::Project& p) {
                               std::vector<std::string> names;
                               for (const auto& l : p.layers) names.push_back(l.name);
                               return names;
                             })
      .def(
          "run",
          [](const io::Project& p, py::object progress, bool keep_going, bool dry_run) {
            CallbackObserver observer(std::move(progress));
            RunResult r{without_gil([&] {
                          return engine::run_project(p, {keep_going, dry_run}, observer);
                        }),
                        std::nullopt};
            if (!r.run.indicators.is_null()) r.indicators = Indicators{r.run.indicators};
            return r;
          },
          py::arg("progress") = py::none(), py::arg("keep_going") = false,
          py::arg("dry_run") = false,
          "imports, analyses and outputs as `strata run` does; progress(event: dict) is "
          "called per stage and step, and cancels the run by returning False")
      .def(
          "indicators",
          [](const io::Project& p, int threads, std::optional<std::filesystem::path> out) {
            auto store = engine::open_store_arg(p.file.string());
            std::string text;
            const std::filesystem::path folder = out.value_or(p.output);
            return Indicators{without_gil([&] {
              return engine::compute_and_write_indicators(p, *store, folder, threads, text);
            })};
          },
          py::arg("threads") = 0, py::arg("out") = py::none(),
          "the [indicators] from the existing store (as `strata indicators` does), written "
          "to `out` (default: the project's output folder) and returned");
}
