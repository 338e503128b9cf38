// TetGen .poly: points with ids, then facets of one or more polygons (the first is the outer
// ring, the others are holes, as val3dity reads them); hole points and regions are skipped.
#include <optional>
#include <unordered_map>

#include "mesh_text.h"
#include "strata/io/mesh_readers.h"

namespace strata::io {

CityModelInfo read_poly(const std::string& path,
                        const std::function<void(CityObject&&)>& on_object) {
  mesh_text::LineReader in(path);
  CityModelInfo info;
  info.format = "POLY";
  auto header = in.expect("the point count");
  const long long n_points = in.integer(header[0], "the point count");
  if (n_points < 0) in.fail("the point count is negative");
  if (header.size() > 1 && in.integer(header[1], "the dimension") != 3)
    in.fail("only 3D .poly files are supported (dimension " + header[1] + ")");
  std::unordered_map<long long, Point3> points;
  for (long long i = 0; i < n_points; ++i) {
    auto t = in.expect("point " + std::to_string(i));
    if (t.size() < 4) in.fail("a point needs an id and 3 coordinates");
    points[in.integer(t[0], "the point id")] = {in.number(t[1], "x"), in.number(t[2], "y"),
                                                in.number(t[3], "z")};
  }
  auto facet_header = in.expect("the facet count");
  const long long n_facets = in.integer(facet_header[0], "the facet count");
  if (n_facets < 0) in.fail("the facet count is negative");
  Shell3 shell;
  std::optional<std::vector<std::string>> lookahead;
  for (long long f = 0;; ++f) {
    std::vector<std::string> t;
    if (f < n_facets) {
      t = in.expect("facet " + std::to_string(f));
    } else {
      // After the facets comes the hole count, a single number. A line of two numbers is one
      // more facet than announced: read it (val3dity does) and say so.
      lookahead = in.next();
      if (!lookahead || lookahead->size() < 2) break;
      t = *lookahead;
      FeatureIssue i;
      i.file = path;
      i.status = FeatureStatus::kWarning;
      i.code = ErrorCode::kInvalidInputFile;
      i.message = path + ":" + std::to_string(in.line()) + ": facet " + std::to_string(f + 1) +
                  " is not counted in the header (" + std::to_string(n_facets) +
                  " announced); it is read anyway";
      info.issues.push_back(std::move(i));
    }
    const long long n_polygons = in.integer(t[0], "the polygon count");
    const long long n_holes = t.size() > 1 ? in.integer(t[1], "the hole count") : 0;
    if (n_polygons < 0 || n_holes < 0) in.fail("negative polygon or hole count");
    Surface3 surface;
    for (long long p = 0; p < n_polygons; ++p) {
      auto r = in.expect("a polygon of facet " + std::to_string(f));
      const long long n = in.integer(r[0], "the vertex count");
      if (n < 0 || static_cast<long long>(r.size()) != n + 1)
        in.fail("the polygon announces " + r[0] + " vertices and lists " +
                std::to_string(r.size() - 1));
      Ring3 ring;
      for (long long k = 1; k <= n; ++k) {
        const long long id = in.integer(r[static_cast<std::size_t>(k)], "a vertex id");
        auto it = points.find(id);
        if (it == points.end()) in.fail("vertex " + std::to_string(id) + " does not exist");
        ring.push_back(it->second);
      }
      surface.push_back(std::move(ring));
    }
    for (long long h = 0; h < n_holes; ++h) in.expect("a hole point");
    if (!surface.empty()) shell.push_back(std::move(surface));
  }
  info.objects = 1;
  on_object(mesh_text::solid_object(mesh_text::stem_of(path), std::move(shell)));
  return info;
}

}  // namespace strata::io
