#include "strata/spatial/city_model_validation.h"
#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "strata/core/parallel.h"
#include "validated_solid.h"

namespace strata::spatial {
namespace {

bool is_building(const std::string& type) { return type == "Building" || type == "BuildingPart"; }

struct PartSolid {
  std::string object;  // id of the object the solid belongs to
  int geometry;
  std::string lod;
  validation::ValidatedSolid solid;
};

// One object validated on a worker thread.
struct Validated {
  ObjectValidation report;
  std::vector<PartSolid> solids;  // valid building solids, kept for 601
  std::string root;               // building the object belongs to ("" when not a building)
  std::vector<std::string> children;
};

Validated validate_object(const CityObject& object, const ValidationTolerances& tolerances) {
  Validated v;
  v.report.id = object.id;
  v.report.type = object.type;
  v.report.geometries = static_cast<int>(object.geometries.size() + object.dropped.size());
  // Solids are kept for 601 only where there is something to compare them with: parts of a
  // building, or two geometries of one LoD.
  bool same_lod_twice = false;
  for (std::size_t i = 0; i < object.geometries.size(); ++i)
    for (std::size_t j = i + 1; j < object.geometries.size(); ++j)
      same_lod_twice |= object.geometries[i].lod == object.geometries[j].lod;
  const bool building = is_building(object.type) &&
                        (!object.parents.empty() || !object.children.empty() || same_lod_twice);
  if (building) {
    v.root = object.type == "BuildingPart" && !object.parents.empty() ? object.parents.front()
                                                                      : object.id;
    v.children = object.children;
  }
  // What the reader already found wrong: open rings (103), unreadable geometries (901).
  auto reader_finding = [&](ErrorCode code, std::string detail) {
    ValidationFinding f;
    f.code = code;
    f.object_id = object.id;
    f.detail = std::move(detail);
    v.report.findings.push_back(std::move(f));
  };
  for (const auto& where : object.unclosed_rings)
    reader_finding(ErrorCode::kRingNotClosed,
                   "a ring is not closed (its last point is not its first): " + where);
  for (const auto& reason : object.dropped)
    reader_finding(ErrorCode::kInvalidInputFile, "a geometry could not be read: " + reason);
  for (std::size_t g = 0; g < object.geometries.size(); ++g) {
    std::vector<validation::ValidatedSolid> kept;
    auto findings = validation::validate_geometry_keeping(object.geometries[g], tolerances,
                                                          building ? &kept : nullptr);
    for (auto& f : findings) {
      f.object_id = object.id;
      f.geometry = static_cast<int>(g);
      v.report.findings.push_back(std::move(f));
    }
    for (auto& solid : kept)
      v.solids.push_back(
          {object.id, static_cast<int>(g), object.geometries[g].lod, std::move(solid)});
  }
  return v;
}

// A building whose objects have (partly) arrived.
struct BuildingGroup {
  std::string root;
  std::vector<ObjectValidation> reports;
  std::vector<PartSolid> solids;
  bool root_seen = false;
  std::set<std::string> expected_children, seen;
  bool complete() const {
    return root_seen && std::includes(seen.begin(), seen.end(), expected_children.begin(),
                                      expected_children.end());
  }
};

}  // namespace

struct CityModelValidator::State {
  ValidationTolerances tolerances;
  Sink sink;
  unsigned threads;
  std::vector<CityObject> batch;
  std::map<std::string, BuildingGroup> buildings;
  ValidationStats stats;

  void flush() {
    for (const auto& o : batch) {
      ++stats.objects;
      for (const auto& g : o.geometries)
        if (g.type != CityGeometryType::kMultiSurface &&
            g.type != CityGeometryType::kCompositeSurface)
          stats.solids += static_cast<std::int64_t>(g.solids.size());
    }
    std::vector<Validated> results(batch.size());
    parallel_for(batch.size(),
                 [&](std::size_t i) { results[i] = validate_object(batch[i], tolerances); });
    batch.clear();
    std::vector<BuildingGroup> ready;
    for (auto& v : results) {
      if (v.root.empty()) {
        sink(std::move(v.report));
        continue;
      }
      auto& group = buildings[v.root];
      if (v.report.id == v.root) {
        group.root_seen = true;
        group.expected_children.insert(v.children.begin(), v.children.end());
      } else {
        group.seen.insert(v.report.id);
      }
      group.reports.push_back(std::move(v.report));
      for (auto& s : v.solids) group.solids.push_back(std::move(s));
      if (group.complete()) {
        group.root = v.root;
        ready.push_back(std::move(group));
        buildings.erase(v.root);
      }
    }
    release(ready);
  }

