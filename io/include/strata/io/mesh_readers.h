#pragma once
// Readers for plain polyhedral formats: TetGen .poly (faces with holes), .off and .obj. They
// carry no semantics: each file (each OBJ object) becomes one city object with one Solid, so
// `strata validate` can check meshes from modelling tools and the val3dity test suite.
// Malformed files throw StrataError(kInvalidInputFile) naming the file and line.
#include <functional>
#include <string>

#include "strata/core/city_object.h"
#include "strata/io/cityjson_reader.h"  // CityModelInfo

namespace strata::io {

CityModelInfo read_poly(const std::string& path,
                        const std::function<void(CityObject&&)>& on_object);
CityModelInfo read_off(const std::string& path, const std::function<void(CityObject&&)>& on_object);
CityModelInfo read_obj(const std::string& path, const std::function<void(CityObject&&)>& on_object);

// JSON-FG features with Polyhedron / MultiPolyhedron places (3D solids); a file with other
// geometries is refused with 904, as val3dity does.
CityModelInfo read_jsonfg(const std::string& path,
                          const std::function<void(CityObject&&)>& on_object);

// tu3djson documents (features with CityJSON-style geometries and their own vertices).
CityModelInfo read_tu3djson(const std::string& path,
                            const std::function<void(CityObject&&)>& on_object);

// .poly / .off / .obj by extension; tu3djson; JSON-FG (a GeoJSON Feature / FeatureCollection);
// anything else by content (CityJSON, CityJSONSeq, CityGML).
CityModelInfo read_solids_file(const std::string& path,
                               const std::function<void(CityObject&&)>& on_object,
                               const CityModelOptions& options = {});

}  // namespace strata::io
