// The 3D building-ownership model: `build` joins a building registry (建號, floors, kind, area,
// parties and shares, parcels) to building footprints and writes every registered unit as a
// legal-space volume (CityJSON BuildingUnit per unit and floor) with the cadastral checks (8xx);
// `generate` derives storeys and units from building heights where no registry exists, marked
// as generated. Party identities only with the bureau profile.
#include "strata/engine/units_job.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "strata/core/clock.h"
#include "strata/core/extrusion.h"
#include "strata/engine/store_access.h"
#include "strata/io/building_footprints.h"
#include "strata/io/cityjson_writer.h"
#include "strata/io/findings_gpkg.h"
#include "strata/io/json_report.h"
#include "strata/io/registry_reader.h"
#include "strata/spatial/ownership.h"

namespace strata::engine {
namespace {

nlohmann::json finding_json(const ValidationFinding& f) {
  nlohmann::json j = {{"code", static_cast<int>(f.code)},
                      {"name", std::string(error_name(f.code))},
                      {"id", f.object_id},
                      {"detail", f.detail}};
  if (f.location) j["location"] = {(*f.location)[0], (*f.location)[1], (*f.location)[2]};
  return j;
}

}  // namespace

JobResult run_units(const UnitsOptions& a, io::Store* project_store) {
  const bool generate = a.generate;
  const std::string command = generate ? "units generate" : "units build";
  check_units_options(a);
  io::FootprintSet set = io::read_footprints(a.footprints);
  spatial::OwnershipOptions options;
  options.storey_height = a.footprints.storey_height;
  options.unit_m = set.crs ? set.crs->linear_unit_m().value_or(1.0) : 1.0;
  options.area_tolerance = a.area_tolerance;
  options.overlap_tolerance = a.overlap_tolerance;
  options.as_of = a.as_of;
  if (!a.as_of.empty() && !is_iso_date(a.as_of))
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "--as-of '" + a.as_of + "' is not a date YYYY-MM-DD");
  std::map<std::string, spatial::BuildingBlock> buildings;
  std::map<std::string, const io::Footprint*> footprint_of;
  for (const auto& fp : set.footprints) {
    spatial::BuildingBlock b{fp.id, fp.polygons, fp.base, fp.height,
                             spatial::storeys_for(fp.height, options.storey_height)};
    buildings[fp.id] = std::move(b);
    footprint_of[fp.id] = &fp;
  }
  std::vector<FeatureIssue> registry_issues;
  OwnershipModel model = generate
                             ? spatial::generate_units(buildings, options)
                             : io::read_registry(a.registry, registry_issues, a.registry_encoding);
  if (!generate) spatial::build_legal_spaces(model, buildings, options);
  auto findings = spatial::check_ownership(model, buildings, options);
  std::map<std::string, spatial::BuildingLand> land;
  const bool with_land = project_store || !a.store.empty();
  if (with_land) {
    std::unique_ptr<io::Store> opened;
    if (!project_store) opened = open_store_arg(a.store);
    io::Store& store = project_store ? *project_store : *opened;
    auto more = spatial::check_land(model, buildings, *set.crs, store, options, land);
    findings.insert(findings.end(), more.begin(), more.end());
  }
  auto links_json = [&](const std::string& building, bool zones) {
    nlohmann::json list = nlohmann::json::array();
    auto it = land.find(building);
    if (it == land.end()) return list;
    for (const auto& l : zones ? it->second.zones : it->second.parcels)
      list.push_back({{"layer", l.layer}, {"id", l.id}, {"overlap_m2", l.overlap_m2}});
    return list;
  };
  const bool bureau = a.profile == "bureau";

  // Rights per BAUnit, as written on each of its units (party references; names for bureau).
  std::map<std::string, const Party*> party_by_id;
  for (const auto& p : model.parties) party_by_id[p.id] = &p;
  std::map<std::string, nlohmann::json> rights_of;
  for (const auto& r : model.rights) {
    nlohmann::json j = {{"party", r.party}, {"type", r.type}, {"share", r.share.to_string()}};
    if (!r.valid_from.empty()) j["valid_from"] = r.valid_from;
    if (!r.valid_to.empty()) j["valid_to"] = r.valid_to;
    if (bureau && party_by_id.count(r.party)) {
      j["party_name"] = party_by_id[r.party]->name;
      j["party_identity_number"] = party_by_id[r.party]->identity_number;
    }
    rights_of[r.baunit].push_back(j);
  }
  std::map<std::string, const BAUnit*> baunit_by_id;
  for (const auto& b : model.baunits) baunit_by_id[b.id] = &b;

