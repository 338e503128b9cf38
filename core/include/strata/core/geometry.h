#pragma once
// 2D geometry types of the model (Boost.Geometry models). Coordinates are in the project CRS,
// x = easting, y = northing. Polygons are closed with a clockwise outer ring (Boost's default).
#include <boost/geometry/geometries/box.hpp>
#include <boost/geometry/geometries/linestring.hpp>
#include <boost/geometry/geometries/multi_linestring.hpp>
#include <boost/geometry/geometries/multi_point.hpp>
#include <boost/geometry/geometries/multi_polygon.hpp>
#include <boost/geometry/geometries/point_xy.hpp>
#include <boost/geometry/geometries/polygon.hpp>

namespace strata {

using Point2 = boost::geometry::model::d2::point_xy<double>;
using Polygon2 = boost::geometry::model::polygon<Point2>;
using Ring2 = Polygon2::ring_type;
using MultiPolygon2 = boost::geometry::model::multi_polygon<Polygon2>;
using Box2 = boost::geometry::model::box<Point2>;
using MultiPoint2 = boost::geometry::model::multi_point<Point2>;
using Linestring2 = boost::geometry::model::linestring<Point2>;
using MultiLinestring2 = boost::geometry::model::multi_linestring<Linestring2>;

}  // namespace strata
