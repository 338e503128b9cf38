#pragma once
// Density clusters of 3D points (DBSCAN through Open3D, kept behind this function so that only
// one file of spatial/ compiles Open3D's headers).
#include <array>
#include <vector>

namespace strata::spatial {

// One label per point: 0, 1, ... for its cluster, -1 for noise.
std::vector<int> dbscan_clusters(const std::vector<std::array<double, 3>>& points, double eps,
                                 int min_points);

}  // namespace strata::spatial