  // Registered units without a legal space (common parts and annexes registered without an
  // outline, docs/registry.md) are still units of their building with rights and shares: they
  // are written as BuildingUnits without geometry, so that queries and exports carry them.
  std::set<std::string> with_space;
  for (const auto& u : model.units) with_space.insert(u.baunit);
  std::vector<const BAUnit*> without_space;
  for (const auto& b : model.baunits)
    if (!with_space.count(b.id) && buildings.count(b.building)) without_space.push_back(&b);

  std::vector<CityObject> objects;
  std::map<std::string, std::vector<std::string>> children;
  for (const auto& s : model.storeys) children[s.building].push_back(s.id);
  for (const auto& u : model.units) children[u.building].push_back(u.id);
  for (const BAUnit* b : without_space) children[b->building].push_back(b->id);
  for (const auto& [id, building] : buildings) {
    CityObject o;
    o.id = id;
    o.type = "Building";
    o.children = children[id];
    nlohmann::json attributes = nlohmann::json::parse(footprint_of[id]->attributes_json);
    attributes["strata:base"] = building.base;
    attributes["strata:height"] = building.height;
    attributes["strata:storeys"] = building.storeys;
    attributes["strata:height_source"] = footprint_of[id]->height_source;
    if (with_land) {
      attributes["strata:parcels_under"] = links_json(id, false);
      attributes["strata:zones"] = links_json(id, true);
    }
    o.attributes_json = attributes.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    o.geometries.push_back(extrude_footprint(building.footprint, building.base,
                                             building.base + building.height, "1.2"));
    objects.push_back(std::move(o));
  }
  for (const auto& s : model.storeys) {
    CityObject o;
    o.id = s.id;
    o.type = "BuildingStorey";
    o.parents = {s.building};
    const nlohmann::json attributes = {
        {"floor", floor_label(s.floor)},
        {"strata:storey_height_m", options.storey_height},
        {"strata:derived", "storeys of equal height from the building's base (not registered)"},
        {"strata:generated", generate}};
    o.attributes_json = attributes.dump();
    o.geometries.push_back(
        extrude_footprint(buildings.at(s.building).footprint, s.z_bottom, s.z_top, "1"));
    objects.push_back(std::move(o));
  }
  for (const auto& u : model.units) {
    const BAUnit& b = *baunit_by_id[u.baunit];
    CityObject o;
    o.id = u.id;
    o.type = "BuildingUnit";
    o.parents = {u.building};
    nlohmann::json attributes = {
        {"building_no", b.id},
        {"floor", floor_label(u.floor)},
        {"storey", u.storey.empty() ? nlohmann::json(nullptr) : nlohmann::json(u.storey)},
        {"unit_kind", std::string(unit_kind_name(b.kind))},
        {"registered_area_m2", b.registered_area_m2},
        {"parcels", b.parcels},
        {"rights", rights_of.count(b.id) ? rights_of[b.id] : nlohmann::json::array()},
        {"strata:generated", u.generated}};
    if (!b.address.empty()) attributes["address"] = b.address;
    if (!b.use.empty()) attributes["use"] = b.use;
    if (with_land) attributes["strata:zones"] = links_json(u.building, true);
    o.attributes_json = attributes.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    o.geometries.push_back(extrude_footprint(u.outline, u.z_bottom, u.z_top, "1"));
    objects.push_back(std::move(o));
  }
  for (const BAUnit* b : without_space) {
    CityObject o;
    o.id = b->id;
    o.type = "BuildingUnit";
    o.parents = {b->building};
    std::string floors;
    for (int f : b->floors) floors += (floors.empty() ? "" : ",") + floor_label(f);
    nlohmann::json attributes = {
        {"building_no", b->id},
        {"floor", floors},
        {"storey", nullptr},
        {"unit_kind", std::string(unit_kind_name(b->kind))},
        {"registered_area_m2", b->registered_area_m2},
        {"parcels", b->parcels},
        {"rights", rights_of.count(b->id) ? rights_of[b->id] : nlohmann::json::array()},
        {"strata:volume",
         "none: registered without an outline, a share of the building's common space (give "
         "it a unit_wkt to make it a volume)"},
        {"strata:generated", b->generated}};
    if (!b->address.empty()) attributes["address"] = b->address;
    if (!b->use.empty()) attributes["use"] = b->use;
    if (with_land) attributes["strata:zones"] = links_json(b->building, true);
    o.attributes_json = attributes.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    objects.push_back(std::move(o));
  }
  io::CityJsonWriteOptions write;
  write.crs = set.crs->authority_code();
  write.title = generate ? "Units generated by strata from building heights (not registered)"
                         : "3D building-ownership model built by strata from " + a.registry;
  io::write_cityjson(a.out, objects, write);

