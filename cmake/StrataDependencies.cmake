# All third-party dependencies come from Debian 12 packages (scripts/install-deps.sh).
# Heavy libraries are linked only by the module that uses them:
#   core    : Boost (Geometry, headers), PROJ, oneTBB (the one thread pool, core/parallel.h),
#             libdl (loads the Open3D module)
#   io      : GDAL/OGR, nlohmann_json, toml++
#   spatial : Boost.Geometry R-tree, CGAL (3D solids), GEOS (2D overlay of the area indicators)
#   render  : Cairo, Pango; Open3D only in its module libstrata_open3d.so (survey point clouds,
#             DBSCAN, 3D snapshots), loaded on first use (core/open3d_module.h)
#   apps    : CLI11, pybind11
find_package(Boost 1.74 REQUIRED)
find_package(PROJ 9 REQUIRED CONFIG)
find_package(TBB REQUIRED CONFIG)  # libtbb-dev
find_package(GDAL 3.6 REQUIRED CONFIG)
find_package(SQLite3 REQUIRED)  # the store's bulk geometry read (io/src/gpkg_wkb_reader.cpp)
find_package(GEOS 3.11 REQUIRED CONFIG)  # the overlay GDAL itself uses; C API only
set(CGAL_DO_NOT_WARN_ABOUT_CMAKE_BUILD_TYPE TRUE)  # debug builds are for tests, not speed
find_package(CGAL 5.5 REQUIRED CONFIG)
# Debian's Open3D config expects the Eigen3 target to exist already.
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(Open3D REQUIRED CONFIG)  # its config accepts exact versions only
find_package(nlohmann_json 3.11 REQUIRED CONFIG)
find_package(tomlplusplus 3.3 REQUIRED CONFIG)
find_package(CLI11 2.1 REQUIRED CONFIG)
find_package(OpenSSL REQUIRED)  # SHA-256 of source files (provenance)
find_package(LibXml2 REQUIRED)  # CityGML reader (streaming) and writer
find_package(TinyGLTF REQUIRED CONFIG)  # glb of the 3D Tiles writer (plugins/writers/tiles)
