// strata buildings extrude: LoD1 block models from 2D building footprints (any OGR source) with
// a height, a storey count or a constant height, standing on 0, on a base-height field or on a
// terrain raster. Every footprint is written or rejected with its reason.
#include "strata/engine/extrude_job.h"

#include <filesystem>
#include <sstream>

#include "strata/core/extrusion.h"
#include "strata/io/building_footprints.h"
#include "strata/io/cityjson_writer.h"
#include "strata/io/json_report.h"

namespace strata::engine {

JobResult run_extrude(const ExtrudeOptions& a) {
  if (a.footprints.empty() || a.out.empty())
    throw StrataError(ErrorCode::kWrongInputParameters, "extrude needs the footprints and --out");
  if (!a.height_field.empty() + !a.storeys_field.empty() + (a.height > 0) > 1)
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "give one of --height-field, --storeys-field, --height");
  if (!a.base_field.empty() && !a.terrain.empty())
    throw StrataError(ErrorCode::kWrongInputParameters, "give --base-field or --terrain, not both");
  if (a.height < 0 || !(a.storey_height > 0))
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "--height and --storey-height are positive numbers of metres");
  io::FootprintOptions fo;
  fo.path = a.footprints;
  fo.layer = a.layer;
  fo.id_field = a.id_field;
  fo.height_field = a.height_field;
  fo.storeys_field = a.storeys_field;
  fo.height = a.height;
  fo.storey_height = a.storey_height;
  fo.base_field = a.base_field;
  fo.terrain = a.terrain;
  fo.crs = a.crs;
  io::FootprintSet set = io::read_footprints(fo);
  const Crs& crs = *set.crs;
  const std::int64_t read = set.read;
  const auto& rejected = set.rejected;
  std::vector<CityObject> objects;
  for (const auto& fp : set.footprints) {
    CityObject o;
    o.id = fp.id;
    o.type = "Building";
    nlohmann::json attributes = nlohmann::json::parse(fp.attributes_json);
    attributes["strata:base"] = fp.base;
    attributes["strata:height"] = fp.height;
    attributes["strata:height_source"] = fp.height_source;
    attributes["strata:base_source"] = fp.base_source;
    o.attributes_json = attributes.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    o.geometries.push_back(extrude_footprint(fp.polygons, fp.base, fp.base + fp.height, a.lod));
    objects.push_back(std::move(o));
  }
  io::CityJsonWriteOptions options;
  options.crs = crs.authority_code();
  options.title = "LoD1 blocks extruded by strata from " +
                  std::filesystem::path(a.footprints).filename().string();
  io::write_cityjson(a.out, objects, options);

  nlohmann::json issues = nlohmann::json::array();
  for (const auto& i : rejected) issues.push_back(io::to_json(i));
  std::ostringstream text;
  text << a.out << ": " << objects.size() << " LoD" << a.lod << " buildings from " << read
       << " footprints";
  if (!rejected.empty()) text << ", " << rejected.size() << " rejected";
  text << "\n";
  for (std::size_t i = 0; i < rejected.size() && i < 10; ++i)
    text << "  rejected " << rejected[i].feature_id << " (fid " << rejected[i].fid
         << "): " << static_cast<int>(rejected[i].code) << " " << rejected[i].message << "\n";
  JobResult out("buildings extrude",
                {{"out", a.out},
                 {"crs", crs.label()},
                 {"features_read", read},
                 {"buildings", static_cast<std::int64_t>(objects.size())},
                 {"rejected", static_cast<std::int64_t>(rejected.size())},
                 {"issues", issues}},
                text.str());
  return out;  // rejections are reported, as by import
}

const OptionSchema<ExtrudeOptions>& extrude_option_schema() {
  using E = ExtrudeOptions;
  static const OptionSchema<E> schema = {
      option<E>(
          "layer", "layer of a multi-layer source", [](E & e) -> auto& { return e.layer; }),
      required(option<E>(
          "out", "CityJSON file to write", [](E & e) -> auto& { return e.out; })),
      option<E>(
          "id-field", "field with the building id (default: fid)",
          [](E & e) -> auto& { return e.id_field; }),
      option<E>(
          "height-field", "field with the height above the base (m)",
          [](E & e) -> auto& { return e.height_field; }),
      option<E>(
          "storeys-field", "field with the number of storeys above ground",
          [](E & e) -> auto& { return e.storeys_field; }),
      option<E>(
          "height", "one height above the base for every building (m)",
          [](E & e) -> auto& { return e.height; }, OptionCheck::kPositive),
      option<E>(
          "storey-height", "height of one storey with --storeys-field (m)",
          [](E & e) -> auto& { return e.storey_height; }, OptionCheck::kPositive),
      option<E>(
          "base-field", "field with the ground height (m); default 0",
          [](E & e) -> auto& { return e.base_field; }),
      option<E>(
          "terrain",
          "terrain raster (GeoTIFF DEM, same CRS): base = lowest ground height at the "
          "footprint's vertices",
          [](E & e) -> auto& { return e.terrain; }, OptionCheck::kExistingFile),
      option<E>(
          "crs", "CRS of the footprints when the file declares none",
          [](E & e) -> auto& { return e.crs; }),
      option<E>(
          "lod", "LoD written in the file", [](E & e) -> auto& { return e.lod; })};
  return schema;
}

}  // namespace strata::engine
