// strata buildings extrude FOOTPRINTS --out FILE.city.json: LoD1 block models from 2D building
// footprints (any OGR source) with a height, a storey count or a constant height, standing on
// 0, on a base-height field or on a terrain raster. Every footprint is written or rejected
// with its reason.
#include <filesystem>
#include <sstream>

#include "commands.h"
#include "strata/core/extrusion.h"
#include "strata/io/building_footprints.h"
#include "strata/io/cityjson_writer.h"
#include "strata/io/json_report.h"

namespace strata::cli {
namespace {

struct ExtrudeArgs {
  std::string footprints, layer, out, id_field, height_field, storeys_field, base_field, terrain;
  std::string crs, lod = "1.2";
  double height = 0, storey_height = 3.0;
};

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
    (void)sub;
    try {
      io::FootprintOptions fo;
      fo.path = a->footprints;
      fo.layer = a->layer;
      fo.id_field = a->id_field;
      fo.height_field = a->height_field;
      fo.storeys_field = a->storeys_field;
      fo.height = a->height;
      fo.storey_height = a->storey_height;
      fo.base_field = a->base_field;
      fo.terrain = a->terrain;
      fo.crs = a->crs;
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
        o.attributes_json =
            attributes.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        o.geometries.push_back(
            extrude_footprint(fp.polygons, fp.base, fp.base + fp.height, a->lod));
        objects.push_back(std::move(o));
      }
      io::CityJsonWriteOptions options;
      options.crs = crs.authority_code();
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
            {"crs", crs.label()},
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
