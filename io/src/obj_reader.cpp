// Wavefront .obj: vertices shared by the whole file; every "o" starts a new object, whose faces
// form one Solid. Indices are 1-based (negative = relative to the end); 0 is an error.
#include "mesh_text.h"
#include "strata/io/mesh_readers.h"

namespace strata::io {

CityModelInfo read_obj(const std::string& path,
                       const std::function<void(CityObject&&)>& on_object) {
  mesh_text::LineReader in(path);
  CityModelInfo info;
  info.format = "OBJ";
  std::vector<Point3> vertices;
  std::vector<std::pair<std::string, Shell3>> objects;
  std::string name = mesh_text::stem_of(path);
  Shell3 shell;
  bool seen_anything = false;
  auto flush = [&] {
    if (!shell.empty()) objects.emplace_back(name, std::move(shell));
    shell.clear();
  };
  while (auto t = in.next()) {
    const std::string& tag = (*t)[0];
    seen_anything = true;
    if (tag == "v") {
      if (t->size() < 4) in.fail("a vertex needs 3 coordinates");
      vertices.push_back(
          {in.number((*t)[1], "x"), in.number((*t)[2], "y"), in.number((*t)[3], "z")});
    } else if (tag == "f") {
      Ring3 ring;
      for (std::size_t k = 1; k < t->size(); ++k) {
        const std::string token = (*t)[k].substr(0, (*t)[k].find('/'));
        long long id = in.integer(token, "a vertex index");
        if (id == 0) in.fail("vertex index 0: .obj indices start at 1");
        if (id < 0) id += static_cast<long long>(vertices.size()) + 1;
        if (id < 1 || id > static_cast<long long>(vertices.size()))
          in.fail("vertex index " + token + " does not exist (" + std::to_string(vertices.size()) +
                  " vertices so far)");
        ring.push_back(vertices[static_cast<std::size_t>(id - 1)]);
      }
      shell.push_back({std::move(ring)});
    } else if (tag == "o") {
      flush();
      name = t->size() > 1 ? (*t)[1] : mesh_text::stem_of(path);
    }
    // vt, vn, g, s, usemtl, mtllib: nothing to validate.
  }
  if (!seen_anything) in.fail("the file is empty");
  flush();
  if (objects.empty()) objects.emplace_back(name, Shell3{});  // vertices only: an empty solid
  for (auto& [id, faces] : objects) {
    ++info.objects;
    on_object(mesh_text::solid_object(id, std::move(faces)));
  }
  return info;
}

}  // namespace strata::io
