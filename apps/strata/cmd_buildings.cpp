// strata buildings extrude FOOTPRINTS --out FILE.city.json: LoD1 block models from 2D building
// footprints (any OGR source) with a height, a storey count or a constant height, standing on
// 0, on a base-height field or on a terrain raster. Every footprint is written or rejected
// with its reason.
#include <filesystem>
#include <sstream>

#include "commands.h"
#include "strata/core/extrusion.h"
#include "strata/core/geometry_validity.h"
#include "strata/io/cityjson_writer.h"
#include "strata/io/json_report.h"
#include "strata/io/terrain_raster.h"
#include "strata/io/vector_source.h"

namespace strata::cli {
namespace {

struct ExtrudeArgs {
  std::string footprints, layer, out, id_field, height_field, storeys_field, base_field, terrain;
  std::string crs, lod = "1.2";
  double height = 0, storey_height = 3.0;
};

nlohmann::json attributes_of(const io::VectorSource& source, const io::SourceFeature& f) {
  nlohmann::json attributes = nlohmann::json::object();
  const auto& fields = source.fields();
  for (std::size_t i = 0; i < fields.size() && i < f.values.size(); ++i) {
    const auto& v = f.values[i];
    if (is_null(v)) continue;
    if (const auto* n = std::get_if<std::int64_t>(&v))
      attributes[fields[i].name] = *n;
    else if (const auto* d = std::get_if<double>(&v))
      attributes[fields[i].name] = *d;
    else
      attributes[fields[i].name] = to_text(v);
  }
  return attributes;
}

}  // namespace

Runner add_buildings(CLI::App& app, const GlobalOptions& g) {
  auto a = std::make_shared<ExtrudeArgs>();
  CLI::App* buildings = app.add_subcommand("buildings", "Build 3D buildings");
  buildings->require_subcommand(1);
  CLI::App* sub = buildings->add_subcommand(
      "extrude",
      "LoD1 block models from 2D footprints (height, storeys or constant) as CityJSON 2.0");
  sub->add_option("footprints", a->footprints, "footprint polygons (any OGR source)")->required();
  sub->add_option("--layer", a->layer, "layer of a multi-layer source");
  sub->add_option("--out", a->out, "CityJSON file to write")->required();
  sub->add_option("--id-field", a->id_field, "field with the building id (default: fid)");
  auto* hf = sub->add_option("--height-field", a->height_field,
                             "field with the height above the base (m)");
  auto* sf = sub->add_option("--storeys-field", a->storeys_field,
                             "field with the number of storeys above ground");
  auto* hc =
      sub->add_option("--height", a->height, "one height above the base for every building (m)")
          ->check(CLI::PositiveNumber);
  hf->excludes(sf)->excludes(hc);
  sf->excludes(hc);
  sub->add_option("--storey-height", a->storey_height,
                  "height of one storey with --storeys-field (m)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  auto* bf =
      sub->add_option("--base-field", a->base_field, "field with the ground height (m); default 0");
  auto* tr = sub->add_option("--terrain", a->terrain,
                             "terrain raster (GeoTIFF DEM, same CRS): base = lowest ground height "
                             "at the footprint's vertices")
                 ->check(CLI::ExistingFile);
  bf->excludes(tr);
  sub->add_option("--crs", a->crs, "CRS of the footprints when the file declares none");
  sub->add_option("--lod", a->lod, "LoD written in the file")->capture_default_str();

  return [a, &g, sub]() -> int {
    if (a->height_field.empty() && a->storeys_field.empty() && a->height <= 0)
      return emit_error(
          g, "buildings extrude",
          StrataError(ErrorCode::kWrongInputParameters,
                      "give the heights: --height-field, --storeys-field or --height"));
    (void)sub;
    try {
      auto source = io::open_vector_source({a->footprints, a->layer, {}, ""});
      std::optional<Crs> crs = source->declared_crs();
      if (!a->crs.empty()) crs = Crs::from_user_input(a->crs);
      if (!crs)
        throw StrataError(
            ErrorCode::kCrsMissing,
            a->footprints + ": the file declares no CRS; give it with --crs EPSG:...");
      if (crs->is_geographic())
        throw StrataError(ErrorCode::kCrsMismatch,
                          a->footprints + ": footprints are in " + crs->label() +
                              " (degrees); LoD1 solids need a projected CRS in metres. "
                              "Reproject first, e.g. ogr2ogr -t_srs EPSG:3826 out.gpkg in.geojson");
      auto field = [&](const std::string& name) -> int {
        if (name.empty()) return -1;
        const int i = source->field_index(name);
        if (i < 0) {
          std::string names;
          for (const auto& f : source->fields()) names += (names.empty() ? "" : ", ") + f.name;
          throw StrataError(ErrorCode::kFieldMissing,
                            a->footprints + ": no field '" + name + "' (fields: " + names + ")");
        }
        return i;
      };
      const int id_i = field(a->id_field), height_i = field(a->height_field),
                storeys_i = field(a->storeys_field), base_i = field(a->base_field);
      std::unique_ptr<io::TerrainRaster> terrain;
      if (!a->terrain.empty()) {
        terrain = std::make_unique<io::TerrainRaster>(a->terrain);
        // Heights sampled in another CRS would come from the wrong place.
        if (!terrain->crs_wkt().empty() &&
            !Crs::from_user_input(terrain->crs_wkt()).equivalent_to(*crs))
          throw StrataError(ErrorCode::kCrsMismatch,
                            a->terrain + ": the terrain raster is in " +
                                Crs::from_user_input(terrain->crs_wkt()).label() +
                                ", the footprints in " + crs->label() +
                                "; reproject one of them (e.g. gdalwarp -t_srs " + crs->label() +
                                ")");
      }

      std::vector<CityObject> objects;
      std::vector<FeatureIssue> rejected;
      std::int64_t read = 0;
      auto reject = [&](const io::SourceFeature& f, const std::string& id, ErrorCode code,
                        const std::string& field_name, const std::string& message) {
        FeatureIssue i;
        i.file = a->footprints;
        i.fid = f.fid;
        i.feature_id = id;
        i.status = FeatureStatus::kRejected;
        i.code = code;
        i.field = field_name;
        i.message = message;
        rejected.push_back(std::move(i));
      };
      io::SourceFeature f;
      while (source->next(f)) {
        ++read;
        std::string id = id_i >= 0 ? to_text(f.values[static_cast<std::size_t>(id_i)]) : "";
        if (id.empty()) id = "fid-" + std::to_string(f.fid);
        if (!f.polygons || f.polygons->empty()) {
          reject(f, id, f.has_geometry ? ErrorCode::kWrongGeometryType : ErrorCode::kEmptyGeometry,
                 "",
                 f.has_geometry ? "footprint is a " + f.geometry_type + ", expected a polygon"
                                : "footprint has no geometry");
          continue;
        }
        if (auto problem = check_polygonal(*f.polygons)) {
          reject(f, id, problem->code, "", "invalid footprint: " + problem->detail);
          continue;
        }
        double base = 0;
        if (base_i >= 0) {
          auto b = to_real(f.values[static_cast<std::size_t>(base_i)]);
          if (!b) {
            reject(f, id, ErrorCode::kFieldType, a->base_field, "base height is not a number");
            continue;
          }
          base = *b;
        } else if (terrain) {
          int missing = 0, total = 0;
          auto b = terrain->lowest_under(*f.polygons, &missing, &total);
          if (!b) {
            reject(f, id, ErrorCode::kOutsideTerrain, "",
                   std::to_string(missing) + " of the footprint's " + std::to_string(total) +
                       " vertices lie outside the terrain raster (or on nodata cells); a base "
                       "from the others could be too high");
            continue;
          }
          base = *b;
        }
        double above = a->height;
        std::string source_of_height = "constant";
        if (height_i >= 0 || storeys_i >= 0) {
          const int i = height_i >= 0 ? height_i : storeys_i;
          const std::string& name = height_i >= 0 ? a->height_field : a->storeys_field;
          auto v = to_real(f.values[static_cast<std::size_t>(i)]);
          if (!v || !(*v > 0)) {
            reject(f, id,
                   is_null(f.values[static_cast<std::size_t>(i)]) ? ErrorCode::kFieldNull
                                                                  : ErrorCode::kFieldType,
                   name,
                   "'" + name + "' is " +
                       (v ? std::to_string(*v)
                          : "'" + to_text(f.values[static_cast<std::size_t>(i)]) + "'") +
                       ", expected a positive number");
            continue;
          }
          above = height_i >= 0 ? *v : *v * a->storey_height;
          source_of_height = height_i >= 0 ? "field " + a->height_field
                                           : "field " + a->storeys_field + " x " +
                                                 std::to_string(a->storey_height) + " m";
        }
        CityObject o;
        o.id = id;
        o.type = "Building";
        nlohmann::json attributes = attributes_of(*source, f);
        attributes["strata:base"] = base;
        attributes["strata:height"] = above;
        attributes["strata:height_source"] = source_of_height;
        attributes["strata:base_source"] = base_i >= 0 ? "field " + a->base_field
                                           : terrain   ? "terrain " + a->terrain
                                                       : "0";
        o.attributes_json =
            attributes.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        o.geometries.push_back(extrude_footprint(*f.polygons, base, base + above, a->lod));
        objects.push_back(std::move(o));
      }
      io::CityJsonWriteOptions options;
      options.crs = crs->authority_code();
      options.title = "LoD1 blocks extruded by strata from " +
                      std::filesystem::path(a->footprints).filename().string();
      io::write_cityjson(a->out, objects, options);

      nlohmann::json issues = nlohmann::json::array();
      for (const auto& i : rejected) issues.push_back(io::to_json(i));
      std::ostringstream text;
      text << a->out << ": " << objects.size() << " LoD" << a->lod << " buildings from " << read
           << " footprints";
      if (!rejected.empty()) text << ", " << rejected.size() << " rejected";
      text << "\n";
      for (std::size_t i = 0; i < rejected.size() && i < 10; ++i)
        text << "  rejected " << rejected[i].feature_id << " (fid " << rejected[i].fid
             << "): " << static_cast<int>(rejected[i].code) << " " << rejected[i].message << "\n";
      emit(g, "buildings extrude", true,
           {{"out", a->out},
            {"crs", crs->label()},
            {"features_read", read},
            {"buildings", static_cast<std::int64_t>(objects.size())},
            {"rejected", static_cast<std::int64_t>(rejected.size())},
            {"issues", issues}},
           text.str());
      return kExitOk;  // rejections are reported, as by import
    } catch (const StrataError& e) {
      return emit_error(g, "buildings extrude", e);
    }
  };
}

}  // namespace strata::cli
