// Object File Format (.off): "OFF", counts, vertices, then faces as index lists.
#include "mesh_text.h"
#include "strata/io/mesh_readers.h"

namespace strata::io {

CityModelInfo read_off(const std::string& path,
                       const std::function<void(CityObject&&)>& on_object) {
  mesh_text::LineReader in(path);
  CityModelInfo info;
  info.format = "OFF";
  auto t = in.expect("the OFF header");
  if (t[0] != "OFF") in.fail("an .off file starts with 'OFF', found '" + t[0] + "'");
  t.erase(t.begin());
  if (t.empty()) t = in.expect("the vertex and face counts");
  if (t.size() < 2) in.fail("expected the vertex and face counts");
  const long long n_vertices = in.integer(t[0], "the vertex count");
  const long long n_faces = in.integer(t[1], "the face count");
  if (n_vertices < 0 || n_faces < 0) in.fail("negative counts");
  std::vector<Point3> vertices;
  for (long long i = 0; i < n_vertices; ++i) {
    auto v = in.expect("vertex " + std::to_string(i));
    if (v.size() < 3) in.fail("a vertex needs 3 coordinates");
    vertices.push_back({in.number(v[0], "x"), in.number(v[1], "y"), in.number(v[2], "z")});
  }
  Shell3 shell;
  for (long long f = 0; f < n_faces; ++f) {
    auto r = in.expect("face " + std::to_string(f));
    const long long n = in.integer(r[0], "the vertex count");
    if (n < 0 || static_cast<long long>(r.size()) < n + 1)
      in.fail("the face announces " + r[0] + " vertices and lists fewer");
    Ring3 ring;
    for (long long k = 1; k <= n; ++k) {
      const long long id = in.integer(r[static_cast<std::size_t>(k)], "a vertex index");
      if (id < 0 || id >= n_vertices)
        in.fail("vertex index " + std::to_string(id) + " does not exist");
      ring.push_back(vertices[static_cast<std::size_t>(id)]);
    }
    shell.push_back({std::move(ring)});
  }
  info.objects = 1;
  on_object(mesh_text::solid_object(mesh_text::stem_of(path), std::move(shell)));
  return info;
}

}  // namespace strata::io
