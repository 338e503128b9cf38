// Snapshots of a Scene: drawn by libstrata_open3d.so (render/open3d/), loaded on first use, so
// that only a process that draws a 3D view loads Open3D and its OpenGL chain.
#include <cstdlib>

#include "strata/core/atomic_file.h"
#include "strata/core/error.h"
#include "strata/core/open3d_module.h"
#include "strata/render/scene.h"

namespace strata::render {

bool display_available() {
  const char* d = std::getenv("DISPLAY");
  return d && *d;
}

SceneRender render_scene(const Scene& scene, const std::filesystem::path& out, int width,
                         int height) {
  if (width < 200 || height < 150 || width > 8192 || height > 8192)
    throw StrataError(ErrorCode::kWrongInputParameters, "view size " + std::to_string(width) + "x" +
                                                            std::to_string(height) +
                                                            " is outside 200x150 .. 8192x8192");
  bool empty = true;
  for (const auto& m : scene.meshes) empty = empty && m.triangles.empty();
  for (const auto& l : scene.lines) empty = empty && l.points.empty();
  if (empty)
    throw StrataError(ErrorCode::kWrongInputParameters, out.string() + ": the 3D view is empty");
  if (!display_available())
    throw StrataError(ErrorCode::kRenderFailed,
                      out.string() +
                          ": no display: set DISPLAY or install xvfb (strata then starts "
                          "xvfb-run itself)");
  using Draw = bool (*)(const Scene*, const std::filesystem::path*, int, int, SceneRender*, int*,
                        std::string*);
  open3d_api();  // checks that the module is of this strata's version before using its types
  auto draw = reinterpret_cast<Draw>(open3d_symbol("strata_open3d_render_scene"));
  SceneRender result;
  replace_file_atomically(
      out,
      [&](const std::filesystem::path& temporary_target) {
        // Open3D picks the format by the extension: always PNG, whatever `out` is called.
        const std::filesystem::path temporary = temporary_target.string() + ".png";
        int code = 0;
        std::string message;
        const bool drawn = draw(&scene, &temporary, width, height, &result, &code, &message);
        if (drawn) {
          std::error_code ec;
          std::filesystem::rename(temporary, temporary_target, ec);
          if (ec) {
            std::filesystem::remove(temporary, ec);
            throw StrataError(ErrorCode::kRenderFailed, "cannot write " + out.string());
          }
        } else {
          std::error_code ec;
          std::filesystem::remove(temporary, ec);
          // Name the file the user asked for, not the temporary.
          for (auto at = message.find(temporary.string()); at != std::string::npos;
               at = message.find(temporary.string(), at + out.string().size()))
            message.replace(at, temporary.string().size(), out.string());
          throw StrataError(static_cast<ErrorCode>(code), message);
        }
      },
      ErrorCode::kRenderFailed);
  result.path = out;
  return result;
}

}  // namespace strata::render
