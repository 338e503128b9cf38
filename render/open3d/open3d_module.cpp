// libstrata_open3d.so: everything strata asks of Open3D, in a module loaded on first use
// (core/open3d_module.h): point-cloud files, DBSCAN and snapshots of a 3D scene with Open3D's
// legacy visualizer (GLFW + OpenGL; the one renderer of Debian's Open3D that works without a
// GPU, under Xvfb). Nothing here throws across the module's boundary.
#include <open3d/geometry/Image.h>
#include <open3d/geometry/LineSet.h>
#include <open3d/geometry/PointCloud.h>
#include <open3d/geometry/TriangleMesh.h>
#include <open3d/io/ImageIO.h>
#include <open3d/io/PointCloudIO.h>
#include <open3d/utility/Logging.h>
#include <open3d/visualization/visualizer/RenderOption.h>
#include <open3d/visualization/visualizer/ViewControl.h>
#include <open3d/visualization/visualizer/Visualizer.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>

#include "strata/core/error.h"
#include "strata/core/open3d_module.h"
#include "strata/render/scene.h"

namespace strata::open3d_module {
namespace {

std::string read_point_cloud(const std::string& path, const std::string& format,
                             std::vector<std::array<double, 3>>& points) {
  try {
    open3d::utility::SetVerbosityLevel(open3d::utility::VerbosityLevel::Error);
    open3d::geometry::PointCloud cloud;
    open3d::io::ReadPointCloudOption option;
    option.format = format;
    if (!open3d::io::ReadPointCloud(path, cloud, option))
      return "Open3D cannot read it as " + format + " (a point cloud was expected)";
    points.reserve(cloud.points_.size());
    for (const auto& p : cloud.points_) points.push_back({p.x(), p.y(), p.z()});
    return "";
  } catch (const std::exception& e) {  // std::bad_alloc among them: a header nobody checked
    return "Open3D cannot read it as " + format + " (" + e.what() + ")";
  }
}

std::string dbscan(const std::vector<std::array<double, 3>>& points, double eps,
                   std::size_t min_points, std::vector<int>& labels) {
  try {
    open3d::geometry::PointCloud cloud;
    cloud.points_.reserve(points.size());
    for (const auto& p : points) cloud.points_.emplace_back(p[0], p[1], p[2]);
    labels = cloud.ClusterDBSCAN(eps, min_points, false);
    return "";
  } catch (const std::exception& e) {
    return std::string("DBSCAN failed: ") + e.what();
  }
}

Eigen::Vector3d rgb(const render::Rgba& c) { return {c.r, c.g, c.b}; }

// Coordinates are shifted to the scene's centre first: OpenGL works in 32-bit floats, which at
// national grid coordinates (x in the 100,000s, y in the millions) would round to decimetres.
render::SceneRender render_scene(const render::Scene& scene, const std::filesystem::path& out,
                                 int width, int height) {
  using render::SceneRender;
  SceneRender result;
  result.path = out;
  result.width = width;
  result.height = height;
  double lo[3] = {std::numeric_limits<double>::max(), std::numeric_limits<double>::max(),
                  std::numeric_limits<double>::max()};
  double hi[3] = {std::numeric_limits<double>::lowest(), std::numeric_limits<double>::lowest(),
                  std::numeric_limits<double>::lowest()};
  auto grow = [&](const Point3& p) {
    for (int i = 0; i < 3; ++i) {
      lo[i] = std::min(lo[i], p[static_cast<std::size_t>(i)]);
      hi[i] = std::max(hi[i], p[static_cast<std::size_t>(i)]);
    }
  };
  for (const auto& m : scene.meshes)
    for (const auto& t : m.triangles)
      for (const auto& p : t.corners) grow(p);
  for (const auto& l : scene.lines)
    for (const auto& p : l.points) grow(p);
  if (lo[0] > hi[0])
    throw StrataError(ErrorCode::kWrongInputParameters, out.string() + ": the 3D view is empty");
  const Eigen::Vector3d centre((lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2);
  // Returns a Vector3d, not an Eigen expression that would outlive its temporary operand.
  auto local = [&](const Point3& p) -> Eigen::Vector3d {
    return Eigen::Vector3d(p[0], p[1], p[2]) - centre;
  };

  open3d::utility::SetVerbosityLevel(open3d::utility::VerbosityLevel::Error);
  open3d::visualization::Visualizer vis;
  if (!vis.CreateVisualizerWindow("strata", width, height, 0, 0, true))
    throw StrataError(ErrorCode::kRenderFailed,
                      out.string() + ": Open3D could not open an OpenGL window on display " +
                          std::getenv("DISPLAY"));

  // One mesh and one line set for the whole scene, coloured per vertex: Open3D sets up GPU
  // buffers per geometry, which for a city of separate objects costs more than drawing them.
  auto mesh = std::make_shared<open3d::geometry::TriangleMesh>();
  for (const auto& m : scene.meshes) {
    const Eigen::Vector3d colour = rgb(m.colour);
    for (const auto& t : m.triangles) {
      const int base = static_cast<int>(mesh->vertices_.size());
      for (const auto& p : t.corners) {
        mesh->vertices_.push_back(local(p));
        mesh->vertex_colors_.push_back(colour);
      }
      mesh->triangles_.emplace_back(base, base + 1, base + 2);
    }
    result.triangles += m.triangles.size();
  }
  if (!mesh->triangles_.empty()) {
    // Own vertices per triangle: vertex normals are face normals, so each face is shaded flat.
    mesh->ComputeVertexNormals();
    vis.AddGeometry(mesh, true);
  }
  auto set = std::make_shared<open3d::geometry::LineSet>();
  for (const auto& l : scene.lines) {
    if (l.points.size() < 2) continue;
    const int base = static_cast<int>(set->points_.size());
    for (const auto& p : l.points) set->points_.push_back(local(p));
    for (std::size_t i = 0; i + 1 < l.points.size(); ++i) {
      set->lines_.emplace_back(base + static_cast<int>(i), base + static_cast<int>(i) + 1);
      set->colors_.push_back(rgb(l.colour));
    }
  }
  result.line_segments = set->lines_.size();
  if (!set->lines_.empty()) vis.AddGeometry(set, true);
  auto& option = vis.GetRenderOption();
  option.background_color_ = rgb(scene.background);
  option.mesh_show_back_face_ = true;  // face winding varies between sources
  option.line_width_ = 2.0;
  option.light_on_ = true;

  auto& view = vis.GetViewControl();
  const double az = scene.camera.azimuth_deg * M_PI / 180,
               el = scene.camera.elevation_deg * M_PI / 180;
  view.SetLookat(Eigen::Vector3d::Zero());
  view.SetFront(
      Eigen::Vector3d(std::sin(az) * std::cos(el), std::cos(az) * std::cos(el), std::sin(el)));
  view.SetUp(Eigen::Vector3d(0, 0, 1));
  view.SetZoom(scene.camera.zoom);
  vis.PollEvents();
  vis.UpdateRender();
  auto buffer = vis.CaptureScreenFloatBuffer(true);
  vis.DestroyVisualizerWindow();
  if (!buffer || buffer->IsEmpty() || buffer->num_of_channels_ != 3)
    throw StrataError(ErrorCode::kRenderFailed,
                      out.string() + ": Open3D returned no image from the OpenGL window");

  open3d::geometry::Image image;
  image.Prepare(buffer->width_, buffer->height_, 3, 1);
  std::size_t drawn = 0;
  const auto bg = rgb(scene.background);
  for (int y = 0; y < buffer->height_; ++y)
    for (int x = 0; x < buffer->width_; ++x) {
      bool differs = false;
      for (int c = 0; c < 3; ++c) {
        const float v = *buffer->PointerAt<float>(x, y, c);
        *image.PointerAt<std::uint8_t>(x, y, c) =
            static_cast<std::uint8_t>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
        differs = differs || std::abs(v - bg[c]) > 0.02;
      }
      drawn += differs;
    }
  result.coverage =
      static_cast<double>(drawn) / (static_cast<double>(buffer->width_) * buffer->height_);
  // `out` is the temporary of core/atomic_file.h (it keeps the .png Open3D picks the format by).
  if (!open3d::io::WriteImage(out.string(), image))
    throw StrataError(ErrorCode::kRenderFailed, "cannot write " + out.string());
  return result;
}

const Open3dApi api = {kOpen3dApiVersion, &read_point_cloud, &dbscan};

}  // namespace
}  // namespace strata::open3d_module

extern "C" {

__attribute__((visibility("default"))) const strata::Open3dApi* strata_open3d_api() {
  return &strata::open3d_module::api;
}

// render/scene.h's render_scene, behind the module boundary: the error comes back as its code
// and message instead of an exception.
__attribute__((visibility("default"))) bool strata_open3d_render_scene(
    const strata::render::Scene* scene, const std::filesystem::path* out, int width, int height,
    strata::render::SceneRender* result, int* code, std::string* message) {
  try {
    *result = strata::open3d_module::render_scene(*scene, *out, width, height);
    return true;
  } catch (const strata::StrataError& e) {
    *code = static_cast<int>(e.code());
    *message = e.what();
  } catch (const std::exception& e) {
    *code = static_cast<int>(strata::ErrorCode::kRenderFailed);
    *message = out->string() + ": " + e.what();
  }
  return false;
}
}
