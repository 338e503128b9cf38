#include "point_clusters.h"

#include <open3d/geometry/PointCloud.h>

namespace strata::spatial {

std::vector<int> dbscan_clusters(const std::vector<std::array<double, 3>>& points, double eps,
                                 int min_points) {
  if (points.empty()) return {};
  open3d::geometry::PointCloud cloud;
  cloud.points_.reserve(points.size());
  for (const auto& p : points) cloud.points_.emplace_back(p[0], p[1], p[2]);
  return cloud.ClusterDBSCAN(eps, static_cast<std::size_t>(min_points), false);
}

}  // namespace strata::spatial
