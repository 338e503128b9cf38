// Micro-benchmarks of strata's inner loops on real data (Taipei villages from ../shared/data or
// $STRATA_DATA_DIR): layer import without the store, R-tree point lookups against a brute-force
// scan, and share parsing. Run: build/release/bench/strata_bench
#include <benchmark/benchmark.h>

#include <boost/geometry/algorithms/covered_by.hpp>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "strata/core/share.h"
#include "strata/io/layer_import.h"
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

BENCHMARK_MAIN();
