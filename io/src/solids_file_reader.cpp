#include <algorithm>
#include <filesystem>

#include "strata/core/error.h"
#include "strata/io/citygml_reader.h"
#include "strata/io/mesh_readers.h"

namespace strata::io {

CityModelInfo read_solids_file(const std::string& path,
                               const std::function<void(CityObject&&)>& on_object,
                               const CityModelOptions& options) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (ext == ".poly") return read_poly(path, on_object);
  if (ext == ".off") return read_off(path, on_object);
  if (ext == ".obj") return read_obj(path, on_object);
  try {
    return read_city_model(path, on_object, options);
  } catch (const StrataError& e) {
    // GeoJSON-shaped JSON is not CityJSON; it may be JSON-FG with polyhedra.
    const std::string what = e.what();
    if (e.code() == ErrorCode::kUnsupportedFormat && what.find("is GeoJSON") != std::string::npos)
      return read_jsonfg(path, on_object);
    if (e.code() == ErrorCode::kUnsupportedFormat && what.find("'tu3djson'") != std::string::npos)
      return read_tu3djson(path, on_object);
    throw;
  }
}

}  // namespace strata::io