  if (!a.gpkg.empty()) io::write_findings_gpkg(a.gpkg, "ownership_errors", findings, write.crs);
  if (a.save) {
    if (a.store.empty() && !project_store)
      throw StrataError(ErrorCode::kWrongInputParameters, "--save needs --store");
    const Crs store_crs = project_store ? project_store->crs() : open_store_arg(a.store)->crs();
    if (!store_crs.equivalent_to(*set.crs))
      throw StrataError(ErrorCode::kCrsMismatch,
                        a.store + ": the store is in " + store_crs.label() +
                            ", the footprints in " + set.crs->label() +
                            "; reproject the footprints to save the model");
    std::unique_ptr<io::Store> opened;
    if (!project_store) {
      const std::string store_path =
          is_project_file(a.store) ? io::load_project(a.store).store.string() : a.store;
      opened = io::open_geopackage_store(store_path, store_crs, /*create=*/false);
    }
    io::Store* store = project_store ? project_store : opened.get();
    io::VolumeLayer blocks, storeys, spaces;
    const std::string now = utc_now_iso8601();
    blocks.provenance.layer = "buildings_3d";
    blocks.provenance.kind = "building_3d";
    storeys.provenance.layer = "building_storeys";
    storeys.provenance.kind = "building_storey";
    spaces.provenance.layer = "legal_spaces";
    spaces.provenance.kind = "legal_space";
    for (auto* layer : {&blocks, &storeys, &spaces}) {
      layer->provenance.dataset = a.footprints.path;
      layer->provenance.source_crs = set.crs->label();
      layer->provenance.source_note =
          generate ? "generated by strata units generate (not registered)"
                   : "registry " + a.registry + " (profile " + a.profile + ")";
      layer->provenance.imported_at = now;
      layer->provenance.features_read = set.read;
      layer->provenance.features_rejected = static_cast<std::int64_t>(set.rejected.size());
    }
    for (const auto& o : objects)
      (o.type == "BuildingUnit"     ? spaces
       : o.type == "BuildingStorey" ? storeys
                                    : blocks)
          .objects.push_back(o);
    for (auto* layer : {&blocks, &storeys, &spaces})
      layer->provenance.features_imported = static_cast<std::int64_t>(layer->objects.size());
    std::vector<FeatureIssue> stored_issues;
    for (auto i : set.rejected) {
      i.layer = "buildings_3d";
      stored_issues.push_back(std::move(i));
    }
    for (auto i : registry_issues) {
      i.layer = "legal_spaces";
      stored_issues.push_back(std::move(i));
    }
    store->write_volumes({blocks, storeys, spaces}, stored_issues,
                         nlohmann::json({{"command", generate ? "units generate" : "units build"},
                                         {"legal_spaces", model.units.size()},
                                         {"units_without_volume", without_space.size()},
                                         {"buildings", blocks.objects.size()},
                                         {"storeys", storeys.objects.size()},
                                         {"findings", findings.size()}})
                             .dump());
  }
  std::map<int, std::int64_t> by_code;
  nlohmann::json findings_json = nlohmann::json::array();
  for (const auto& f : findings) {
    ++by_code[static_cast<int>(f.code)];
    findings_json.push_back(finding_json(f));
  }
  nlohmann::json codes = nlohmann::json::object();
  for (const auto& [code, n] : by_code)
    codes[std::to_string(code)] = {{"name", std::string(error_name(static_cast<ErrorCode>(code)))},
                                   {"count", n}};
  nlohmann::json issues = nlohmann::json::array();
  for (const auto& i : set.rejected) issues.push_back(io::to_json(i));
  for (const auto& i : registry_issues) issues.push_back(io::to_json(i));
  std::int64_t generated = 0;
  for (const auto& b : model.baunits) generated += b.generated;
  nlohmann::json result = {
      {"out", a.out},
      {"crs", set.crs->label()},
      {"profile", a.profile},
      {"buildings", static_cast<std::int64_t>(buildings.size())},
      {"footprints_rejected", static_cast<std::int64_t>(set.rejected.size())},
      {"baunits", static_cast<std::int64_t>(model.baunits.size())},
      {"generated_units", generated},
      {"storeys", static_cast<std::int64_t>(model.storeys.size())},
      {"legal_spaces", static_cast<std::int64_t>(model.units.size())},
      {"units_without_volume", static_cast<std::int64_t>(without_space.size())},
      {"parties", static_cast<std::int64_t>(model.parties.size())},
      {"rights", static_cast<std::int64_t>(model.rights.size())},
      {"valid", findings.empty()},
      {"errors_by_code", codes},
      {"issues", issues}};
  if (!a.gpkg.empty()) result["gpkg"] = a.gpkg;
  if (a.save) result["saved_to"] = a.store;
  if (!a.report.empty()) {
    nlohmann::json full = result;
    full["findings"] = findings_json;
    std::ofstream out(a.report);
    out << full.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    if (!out) throw StrataError(ErrorCode::kStoreError, a.report + ": cannot write the report");
    result["report"] = a.report;
  } else {
    result["findings"] = findings_json;
  }
  std::ostringstream text;
  text << a.out << ": " << buildings.size() << " buildings, " << model.baunits.size()
       << (generate ? " generated units" : " registered units") << ", " << model.units.size()
       << " legal spaces, "
       << (without_space.empty() ? std::string()
                                 : std::to_string(without_space.size()) +
                                       " units without a volume (registered without an outline), ")
       << model.parties.size() << " parties, " << model.rights.size() << " rights — "
       << (!findings.empty()
               ? std::to_string(findings.size()) + (findings.size() == 1 ? " problem" : " problems")
           : issues.empty() ? std::string("no problems")
                            : "no problems in what was read, but " + std::to_string(issues.size()) +
                                  " input rows or footprints were rejected")
       << "\n";
  for (const auto& [code, n] : by_code)
    text << "  " << code << " " << error_name(static_cast<ErrorCode>(code)) << ": " << n << "\n";
  for (std::size_t i = 0; i < findings.size() && i < 10; ++i)
    text << "    " << findings[i].object_id << ": " << findings[i].detail << "\n";
  if (!issues.empty())
    text << "  " << issues.size() << " input rows or footprints rejected (see --json)\n";
  JobResult out{command, std::move(result), text.str()};
  out.findings = !findings.empty();
  out.warnings = !issues.empty();  // rows or footprints left out: --strict fails
  return out;
}

