// strata validate FILE: geometric validation of 3D city objects and meshes with val3dity's
// error codes (CityJSON, CityJSONSeq, CityGML, .poly, .off, .obj). Writes a summary, and the
// full per-feature report with --report.
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "commands.h"
#include "strata/io/findings_gpkg.h"
#include "strata/io/mesh_readers.h"
#include "strata/spatial/city_model_validation.h"

namespace strata::cli {
namespace {

struct ValidateArgs {
  std::string file;
  std::vector<std::string> inner_shells;
  std::string primitive = "Solid";
  std::string report, gpkg;
  unsigned threads = 0;
  spatial::ValidationTolerances tolerances;
  io::CityModelOptions read;
};

nlohmann::json finding_json(const ValidationFinding& f) {
  nlohmann::json j = {{"code", static_cast<int>(f.code)},
                      {"name", std::string(error_name(f.code))},
                      {"detail", f.detail}};
  if (!f.object_id.empty()) j["id"] = f.object_id;
  for (auto [key, value] : {std::pair{"geometry", f.geometry},
                            {"solid", f.solid},
                            {"shell", f.shell},
                            {"face", f.face},
                            {"ring", f.ring}})
    if (value >= 0) j[key] = value;
  if (f.location) j["location"] = {(*f.location)[0], (*f.location)[1], (*f.location)[2]};
  return j;
}

// The first object's solid gets the inner shells of the other files (val3dity's --ishell).
void add_inner_shells(CityObject& object, const std::vector<std::string>& files) {
  for (const auto& file : files) {
    io::read_solids_file(file, [&](CityObject&& inner) {
      for (auto& g : inner.geometries)
        for (auto& solid : g.solids)
          for (auto& shell : solid)
            if (!object.geometries.empty() && !object.geometries[0].solids.empty())
              object.geometries[0].solids[0].push_back(std::move(shell));
    });
  }
}

CityGeometryType primitive_type(const std::string& name) {
  if (name == "CompositeSurface") return CityGeometryType::kCompositeSurface;
  if (name == "MultiSurface") return CityGeometryType::kMultiSurface;
  return CityGeometryType::kSolid;
}

}  // namespace

Runner add_validate(CLI::App& app, const GlobalOptions& g) {
  auto a = std::make_shared<ValidateArgs>();
  CLI::App* sub = app.add_subcommand(
      "validate",
      "Validate 3D geometry with val3dity's error codes (CityJSON, CityGML, poly/off/obj)");
  sub->add_option("file", a->file, "the file to validate")->required();
  sub->add_option("--ishell", a->inner_shells,
                  "a .poly/.off/.obj shell to add as inner shell (cavity) of the file's solid")
      ->check(CLI::ExistingFile);
  sub->add_option("--primitive", a->primitive,
                  "how to read .poly/.off/.obj shells: Solid, CompositeSurface or MultiSurface")
      ->check(CLI::IsMember({"Solid", "CompositeSurface", "MultiSurface"}))
      ->capture_default_str();
  sub->add_option("--snap-tol,--snap_tol", a->tolerances.snap,
                  "points closer than this are one vertex (m)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  sub->add_option("--planarity-d2p-tol,--planarity_d2p_tol", a->tolerances.planarity_d2p,
                  "max distance of a vertex to its polygon's plane (m)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  sub->add_option("--planarity-n-tol,--planarity_n_tol", a->tolerances.planarity_n_deg,
                  "max angle between a polygon's plane and its triangles (degrees)")
      ->check(CLI::Range(0.0, 180.0))
      ->capture_default_str();
  sub->add_option("--overlap-tol,--overlap_tol", a->tolerances.overlap,
                  "overlap depth tolerated between solids and building parts (m); 0 = none")
      ->capture_default_str();
  sub->add_option("--report", a->report, "write the full report (every feature) as JSON here");
  sub->add_option(
      "--gpkg", a->gpkg,
      "write every error as a 3D point in a GeoPackage layer 'validation_errors' (QGIS)");
  sub->add_option("--threads", a->threads, "worker threads (0 = one per core)")
      ->capture_default_str();
  sub->add_option_function<std::string>(
      "--crs", [a](const std::string& crs) { a->read.crs = crs; },
      "CRS of a CityGML file whose srsName strata cannot resolve (read in its official axis "
      "order), e.g. EPSG:31468");

  return [a, &g]() -> int {
    if (a->tolerances.overlap < 0) a->tolerances.overlap = 0;  // val3dity's -1: no tolerance
    const bool mesh_file = [&] {
      const auto dot = a->file.find_last_of('.');
      const std::string ext = dot == std::string::npos ? "" : a->file.substr(dot);
      return ext == ".poly" || ext == ".off" || ext == ".obj";
    }();

    // The per-feature report is streamed to its file as objects complete (bounded memory).
    std::ofstream report_out;
    bool first_feature = true;
    if (!a->report.empty()) {
      report_out.open(a->report);
      if (!report_out)
        return emit_error(
            g, "validate",
            StrataError(ErrorCode::kStoreError, a->report + ": cannot write the report"));
      report_out << "{\n\"features\": [\n";
    }
    std::map<int, std::int64_t> by_code;
    std::int64_t objects = 0, valid = 0, invalid = 0, without_geometry = 0;
    std::vector<std::string> examples;       // the first findings, for the text summary
    std::vector<ValidationFinding> located;  // kept for --gpkg only
    auto sink = [&](spatial::ObjectValidation&& r) {
      ++objects;
      if (!a->gpkg.empty()) located.insert(located.end(), r.findings.begin(), r.findings.end());
      for (const auto& f : r.findings) {
        ++by_code[static_cast<int>(f.code)];
        if (examples.size() < 10)
          examples.push_back(r.id + ": " + std::to_string(static_cast<int>(f.code)) + " " +
                             f.detail);
      }
      std::string status = r.valid() ? (r.geometries == 0 ? "no_geometry" : "valid") : "invalid";
      (r.valid() ? (r.geometries == 0 ? without_geometry : valid) : invalid) += 1;
      if (report_out.is_open()) {
        nlohmann::json errors = nlohmann::json::array();
        for (const auto& f : r.findings) errors.push_back(finding_json(f));
        nlohmann::json feature = {
            {"id", r.id}, {"type", r.type}, {"status", status}, {"errors", errors}};
        report_out << (first_feature ? "" : ",\n")
                   << feature.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        first_feature = false;
      }
    };
    spatial::CityModelValidator validator(a->tolerances, sink, a->threads);
    io::CityModelInfo info;
    std::vector<ValidationFinding> file_errors;
    bool first = true;
    bool read_failed = false;
    try {
      info = io::read_solids_file(
          a->file,
          [&](CityObject&& object) {
            if (first && !a->inner_shells.empty()) add_inner_shells(object, a->inner_shells);
            first = false;
            if (mesh_file)
              for (auto& geometry : object.geometries) geometry.type = primitive_type(a->primitive);
            validator.add(std::move(object));
          },
          a->read);
    } catch (const StrataError& e) {
      read_failed = true;
      ValidationFinding f;
      f.code = e.code();
      f.detail = e.what();
      file_errors.push_back(std::move(f));
    }
    validator.finish();
    // Geometries the reader had to drop are 901 errors of their object (CityObject::dropped).
    if (file_errors.empty() && objects == 0) {
      ValidationFinding f;
      f.code = ErrorCode::kEmptyPrimitive;
      f.detail = a->file + ": the file holds no city objects";
      file_errors.push_back(std::move(f));
    }
    // Records the reader could not turn into an object (a CityJSONSeq line) are errors of the
    // file; warnings (an axis order read the other way round) are said in the result.
    nlohmann::json reader_warnings = nlohmann::json::array();
    for (const auto& issue : info.issues) {
      if (issue.status == FeatureStatus::kWarning) {
        reader_warnings.push_back(issue.message);
      } else if (issue.fid >= 0) {
        ValidationFinding f;
        f.code = issue.code;
        f.detail = a->file + ": " + issue.message;
        file_errors.push_back(std::move(f));
      }
    }
    for (const auto& f : file_errors) ++by_code[static_cast<int>(f.code)];

    nlohmann::json codes = nlohmann::json::array(), counts = nlohmann::json::object();
    for (const auto& [code, n] : by_code) {
      codes.push_back(code);
      counts[std::to_string(code)] = {
          {"name", std::string(error_name(static_cast<ErrorCode>(code)))}, {"count", n}};
    }
    nlohmann::json file_json = nlohmann::json::array();
    for (const auto& f : file_errors) file_json.push_back(finding_json(f));
    const bool all_valid = by_code.empty();
    nlohmann::json result = {
        {"file", a->file},
        {"format", info.format},
        {"version", info.version},
        {"crs", info.crs ? nlohmann::json(*info.crs) : nlohmann::json(nullptr)},
        {"tolerances",
         {{"snap", a->tolerances.snap},
          {"planarity_d2p", a->tolerances.planarity_d2p},
          {"planarity_n_deg", a->tolerances.planarity_n_deg},
          {"overlap", a->tolerances.overlap}}},
        {"valid", all_valid},
        {"objects", objects},
        {"objects_valid", valid},
        {"objects_invalid", invalid},
        {"objects_without_geometry", without_geometry},
        {"error_codes", codes},
        {"errors_by_code", counts},
        {"file_errors", file_json},
        {"warnings", reader_warnings},
        {"stats",
         {{"solids", validator.stats().solids},
          {"part_pair_tests", validator.stats().part_pair_tests},
          {"part_pair_seconds", validator.stats().part_pair_seconds}}}};
    if (report_out.is_open()) {
      report_out << "\n]";
      for (const auto& [key, value] : result.items())
        report_out << ",\n\"" << key << "\": "
                   << value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      report_out << "\n}\n";
      report_out.close();
      if (!report_out)
        return emit_error(
            g, "validate",
            StrataError(ErrorCode::kStoreError, a->report + ": cannot write the report"));
      result["report"] = a->report;
    }
    if (!a->gpkg.empty()) {
      for (const auto& f : file_errors) located.push_back(f);
      io::write_findings_gpkg(a->gpkg, "validation_errors", located, info.crs);
      result["gpkg"] = a->gpkg;
    }
    std::ostringstream text;
    text << a->file << ": " << (all_valid ? "VALID" : "INVALID") << " — " << objects << " objects, "
         << valid << " valid, " << invalid << " invalid";
    if (without_geometry > 0) text << ", " << without_geometry << " without geometry";
    text << "\n";
    for (const auto& f : file_errors)
      text << "  " << static_cast<int>(f.code) << " " << error_name(f.code) << ": " << f.detail
           << "\n";
    for (const auto& w : reader_warnings) text << "  warning: " << w.get<std::string>() << "\n";
    for (const auto& [code, n] : by_code)
      text << "  " << code << " " << error_name(static_cast<ErrorCode>(code)) << ": " << n << "\n";
    for (const auto& e : examples) text << "    " << e << "\n";
    if (invalid > 0 && a->report.empty())
      text << "  (every error with its location: --report FILE)\n";
    emit(g, "validate", !read_failed, result, text.str());
    if (read_failed || (g.strict && !reader_warnings.empty())) return kExitInputData;
    return all_valid ? kExitOk : kExitInvalid;
  };
}

}  // namespace strata::cli
