#pragma once
// Builds the 3D scenes strata shows: buildings with their units coloured by BAUnit or by
// validation status, storeys pulled apart (exploded), and the underground cut-away with pipes
// as tubes below a see-through ground grid and the buildings above.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "strata/core/city_object.h"
#include "strata/core/pipe.h"
#include "strata/render/map_document.h"
#include "strata/render/scene.h"

namespace strata::render {

enum class SceneColouring { kBAUnit, kValidation, kBuilding, kPlain };

struct SceneOptions {
  SceneColouring colour_by = SceneColouring::kBAUnit;
  double explode_m = 0;     // gap opened between storeys (0: as built)
  bool units_only = false;  // draw only the buildings that have units (the registered ones)
  // Findings of the cadastral checks (8xx), keyed by BAUnit (building number) or object id: the
  // validation colouring marks those units.
  std::map<std::string, std::vector<std::string>> findings;
  std::optional<double> ground_z;    // the ground of the cut-away; default: the buildings' lowest z
  bool ground_grid = false;          // draw the ground as a see-through grid (the cut-away)
  double min_pipe_diameter_m = 0.2;  // thinner pipes are drawn this thick, so they show
  // Pipes are cut to the buildings' plan extent widened by this much (nothing: drawn whole), so
  // a kilometre of main does not shrink the block it passes to a dot.
  std::optional<double> clip_pipes_m;
  // Depths below the ground drawn this many times deeper (1: true scale), so pipes a metre down
  // read as underground in a view of a whole block; the legend says so.
  double depth_exaggeration = 1.0;
  SceneCamera camera;
};

struct SceneSummary {
  Scene scene;
  int buildings = 0, units = 0, storeys = 0, pipes = 0;
  // "valid", "finding", "invalid geometry"; only with the validation colouring (the geometric
  // checks are what a view costs most).
  std::map<std::string, int> units_by_status;
  int baunits = 0;
  std::vector<LegendEntry> legend;
  std::optional<double> ground_z;
  std::optional<double> pipes_z_min, pipes_z_max;  // the pipe axes as drawn
};

// `objects`: CityJSON objects (a strata ownership model: Building, BuildingStorey,
// BuildingUnit; or any city model, e.g. 3DBAG buildings). Each is drawn with its highest-LoD
// solid (else surfaces). Units replace the building they belong to; storeys are drawn only for
// buildings without units. `networks`: pipes drawn as tubes (heights below a flat ground are
// placed under `ground_z`).
SceneSummary build_scene(const std::vector<CityObject>& objects,
                         const std::vector<const PipeNetwork*>& networks,
                         const SceneOptions& options);

std::optional<SceneColouring> parse_scene_colouring(const std::string& name);

}  // namespace strata::render