const OptionSchema<UnitsOptions>& units_option_schema(bool generate) {
  using U = UnitsOptions;
  static const OptionSchema<U> common = {
      option<U>(
          "layer", "layer of a multi-layer source",
          [](U & u) -> auto& { return u.footprints.layer; }),
      option<U>(
          "id-field", "field with the building id the registry refers to (default: fid)",
          [](U & u) -> auto& { return u.footprints.id_field; }),
      option<U>(
          "height-field", "building height field (m)",
          [](U & u) -> auto& { return u.footprints.height_field; }),
      option<U>(
          "storeys-field", "storeys above ground field",
          [](U & u) -> auto& { return u.footprints.storeys_field; }),
      option<U>(
          "height", "one height for every building (m)",
          [](U & u) -> auto& { return u.footprints.height; }, OptionCheck::kPositive),
      option<U>(
          "storey-height", "height of one storey (m)",
          [](U & u) -> auto& { return u.footprints.storey_height; }, OptionCheck::kPositive),
      option<U>(
          "base-field", "ground height field (m)",
          [](U & u) -> auto& { return u.footprints.base_field; }),
      option<U>(
          "terrain", "terrain raster for the ground height",
          [](U & u) -> auto& { return u.footprints.terrain; }, OptionCheck::kExistingFile),
      option<U>(
          "crs", "CRS of the footprints when the file declares none",
          [](U & u) -> auto& { return u.footprints.crs; }),
      required(option<U>(
          "out", "CityJSON file to write (buildings and their units)",
          [](U & u) -> auto& { return u.out; })),
      option<U>(
          "report", "write the checks and the model's summary as JSON here",
          [](U & u) -> auto& { return u.report; }),
      option<U>(
          "gpkg",
          "write every finding as a 3D point in a GeoPackage layer 'ownership_errors' "
          "(QGIS)",
          [](U & u) -> auto& { return u.gpkg; }),
      option<U>(
          "store",
          "project store (.gpkg or .toml) with parcel and zoning layers: links every "
          "building to the land under it and checks 803",
          [](U & u) -> auto& { return u.store; }),
      option<U>(
          "save",
          "also write the model into --store, as layers buildings_3d and legal_spaces "
          "(MultiPolygonZ, one transaction)",
          [](U & u) -> auto& { return u.save; }),
      option<U>(
          "profile", "privacy profile: only 'bureau' writes party names and identity numbers",
          [](U & u) -> auto& { return u.profile; }),
  };
  static const OptionSchema<U> build = [] {
    OptionSchema<U> all = common;
    all.push_back(required(option<U>(
        "registry", "the building registry (CSV or JSON; docs/registry.md)",
        [](U & u) -> auto& { return u.registry; }, OptionCheck::kExistingFile)));
    all.push_back(option<U>(
        "encoding",
        "text encoding of a registry table that is not UTF-8, e.g. BIG5 or "
        "CP950",
        [](U & u) -> auto& { return u.registry_encoding; }));
    all.push_back(option<U>(
        "area-tol", "relative difference allowed between computed and registered areas",
        [](U & u) -> auto& { return u.area_tolerance; }));
    all.push_back(option<U>(
        "overlap-tol", "overlap depth ignored between units (m)",
        [](U & u) -> auto& { return u.overlap_tolerance; }));
    all.push_back(option<U>(
        "as-of",
        "check the rights in force on this day (YYYY-MM-DD); default: the "
        "current rights",
        [](U & u) -> auto& { return u.as_of; }));
    return all;
  }();
  return generate ? common : build;
}

