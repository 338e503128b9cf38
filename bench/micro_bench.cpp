// Micro-benchmarks of strata's inner loops on real data (Taipei villages from ../shared/data or
// $STRATA_DATA_DIR): layer import without the store, R-tree point lookups against a brute-force
// scan, and share parsing. Run: build/release/bench/strata_bench
#include <benchmark/benchmark.h>

#include <boost/geometry/algorithms/covered_by.hpp>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>

#include "strata/core/extrusion.h"
#include "strata/core/share.h"
#include "strata/io/building_footprints.h"
#include "strata/io/layer_import.h"
#include "strata/spatial/geometry_validation.h"
#include "strata/spatial/ownership.h"
#include "strata/spatial/polygon_index.h"

namespace {

std::filesystem::path data_dir() {
  if (const char* env = std::getenv("STRATA_DATA_DIR")) return env;
  return std::filesystem::path(STRATA_SOURCE_DIR) / ".." / "shared" / "data";
}

strata::io::LayerSpec villages_spec() {
  strata::io::LayerSpec s;
  s.name = "villages";
  s.kind = "village";
  s.path = data_dir() / "taipei_districts_villages" / "taipei_village.geojson";
  s.fields = {{"id", {"CPTVID"}}, {"name", {"VNAME"}}};
  return s;
}

const std::vector<strata::Record>& villages() {
  static const std::vector<strata::Record> records =
      strata::io::import_layer(villages_spec(), strata::Crs::from_user_input("EPSG:3826"), {},
                               "bench")
          .records;
  return records;
}

std::vector<strata::Point2> random_points(std::size_t n) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> x(296266, 317197),
      y(2761514, 2789176);  // Taipei extent, TM2
  std::vector<strata::Point2> pts;
  for (std::size_t i = 0; i < n; ++i) pts.emplace_back(x(rng), y(rng));
  return pts;
}

void BM_ImportVillages(benchmark::State& state) {
  const auto spec = villages_spec();
  const auto crs = strata::Crs::from_user_input("EPSG:3826");
  for (auto _ : state) benchmark::DoNotOptimize(strata::io::import_layer(spec, crs, {}, "bench"));
  state.SetItemsProcessed(state.iterations() * 456);
}
BENCHMARK(BM_ImportVillages)->Unit(benchmark::kMillisecond);

void BM_PointLookupRTree(benchmark::State& state) {
  strata::spatial::PolygonIndex index(villages());
  const auto pts = random_points(10000);
  for (auto _ : state)
    for (const auto& p : pts) benchmark::DoNotOptimize(index.covering(p));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(pts.size()));
}
BENCHMARK(BM_PointLookupRTree)->Unit(benchmark::kMillisecond);

void BM_PointLookupBruteForce(benchmark::State& state) {
  const auto& records = villages();
  const auto pts = random_points(1000);
  for (auto _ : state) {
    for (const auto& p : pts) {
      int hits = 0;
      for (const auto& r : records) hits += boost::geometry::covered_by(p, r.geometry) ? 1 : 0;
      benchmark::DoNotOptimize(hits);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(pts.size()));
}
BENCHMARK(BM_PointLookupBruteForce)->Unit(benchmark::kMillisecond);

void BM_ShareParse(benchmark::State& state) {
  const char* inputs[] = {"1/3", "3分之1", "10000分之2345", "0.333", "全部", "25%"};
  for (auto _ : state)
    for (const char* s : inputs) benchmark::DoNotOptimize(strata::Share::parse(s));
  state.SetItemsProcessed(state.iterations() * 6);
}
BENCHMARK(BM_ShareParse);

}  // namespace

// The 160 real Delft BGT footprints as 9 m buildings of three storeys.
const strata::io::FootprintSet& delft_footprints() {
  static const strata::io::FootprintSet set = [] {
    strata::io::FootprintOptions o;
    o.path = (data_dir() / "delft_ahn3_pointcloud_bgt" / "bgt" / "bgt_pand.sqlite").string();
    o.id_field = "gml_id";
    o.height = 9;
    return strata::io::read_footprints(o);
  }();
  return set;
}

// Validation of real LoD1 blocks (the footprints extruded), one solid per iteration item.
void BM_ValidateLoD1(benchmark::State& state) {
  std::vector<strata::CityGeometry> solids;
  for (const auto& fp : delft_footprints().footprints)
    solids.push_back(strata::extrude_footprint(fp.polygons, fp.base, fp.base + fp.height));
  const strata::spatial::ValidationTolerances tolerances;
  for (auto _ : state)
    for (const auto& g : solids)
      benchmark::DoNotOptimize(strata::spatial::validate_geometry(g, tolerances));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(solids.size()));
}
BENCHMARK(BM_ValidateLoD1)->Unit(benchmark::kMillisecond);

// 801 unit-overlap tests: per building and storey, four registered units whose outlines are the
// footprint shifted by 0..1.5 m, so every pair on a floor overlaps and is tested exactly.
// Items = the pairs of units on one floor of one building (6 per floor).
void BM_UnitPairOverlap(benchmark::State& state) {
  std::map<std::string, strata::spatial::BuildingBlock> buildings;
  strata::OwnershipModel model;
  for (const auto& fp : delft_footprints().footprints) {
    buildings[fp.id] = {fp.id, fp.polygons, fp.base, fp.height, 3};
    for (int k = 0; k < 4; ++k) {
      strata::BAUnit b;
      b.id = fp.id + "-" + std::to_string(k);
      b.building = fp.id;
      b.floors = {1, 2, 3};
      strata::MultiPolygon2 shifted;
      for (const auto& poly : fp.polygons) {
        strata::Polygon2 q;
        for (const auto& p : poly.outer()) q.outer().emplace_back(p.x() + 0.5 * k, p.y());
        for (const auto& inner : poly.inners()) {
          strata::Ring2 r;
          for (const auto& p : inner) r.emplace_back(p.x() + 0.5 * k, p.y());
          q.inners().push_back(r);
        }
        shifted.push_back(q);
      }
      b.unit_polygon = shifted;
      model.baunits.push_back(std::move(b));
    }
  }
  const strata::spatial::OwnershipOptions options;
  strata::spatial::build_legal_spaces(model, buildings, options);
  for (auto _ : state)
    benchmark::DoNotOptimize(strata::spatial::check_ownership(model, buildings, options));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(buildings.size()) * 3 * 6);
}
BENCHMARK(BM_UnitPairOverlap)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