  // Runs `work(i)` for i in [0, n) on the workers.
  template <typename Work>
  void parallel_for(std::size_t n, Work work) {
    strata::parallel_for(n, worker_count(threads, n), [&](unsigned, std::size_t i) { work(i); });
  }

  // Buildings whose objects have all arrived: their 601 tests run in parallel, then every
  // report goes to the sink.
  void release(std::vector<BuildingGroup>& groups) {
    std::vector<std::int64_t> pairs(groups.size(), 0);
    std::vector<double> seconds(groups.size(), 0);
    parallel_for(groups.size(), [&](std::size_t i) {
      const auto start = std::chrono::steady_clock::now();
      pairs[i] = compare_parts(groups[i]);
      seconds[i] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    });
    for (std::size_t i = 0; i < groups.size(); ++i) {
      stats.part_pair_tests += pairs[i];
      stats.part_pair_seconds += seconds[i];
      for (auto& r : groups[i].reports) sink(std::move(r));
    }
    groups.clear();
  }

  // 601: within one building, two solids of the same LoD (of two parts, or two geometries of
  // one object) must not overlap. The finding goes to the building. Returns the pairs tested.
  std::int64_t compare_parts(BuildingGroup& group) const {
    std::int64_t tested = 0;
    // As val3dity: parts are compared only when every primitive of the building and its parts
    // is valid; an overlap beside an invalid part is not reported.
    for (const auto& r : group.reports)
      if (!r.findings.empty()) return 0;
    auto target = std::find_if(group.reports.begin(), group.reports.end(),
                               [&](const ObjectValidation& r) { return r.id == group.root; });
    auto& solids = group.solids;
    for (std::size_t i = 0; i < solids.size(); ++i)
      for (std::size_t j = i + 1; j < solids.size(); ++j) {
        const auto &a = solids[i], &b = solids[j];
        if (a.lod != b.lod || (a.object == b.object && a.geometry == b.geometry)) continue;
        ++tested;
        std::optional<Point3> where;
        if (!validation::solids_overlap(a.solid, b.solid, tolerances.overlap, where)) continue;
        auto& report =
            target != group.reports.end()
                ? *target
                : *std::find_if(group.reports.begin(), group.reports.end(),
                                [&](const ObjectValidation& r) { return r.id == b.object; });
        ValidationFinding f;
        f.code = ErrorCode::kBuildingPartsOverlap;
        f.object_id = report.id;
        f.geometry = report.id == b.object ? b.geometry : -1;
        f.detail = "LoD" + a.lod + " solids of " + a.object + " (geometry " +
                   std::to_string(a.geometry) + ") and " + b.object + " (geometry " +
                   std::to_string(b.geometry) + ") overlap";
        f.location = where;
        report.findings.push_back(std::move(f));
      }
    return tested;
  }
};

CityModelValidator::CityModelValidator(ValidationTolerances tolerances, Sink sink, unsigned threads)
    : state_(std::make_unique<State>()) {
  state_->tolerances = tolerances;
  state_->sink = std::move(sink);
  state_->threads = worker_count(threads, static_cast<std::size_t>(-1));
}

CityModelValidator::~CityModelValidator() = default;

void CityModelValidator::add(CityObject&& object) {
  state_->batch.push_back(std::move(object));
  if (state_->batch.size() >= 64 * static_cast<std::size_t>(state_->threads)) state_->flush();
}

void CityModelValidator::finish() {
  state_->flush();
  std::vector<BuildingGroup> rest;
  for (auto& [root, group] : state_->buildings) {
    group.root = root;
    rest.push_back(std::move(group));
  }
  state_->buildings.clear();
  state_->release(rest);
}

const ValidationStats& CityModelValidator::stats() const { return state_->stats; }

}  // namespace strata::spatial
