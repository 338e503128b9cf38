#pragma once
// Detection overlay (docs/pipes.md): survey picks (ground-penetrating radar, electromagnetic
// locators) against the recorded pipes. Picks near a record measure how far the pipe really
// lies from where the record puts it; picks near no record are clustered (DBSCAN, Open3D) and
// fitted as centrelines of undocumented pipes; records with too few picks along them were not
// detected.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "strata/core/geometry.h"
#include "strata/core/pipe.h"

namespace strata::spatial {

struct DetectionOptions {
  double unit_m = 1.0;             // metres per horizontal unit of the coordinates
  double tolerance_m = 1.0;        // a pick belongs to a record within this horizontal distance
  double depth_tolerance_m = 1.0;  // ... and this vertical distance
  double cluster_m = 1.5;          // DBSCAN neighbourhood for the picks near no record
  int min_points = 4;              // DBSCAN core size, and the fewest picks of an undocumented pipe
  double min_coverage = 0.5;       // share of a record's surveyed length with picks: detected
  double bin_m = 1.0;              // coverage bins, and the step of fitted centrelines
  bool picks_are_tops = false;     // picks mark the pipe's top (a GPR apex), not its axis
  // The surveyed area: records are judged over their length inside it. Empty: the picks'
  // bounding box widened by the tolerance.
  MultiPolygon2 area;
};

struct RecordDeviation {
  std::size_t network = 0;
  const PipeLink* pipe = nullptr;
  double surveyed_m = 0;        // its length within the surveyed area
  double coverage = 0;          // share of that length with picks (bins of bin_m)
  bool detected = false;        // coverage >= min_coverage
  std::int64_t picks = 0;       // picks attributed to it
  std::int64_t picks_used = 0;  // of which away from its ends (the deviations use these)
  // Medians over the picks used: horizontal offset, + to the left of the record's direction
  // (from its first vertex to its last); vertical offset, + when the pipe lies higher than
  // recorded. Their spread (RMS around the medians) and the largest horizontal offset.
  std::optional<double> horizontal_m, vertical_m, horizontal_rms_m, vertical_rms_m,
      max_horizontal_m;
  PipePoint location{};  // the record's axis halfway along its surveyed length
};

struct UndocumentedPipe {
  std::string id;                     // "D1", "D2", ... by decreasing number of picks
  std::vector<PipePoint> centreline;  // fitted: mean of the picks every bin_m along the cluster
  std::int64_t picks = 0;
  double length_m = 0;         // planar, metres
  double rms_m = 0;            // horizontal distance of its picks from the fitted centreline (RMS)
  std::string nearest_record;  // the nearest recorded pipe ("" when none)
  double nearest_record_m = 0;
};

struct DetectionResult {
  std::vector<RecordDeviation> records;  // records in the surveyed area, by network and id
  std::vector<UndocumentedPipe> undocumented;
  std::int64_t picks = 0, matched = 0, clustered = 0, noise = 0;  // noise: in no cluster
};

// `picks`: x, y in the networks' units; z as elevations in the networks' vertical reference.
DetectionResult overlay_detections(const std::vector<const PipeNetwork*>& networks,
                                   const std::vector<std::array<double, 3>>& picks,
                                   const DetectionOptions& options);

}  // namespace strata::spatial
