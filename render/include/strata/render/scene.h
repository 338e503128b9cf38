#pragma once
// A 3D scene as data (coloured triangle meshes and polylines) and its snapshot as a PNG. The
// snapshot is drawn by Open3D's legacy visualizer, which needs an OpenGL display: a real one, or
// Xvfb (`xvfb-run`). Open3D stays behind this interface (render/src/scene_open3d.cpp).
#include <filesystem>
#include <string>
#include <vector>

#include "strata/render/palette.h"
#include "strata/spatial/face_triangles.h"

namespace strata::render {

struct SceneMesh {
  std::vector<spatial::Triangle> triangles;
  Rgba colour;
};

struct ScenePolyline {
  std::vector<Point3> points;
  Rgba colour;
};

// Where the camera looks from: compass azimuth the camera stands at (0 north, 90 east; 225 =
// from the south-west) and elevation above the horizon (negative: from below ground).
struct SceneCamera {
  double azimuth_deg = 225;
  double elevation_deg = 35;
  double zoom = 0.55;  // Open3D's zoom: smaller shows less around the scene
};

struct Scene {
  std::vector<SceneMesh> meshes;
  std::vector<ScenePolyline> lines;
  SceneCamera camera;
  Rgba background = Rgba::hex(0xffffff);
};

struct SceneRender {
  std::filesystem::path path;
  int width = 0, height = 0;
  std::size_t triangles = 0, line_segments = 0;
  double coverage = 0;  // share of pixels that are not background
};

// True when an X display is set (DISPLAY), i.e. Open3D can open its window.
bool display_available();

// Draws the scene and writes it as PNG (temporary name, then renamed). Throws StrataError:
// 985 RENDER_FAILED when Open3D cannot open a window or read it back, 903 on an empty scene or a
// size outside 200x150 .. 8192x8192.
SceneRender render_scene(const Scene& scene, const std::filesystem::path& out, int width = 1280,
                         int height = 960);

}  // namespace strata::render
