// The `strata` Python module: a project or its indicators as one call into the engine, results
// as Python objects, progress as a callback, errors as strata.Error with strata's error code
// (docs/python.md). A thin client like the command line: no logic of its own.
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <thread>

#include "strata/core/error.h"
#include "strata/engine/indicators_job.h"
#include "strata/engine/pipe_analyses.h"
#include "strata/engine/project_run.h"
#include "strata/engine/render_job.h"
#include "strata/engine/store_access.h"
#include "strata/engine/units_job.h"
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

// Calls the Python callback with one dict per event; a callback that returns False cancels the
// run at the next stage (StrataError 990). Only the thread that started the run calls Python:
// progress reported from a worker thread is dropped rather than taken without the GIL.
class CallbackObserver final : public engine::Observer {
 public:
  explicit CallbackObserver(py::object callback)
      : callback_(std::move(callback)), owner_(std::this_thread::get_id()) {}
  void stage(int number, int of, const std::string& name) override {
    send(py::dict(py::arg("event") = "stage", py::arg("number") = number, py::arg("of") = of,
                  py::arg("name") = name));
  }
  void progress(const std::string& step, std::int64_t done, std::int64_t total) override {
    send(py::dict(py::arg("event") = "progress", py::arg("step") = step, py::arg("done") = done,
                  py::arg("total") = total));
  }
  void note(const std::string& line) override {
    send(py::dict(py::arg("event") = "note", py::arg("message") = line));
  }
  bool cancelled() const override { return cancelled_; }

 private:
  void send(py::dict event) {
    if (callback_.is_none() || std::this_thread::get_id() != owner_) return;
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
        py::arg("default") = o.default_text, py::arg("required") = o.required));
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
  out["result"] = to_python(r.full());
  out["text"] = r.text;
  out["warnings"] = r.warnings;
  out["findings"] = r.findings;
  return out;
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
  // interpreter, so name the strata binary: $STRATA_BIN, else the one this module was built with.
  {
    const char* from_env = std::getenv("STRATA_BIN");
    std::string program = from_env && *from_env ? from_env : STRATA_CLI_PROGRAM;
    std::error_code ec;
    if (std::filesystem::is_regular_file(program, ec)) engine::set_renderer_program(program);
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
        return job_result(job->run());
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
        return job_result(engine::run_units(u));
      },
      py::arg("footprints"),
      "the 3D ownership model as `strata units build` (with registry=...) or `units generate` "
      "does; keywords are its options (out=..., id_field=..., height=..., profile=...); "
      "result['result']['valid'] says whether the 8xx checks passed");

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
            RunResult r{engine::run_project(p, {keep_going, dry_run}, observer), std::nullopt};
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
            return Indicators{engine::compute_and_write_indicators(
                p, *store, out.value_or(p.output), threads, text)};
          },
          py::arg("threads") = 0, py::arg("out") = py::none(),
          "the [indicators] from the existing store (as `strata indicators` does), written "
          "to `out` (default: the project's output folder) and returned");
}
