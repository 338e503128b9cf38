// Snapshots of a Scene with Open3D's legacy visualizer (GLFW + OpenGL): the one renderer of
// Debian's Open3D that works without a GPU, under Xvfb. Coordinates are shifted to the scene's
// centre first: OpenGL works in 32-bit floats, which at national grid coordinates (x in the
// 100,000s, y in the millions) would round to decimetres.
#include <open3d/geometry/Image.h>
#include <open3d/geometry/LineSet.h>
#include <open3d/geometry/TriangleMesh.h>
#include <open3d/io/ImageIO.h>
#include <open3d/utility/Logging.h>
#include <open3d/visualization/visualizer/RenderOption.h>
#include <open3d/visualization/visualizer/ViewControl.h>
#include <open3d/visualization/visualizer/Visualizer.h>

#include <cmath>
#include <cstdlib>
#include <limits>

#include "strata/core/error.h"
#include "strata/render/scene.h"

namespace strata::render {

bool display_available() {
  const char* d = std::getenv("DISPLAY");
  return d && *d;
}

namespace {

Eigen::Vector3d rgb(const Rgba& c) { return {c.r, c.g, c.b}; }

}  // namespace

SceneRender render_scene(const Scene& scene, const std::filesystem::path& out, int width,
                         int height) {
  if (width < 200 || height < 150 || width > 8192 || height > 8192)
    throw StrataError(ErrorCode::kWrongInputParameters, "view size " + std::to_string(width) + "x" +
                                                            std::to_string(height) +
                                                            " is outside 200x150 .. 8192x8192");
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

  if (!display_available())
    throw StrataError(ErrorCode::kRenderFailed,
                      out.string() +
                          ": no display: set DISPLAY or install xvfb (strata then starts "
                          "xvfb-run itself)");
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
  auto tmp = out;
  tmp += ".tmp.png";  // Open3D picks the format by extension
  std::error_code ec;
  if (!open3d::io::WriteImage(tmp.string(), image)) {
    std::filesystem::remove(tmp, ec);
    throw StrataError(ErrorCode::kRenderFailed, "cannot write " + out.string());
  }
  std::filesystem::rename(tmp, out, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw StrataError(ErrorCode::kRenderFailed, "cannot write " + out.string());
  }
  return result;
}

}  // namespace strata::render
