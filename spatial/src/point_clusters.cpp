#include "point_clusters.h"

#include "strata/core/error.h"
#include "strata/core/open3d_module.h"

namespace strata::spatial {

std::vector<int> dbscan_clusters(const std::vector<std::array<double, 3>>& points, double eps,
                                 int min_points) {
  if (points.empty()) return {};
  std::vector<int> labels;
  const std::string error =
      open3d_api().dbscan(points, eps, static_cast<std::size_t>(min_points), labels);
  if (!error.empty()) throw StrataError(ErrorCode::kInternal, error);
  return labels;
}

}  // namespace strata::spatial
