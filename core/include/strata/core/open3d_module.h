#pragma once
// Open3D (point-cloud files, DBSCAN, 3D snapshots) lives in a module of its own,
// libstrata_open3d.so (render/open3d/), loaded the first time one of them is needed: the
// hundred-odd libraries of Open3D's chain (OpenGL, Filament, Embree, Assimp, ...) are then not
// loaded by a command, a Python session or a QGIS plugin that never uses them.
//
// The module does not throw across the boundary: each call returns "" or the message of what
// went wrong, and the caller raises the error it owns.
#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace strata {

inline constexpr int kOpen3dApiVersion = 1;

struct Open3dApi {
  int version = 0;  // kOpen3dApiVersion of the module
  // Reads a point cloud file Open3D knows; `format`: ply, pcd, xyz, xyzn, xyzrgb or pts.
  std::string (*read_point_cloud)(const std::string& path, const std::string& format,
                                  std::vector<std::array<double, 3>>& points) = nullptr;
  // DBSCAN: one label per point, 0, 1, ... per cluster, -1 for noise.
  std::string (*dbscan)(const std::vector<std::array<double, 3>>& points, double eps,
                        std::size_t min_points, std::vector<int>& labels) = nullptr;
};

// The module's functions, loading it on first use. Throws StrataError(kInternal) naming where
// it looked when the module cannot be found or loaded (an installation problem;
// STRATA_OPEN3D_MODULE names the file to use).
const Open3dApi& open3d_api();
// Another entry point of the module by name (render's 3D snapshot), loading it on first use.
void* open3d_symbol(const char* name);
// Whether the module is loaded in this process (for tests and benchmarks: a command that draws
// no 3D view must not load it).
bool open3d_loaded();

}  // namespace strata
