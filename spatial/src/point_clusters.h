#pragma once
// Density clusters of 3D points (DBSCAN by Open3D, in strata's Open3D module loaded on first use:
// core/open3d_module.h).
#include <array>
#include <vector>

namespace strata::spatial {

// One label per point: 0, 1, ... for its cluster, -1 for noise.
std::vector<int> dbscan_clusters(const std::vector<std::array<double, 3>>& points, double eps,
                                 int min_points);

}  // namespace strata::spatial
