#include "strata/io/building_footprints.h"

#include <memory>
#include <nlohmann/json.hpp>

#include "strata/core/error.h"
#include "strata/core/geometry_validity.h"
#include "strata/io/terrain_raster.h"
#include "strata/io/vector_source.h"

namespace strata::io {
namespace {

std::string attributes_of(const VectorSource& source, const SourceFeature& f) {
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
  return attributes.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

FootprintSet read_footprints(const FootprintOptions& o) {
  if (o.height_field.empty() && o.storeys_field.empty() && o.height <= 0)
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "give the heights: --height-field, --storeys-field or --height");
  FootprintSet set;
  auto source = open_vector_source({o.path, o.layer, {}, ""});
  std::optional<Crs> crs = source->declared_crs();
  if (!o.crs.empty()) crs = Crs::from_user_input(o.crs);
  if (!crs)
    throw StrataError(ErrorCode::kCrsMissing,
                      o.path + ": the file declares no CRS; give it with --crs EPSG:...");
  set.crs = *crs;
  if (crs->is_geographic())
    throw StrataError(ErrorCode::kCrsMismatch,
                      o.path + ": footprints are in " + crs->label() +
                          " (degrees); LoD1 solids need a projected CRS in metres. "
                          "Reproject first, e.g. ogr2ogr -t_srs EPSG:3826 out.gpkg in.geojson");
  auto field = [&](const std::string& name) -> int {
    if (name.empty()) return -1;
    const int i = source->field_index(name);
    if (i < 0) {
      std::string names;
      for (const auto& f : source->fields()) names += (names.empty() ? "" : ", ") + f.name;
      throw StrataError(ErrorCode::kFieldMissing,
                        o.path + ": no field '" + name + "' (fields: " + names + ")");
    }
    return i;
  };
  const int id_i = field(o.id_field), height_i = field(o.height_field),
            storeys_i = field(o.storeys_field), base_i = field(o.base_field);
  std::unique_ptr<TerrainRaster> terrain;
  if (!o.terrain.empty()) {
    terrain = std::make_unique<TerrainRaster>(o.terrain);
    // Heights sampled in another CRS would come from the wrong place.
    if (!terrain->crs_wkt().empty() &&
        !Crs::from_user_input(terrain->crs_wkt()).equivalent_to(*crs))
      throw StrataError(ErrorCode::kCrsMismatch,
                        o.terrain + ": the terrain raster is in " +
                            Crs::from_user_input(terrain->crs_wkt()).label() +
                            ", the footprints in " + crs->label() +
                            "; reproject one of them (e.g. gdalwarp -t_srs " + crs->label() + ")");
  }

  std::vector<FeatureIssue> rejected;
  std::int64_t read = 0;
  auto reject = [&](const SourceFeature& f, const std::string& id, ErrorCode code,
                    const std::string& field_name, const std::string& message) {
    FeatureIssue i;
    i.file = o.path;
    i.fid = f.fid;
    i.feature_id = id;
    i.status = FeatureStatus::kRejected;
    i.code = code;
    i.field = field_name;
    i.message = message;
    rejected.push_back(std::move(i));
  };
  SourceFeature f;
  while (source->next(f)) {
    ++read;
    std::string id = id_i >= 0 ? to_text(f.values[static_cast<std::size_t>(id_i)]) : "";
    if (id.empty()) id = "fid-" + std::to_string(f.fid);
    if (!f.polygons || f.polygons->empty()) {
      reject(f, id, f.has_geometry ? ErrorCode::kWrongGeometryType : ErrorCode::kEmptyGeometry, "",
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
        reject(f, id, ErrorCode::kFieldType, o.base_field, "base height is not a number");
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
    double above = o.height;
    std::string source_of_height = "constant";
    if (height_i >= 0 || storeys_i >= 0) {
      const int i = height_i >= 0 ? height_i : storeys_i;
      const std::string& name = height_i >= 0 ? o.height_field : o.storeys_field;
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
      above = height_i >= 0 ? *v : *v * o.storey_height;
      source_of_height = height_i >= 0 ? "field " + o.height_field
                                       : "field " + o.storeys_field + " x " +
                                             std::to_string(o.storey_height) + " m";
    }
    Footprint fp;
    fp.id = id;
    fp.fid = f.fid;
    fp.polygons = *f.polygons;
    fp.base = base;
    fp.height = above;
    fp.height_source = source_of_height;
    fp.base_source = base_i >= 0 ? "field " + o.base_field : terrain ? "terrain " + o.terrain : "0";
    fp.attributes_json = attributes_of(*source, f);
    set.footprints.push_back(std::move(fp));
  }
  set.read = read;
  set.rejected = std::move(rejected);
  return set;
}

}  // namespace strata::io