void check_units_options(const UnitsOptions& a) {
  const auto& f = a.footprints;
  if (f.path.empty())
    throw StrataError(ErrorCode::kWrongInputParameters, "the footprints file is required");
  if (a.out.empty()) throw StrataError(ErrorCode::kWrongInputParameters, "--out is required");
  if (!a.generate && a.registry.empty())
    throw StrataError(ErrorCode::kWrongInputParameters, "--registry is required");
  const int heights = !f.height_field.empty() + !f.storeys_field.empty() + (f.height != 0);
  if (heights > 1)
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "--height-field, --storeys-field and --height exclude each other: give one");
  if (!f.base_field.empty() && !f.terrain.empty())
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "--base-field and --terrain exclude each other: give one");
  static const char* profiles[] = {"public", "planner", "engineer", "bureau"};
  if (std::find(std::begin(profiles), std::end(profiles), a.profile) == std::end(profiles))
    throw StrataError(
        ErrorCode::kWrongInputParameters,
        "--profile must be public, planner, engineer or bureau, not '" + a.profile + "'");
}

namespace {

UnitsOptions project_units_options(const io::Project& p) {
  const auto& u = *p.units;
  UnitsOptions o;
  o.generate = u.registry.empty();
  o.footprints.path = u.footprints.string();
  o.registry = u.registry.string();
  apply_options(units_option_schema(o.generate), u.options, o,
                p.file.string() + ":" + std::to_string(u.line) + ": [units]");
  const auto dir = p.output / "units";
  o.out = (dir / "model.city.json").string();
  o.report = (dir / "report.json").string();
  o.gpkg = (dir / "ownership_errors.gpkg").string();
  o.store = p.store.string();
  o.save = true;
  try {
    check_units_options(o);
  } catch (const StrataError& e) {
    throw StrataError(ErrorCode::kProjectFile,
                      p.file.string() + ":" + std::to_string(u.line) + ": [units]: " + e.what());
  }
  return o;
}

}  // namespace

void check_project_units(const io::Project& project) {
  if (project.units) project_units_options(project);
}

JobResult run_project_units(const io::Project& project, io::Store& store) {
  std::filesystem::create_directories(project.output / "units");
  // The findings (exit 7 on the command line) are the result here, not a failure of the run.
  JobResult r = run_units(project_units_options(project), &store);
  r.result.erase("issues");  // listed in report.json; summary.json keeps the counts
  return r;
}

}  // namespace strata::engine
