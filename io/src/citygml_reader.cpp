// CityGML building reader on libxml2's streaming xmlTextReader (no maintained CityGML library is
// packaged for Debian; libcitygml is not). Reads what strata models: buildings and their parts,
// LoD solids and (semantic) surfaces; other city objects are counted but not read.
#include "strata/io/citygml_reader.h"

#include <libxml/xmlreader.h>

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <regex>
#include <unordered_map>

#include "plausible_coordinates.h"
#include "strata/core/crs.h"
#include "strata/core/error.h"

namespace strata::io {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw StrataError(ErrorCode::kInvalidInputFile, path + ": " + what);
}

std::string to_string(const xmlChar* s) { return s ? reinterpret_cast<const char*>(s) : ""; }

bool is_building(const std::string& name) { return name == "Building" || name == "BuildingPart"; }

// City objects strata reads: buildings and their parts, and generic city objects (which carry
// their geometry in lodNGeometry, typed by the geometry element inside).
bool is_city_object(const std::string& name, const std::string& ns) {
  return (is_building(name) && ns.find("building") != std::string::npos) ||
         (name == "GenericCityObject" && ns.find("generics") != std::string::npos);
}

std::optional<CityGeometryType> gml_geometry_type(const std::string& name) {
  if (name == "Solid") return CityGeometryType::kSolid;
  if (name == "MultiSurface") return CityGeometryType::kMultiSurface;
  if (name == "CompositeSurface") return CityGeometryType::kCompositeSurface;
  if (name == "MultiSolid") return CityGeometryType::kMultiSolid;
  if (name == "CompositeSolid") return CityGeometryType::kCompositeSolid;
  return std::nullopt;
}

// A geometry property such as lod2Solid or lod1MultiSurface: its LoD and geometry type.
// Called for every element, so plain string tests rather than a regex.
std::optional<std::pair<std::string, CityGeometryType>> lod_property(const std::string& name) {
  if (name.size() < 5 || name.compare(0, 3, "lod") != 0 || name[3] < '0' || name[3] > '9')
    return std::nullopt;
  const std::string kind = name.substr(4);
  if (kind == "Geometry")
    return std::make_pair(name.substr(3, 1), CityGeometryType::kCompositeSolid);
  auto type = gml_geometry_type(kind);
  if (!type) return std::nullopt;
  return std::make_pair(name.substr(3, 1), *type);
}

// CityGML never needs a DTD. Entity declarations are refused before libxml2 sees them, so a
// "billion laughs" file cannot expand, whatever the parser's own limits are; external entities,
// XInclude and the network stay off (no XML_PARSE_NOENT / DTDLOAD / XINCLUDE, XML_PARSE_NONET).
void refuse_entity_declarations(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string prolog;
  char buffer[4096];
  // The prolog ends at the first element; a DOCTYPE's internal subset comes before it.
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    prolog.append(buffer, static_cast<std::size_t>(in.gcount()));
    std::size_t at = 0;
    bool root_found = false;
    while ((at = prolog.find('<', at)) != std::string::npos && at + 1 < prolog.size()) {
      const char next = prolog[at + 1];
      if (next != '?' && next != '!') {
        root_found = true;
        break;
      }
      ++at;
    }
    if (root_found || prolog.size() > (1u << 20)) break;
  }
  if (prolog.find("<!ENTITY") != std::string::npos)
    throw StrataError(ErrorCode::kInvalidInputFile,
                      path +
                          ": declares XML entities (<!ENTITY in its DOCTYPE); CityGML needs "
                          "none and strata does not expand them (entity expansion can make "
                          "a small file unbounded)");
}

class Reader {
 public:
  Reader(const std::string& path, const std::function<void(CityObject&&)>& on_object,
         const CityModelOptions& options)
      : path_(path), on_object_(on_object), options_(options) {}

  CityModelInfo run() {
    refuse_entity_declarations(path_);
    std::unique_ptr<xmlTextReader, decltype(&xmlFreeTextReader)> reader(
        xmlReaderForFile(path_.c_str(), nullptr,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
        xmlFreeTextReader);
    if (options_.crs) set_crs(*options_.crs, true);
    if (!reader) fail(path_, "cannot be opened as XML");
    r_ = reader.get();
    int status;
    while ((status = xmlTextReaderRead(r_)) == 1) {
      const int type = xmlTextReaderNodeType(r_);
      if (type == XML_READER_TYPE_ELEMENT) {
        const bool empty = xmlTextReaderIsEmptyElement(r_) != 0;
        start(to_string(xmlTextReaderConstLocalName(r_)),
              to_string(xmlTextReaderConstNamespaceUri(r_)));
        if (empty) end(to_string(xmlTextReaderConstLocalName(r_)));
      } else if (type == XML_READER_TYPE_END_ELEMENT) {
        end(to_string(xmlTextReaderConstLocalName(r_)));
      } else if ((type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA) &&
                 collecting_text_) {
        text_ += to_string(xmlTextReaderConstValue(r_));
      }
    }
    if (status < 0) {
      const xmlError* e = xmlGetLastError();
      fail(path_, "is not well-formed XML" +
                      (e && e->message ? std::string(" (line ") + std::to_string(e->line) + ": " +
                                             trim(e->message) + ")"
                                       : std::string()));
    }
    if (!root_seen_) fail(path_, "holds no XML element");
    return info_;
  }

 private:
  static std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }

  std::string attribute(const char* name) {
    xmlChar* v = xmlTextReaderGetAttribute(r_, reinterpret_cast<const xmlChar*>(name));
    std::string out = to_string(v);
    xmlFree(v);
    return out;
  }

  void root(const std::string& name, const std::string& ns) {
    root_seen_ = true;
    static const std::regex citygml(R"(opengis\.net/citygml/(\d\.\d))");
    std::smatch m;
    if (name == "CityModel" && std::regex_search(ns, m, citygml)) {
      info_.format = "CityGML";
      info_.version = m[1];
      return;
    }
    if (ns.find("indoorgml") != std::string::npos)
      throw StrataError(ErrorCode::kUnsupportedFormat,
                        path_ + ": is IndoorGML (<" + name +
                            ">), not CityGML: strata does not read indoor models");
    throw StrataError(
        ErrorCode::kUnsupportedFormat,
        path_ + ": is XML but not CityGML (root element <" + name + "> in namespace '" + ns + "')");
  }

  void start(const std::string& name, const std::string& ns) {
    if (!root_seen_) root(name, ns);
    const std::string srs = attribute("srsName");
    if (!srs.empty() && !crs_) set_crs(srs, false);
    if (name == "srsDimension" || !attribute("srsDimension").empty())
      dims_ = std::atoi(attribute("srsDimension").c_str());

    if (member_next_) {
      member_next_ = false;
      if (!is_city_object(name, ns)) ++info_.not_read[name];
    }
    if (is_city_object(name, ns)) {
      CityObject o;
      o.id = attribute("gml:id");
      if (o.id.empty()) o.id = attribute("id");
      o.type = name;
      if (!objects_.empty()) {
        o.parents.push_back(objects_.back().id);
        objects_.back().children.push_back(o.id);
      }
      objects_.push_back(std::move(o));
      return;
    }
    if (name == "cityObjectMember" || name == "featureMember") {
      ++members_;
      member_next_ = true;
    }
    if (objects_.empty()) return;
    if (name.size() > 7 && name.compare(name.size() - 7, 7, "Surface") == 0 &&
        ns.find("building") != std::string::npos && name != "lod2MultiSurface")
      semantic_ = name;  // WallSurface, RoofSurface, GroundSurface, ...
    if (auto lod = lod_property(name)) {
      geometry_.emplace();
      geometry_->lod = lod->first;
      geometry_->type = lod->second;
      geometry_typed_ = name.find("Geometry") == std::string::npos;
      geometry_->solids.push_back({Shell3{}});
      return;
    }
    if (!geometry_) return;
    if (auto type = gml_geometry_type(name)) {
      if (!geometry_typed_) geometry_->type = *type, geometry_typed_ = true;
      // Each solid of a MultiSolid / CompositeSolid gets its own entry.
      if (name == "Solid" && !geometry_->solids.back().back().empty())
        geometry_->solids.push_back({Shell3{}});
      return;
    }
    if (name == "interior" && !surface_ && !geometry_->solids.back().back().empty()) {
      geometry_->solids.back().push_back(Shell3{});  // a cavity of the current solid
      return;
    }
    if (name == "Polygon" || name == "Triangle") {
      surface_.emplace();
      polygon_id_ = attribute("gml:id");
    } else if (name == "LinearRing") {
      ring_.clear();
    } else if (name == "posList" || name == "pos" || name == "coordinates") {
      collecting_text_ = true;
      text_.clear();
    } else if (name == "surfaceMember" || name == "patches") {
      std::string href = attribute("xlink:href");
      if (!href.empty())
        pending_hrefs_.push_back({href[0] == '#' ? href.substr(1) : href, semantic_});
    }
  }

  void end(const std::string& name) {
    if (name == "cityObjectMember" || name == "featureMember") member_next_ = false;
    if (collecting_text_ && (name == "posList" || name == "pos" || name == "coordinates")) {
      collecting_text_ = false;
      add_coordinates(text_, name == "coordinates");
      return;
    }
    if (name == "LinearRing" && surface_) {
      // GML repeats a ring's first point at its end; strata's rings are open. A ring the file
      // left open is kept and reported (103) by the validator.
      if (ring_.size() > 1 && ring_.front() == ring_.back())
        ring_.pop_back();
      else if (!objects_.empty())
        objects_.back().unclosed_rings.push_back(
            (polygon_id_.empty() ? std::string("polygon") : "polygon " + polygon_id_) + " ring " +
            std::to_string(surface_->size()));
      surface_->push_back(std::move(ring_));
      ring_.clear();
      return;
    }
    if ((name == "Polygon" || name == "Triangle") && surface_ && geometry_) {
      if (!polygon_id_.empty()) polygons_[polygon_id_] = *surface_;
      geometry_->solids.back().back().push_back(std::move(*surface_));
      geometry_->semantics.push_back(semantic_);
      surface_.reset();
      return;
    }
    if (lod_property(name) && geometry_) {
      finish_geometry();
      return;
    }
    if (!semantic_.empty() && name == semantic_) {
      semantic_.clear();
      return;
    }
    if ((is_building(name) || name == "GenericCityObject") && !objects_.empty() &&
        objects_.back().type == name) {
      CityObject o = std::move(objects_.back());
      resolve_links(o, objects_.size() - 1);
      if (auto bad = bad_coordinates_.find(objects_.size() - 1); bad != bad_coordinates_.end()) {
        // A coordinate that is not a plausible number: none of the object's geometry is trusted.
        FeatureIssue i;
        i.file = path_;
        i.feature_id = o.id;
        i.status = FeatureStatus::kRejected;
        i.code = ErrorCode::kInvalidInputFile;
        i.message = o.id + ": " + bad->second + "; its geometry is not read";
        info_.issues.push_back(std::move(i));
        o.dropped.push_back(bad->second);
        o.geometries.clear();
        bad_coordinates_.erase(bad);
      }
      objects_.pop_back();
      ++info_.objects;
      on_object_(std::move(o));
    }
  }

  // Semantic boundary surfaces each carry their own lodNMultiSurface: they are merged into one
  // geometry per type and LoD. Polygons referenced by xlink (a solid made of the boundary
  // surfaces' polygons) are resolved when the building ends, since they may come later.
  void finish_geometry() {
    auto& geometries = objects_.back().geometries;
    std::size_t index = geometries.size();
    if (!semantic_.empty()) {
      for (std::size_t i = 0; i < geometries.size(); ++i)
        if (geometries[i].type == geometry_->type && geometries[i].lod == geometry_->lod) index = i;
    }
    if (index == geometries.size()) {
      geometries.push_back(std::move(*geometry_));
    } else {
      auto& target = geometries[index];
      for (auto& surface : geometry_->solids.back().back())
        target.solids.back().back().push_back(std::move(surface));
      target.semantics.insert(target.semantics.end(), geometry_->semantics.begin(),
                              geometry_->semantics.end());
    }
    for (auto& [id, semantic] : pending_hrefs_)
      unresolved_.push_back({objects_.size() - 1, index, id, semantic});
    pending_hrefs_.clear();
    geometry_.reset();
  }

  void resolve_links(CityObject& o, std::size_t depth) {
    std::vector<Unresolved> rest;
    for (auto& u : unresolved_) {
      if (u.depth != depth) {
        rest.push_back(u);
        continue;
      }
      auto it = polygons_.find(u.polygon_id);
      if (it == polygons_.end()) {
        FeatureIssue i;
        i.file = path_;
        i.feature_id = o.id;
        i.status = FeatureStatus::kWarning;
        i.code = ErrorCode::kInvalidInputFile;
        i.message = o.id + ": xlink to polygon '" + u.polygon_id + "' not found; surface skipped";
        info_.issues.push_back(std::move(i));
        continue;
      }
      o.geometries[u.geometry].solids.back().back().push_back(it->second);
      o.geometries[u.geometry].semantics.push_back(u.semantic);
    }
    unresolved_ = std::move(rest);
    std::erase_if(o.geometries,
                  [](const CityGeometry& g) { return g.solids.back().back().empty(); });
  }

  // The first coordinate problem of the innermost open object (by depth), reported when it ends.
  void coordinate_problem(const std::string& what) {
    if (objects_.empty()) return;
    bad_coordinates_.try_emplace(objects_.size() - 1, what);
  }

  void add_coordinates(const std::string& text, bool comma_tuples) {
    std::vector<double> values;
    const char* p = text.c_str();
    const char* const end = p + text.size();
    const char* element = comma_tuples ? "gml:coordinates" : "gml:posList";
    // Every token must be a whole number: "abc", "nan" or "1e400" is an error, never skipped.
    while (p < end) {
      while (p < end &&
             (std::isspace(static_cast<unsigned char>(*p)) || (comma_tuples && *p == ',')))
        ++p;
      if (p >= end) break;
      const char* token_end = p;
      while (token_end < end && !std::isspace(static_cast<unsigned char>(*token_end)) &&
             !(comma_tuples && *token_end == ','))
        ++token_end;
      double v = 0;
      const auto [stop, ec] = std::from_chars(p, token_end, v);
      if (ec != std::errc() || stop != token_end || !std::isfinite(v)) {
        coordinate_problem(
            std::string(element) + " value '" +
            std::string(p, std::min<std::size_t>(static_cast<std::size_t>(token_end - p), 40)) +
            (ec == std::errc::result_out_of_range ? "' is out of the range of a number"
                                                  : "' is not a finite number"));
        return;
      }
      values.push_back(v);
      p = token_end;
    }
    const std::size_t dims = dims_ == 2 ? 2 : 3;
    if (values.size() % dims != 0) {
      coordinate_problem(std::string(element) + " holds " + std::to_string(values.size()) +
                         " values, not a multiple of its dimension " + std::to_string(dims));
      return;
    }
    for (std::size_t i = 0; i + dims <= values.size(); i += dims) {
      Point3 q{values[i], values[i + 1], dims == 3 ? values[i + 2] : 0.0};
      // An implausible point is its object's problem, not evidence of the axis order.
      if (const char* what = plausibility_problem(q)) {
        coordinate_problem(std::string(element) + " point (" + number_text(q[0]) + " " +
                           number_text(q[1]) + " " + number_text(q[2]) + ") " + what);
        return;
      }
      if (!axis_decided_) decide_axis_order(q);
      if (swap_) std::swap(q[0], q[1]);
      ring_.push_back(q);
    }
  }

  // The CRS from the first srsName (or --crs, which wins). Its axis order is settled at the
  // first coordinate, see decide_axis_order().
  void set_crs(const std::string& srs, bool from_override) {
    crs_ = srs;
    info_.crs = srs;
    static const std::regex epsg(R"(EPSG(?:/0/|::|:)(\d+))", std::regex::icase);
    std::smatch m;
    std::string definition = srs;
    // A compound URN (urn:ogc:def:crs,crs:EPSG::31467,crs:EPSG::5783) names its horizontal
    // CRS first; an http URI or a urn with EPSG names its code.
    if (std::regex_search(srs, m, epsg)) definition = "EPSG:" + m[1].str();
    try {
      crs_object_ = Crs::from_user_input(definition);
      crs_ = crs_object_->authority_code().value_or(definition);
      info_.crs = crs_;
      crs_resolved_ = true;
    } catch (const StrataError&) {
      if (from_override)
        throw StrataError(ErrorCode::kWrongInputParameters,
                          "--crs " + srs + ": not a CRS PROJ knows (e.g. EPSG:31468)");
      crs_resolved_ = false;
    }
    if (from_override) overridden_ = true;
  }

  // GML puts coordinates in the CRS's official axis order (EPSG:4326 and EPSG:31467 are
  // north-first), but many exporters write east-first whatever the CRS says. The first point
  // decides, against the CRS's area of use: the official order when it lands there; the other
  // order, with a warning, only when it alone lands there; otherwise the file is refused.
  void decide_axis_order(const Point3& first) {
    axis_decided_ = true;
    // No srsName at all: coordinates without a CRS, read as they are and reported as such.
    if (!crs_) return;
    if (!crs_resolved_)
      throw StrataError(ErrorCode::kCrsMissing,
                        path_ + ": srsName '" + *crs_ +
                            "' is not a CRS strata can resolve, so the meaning and axis order of "
                            "its coordinates are unknown; give the CRS with --crs EPSG:<code> "
                            "(coordinates are then read in that CRS's official axis order)");
    const bool official_swap = crs_object_->northing_first();
    swap_ = official_swap;
    const auto area = crs_object_->area_of_use();
    if (!area) return;
    auto lands = [&](bool swap) {
      double x = swap ? first[1] : first[0], y = swap ? first[0] : first[1];
      try {
        Transformer to_lonlat(*crs_object_, Crs::wgs84_lon_lat());
        if (!to_lonlat.transform(x, y)) return false;
      } catch (const StrataError&) {
        return false;
      }
      return area->contains(x, y, 0.5);
    };
    if (lands(official_swap)) return;
    const std::string order_official = official_swap ? "north, east" : "east, north";
    const std::string order_other = official_swap ? "east, north" : "north, east";
    char point[96];
    std::snprintf(point, sizeof point, "(%.6g %.6g)", first[0], first[1]);
    if (lands(!official_swap)) {
      swap_ = !official_swap;
      FeatureIssue i;
      i.file = path_;
      i.status = FeatureStatus::kWarning;
      i.code = ErrorCode::kCrsMismatch;
      i.message = "coordinates are read " + order_other + ": the first point " + point +
                  " lies outside " + *crs_ + "'s area of use in its official axis order (" +
                  order_official + ") and inside it the other way round";
      info_.issues.push_back(std::move(i));
      return;
    }
    throw StrataError(ErrorCode::kCrsMismatch,
                      path_ + ": the first point " + point + " lies outside the area of use of " +
                          *crs_ + (overridden_ ? " (--crs)" : " (srsName)") +
                          " in either axis order: " +
                          (overridden_ ? std::string("is --crs the CRS of these coordinates?")
                                       : std::string("a wrong srsName? Give the right CRS with "
                                                     "--crs EPSG:<code>")));
  }

  const std::string& path_;
  const std::function<void(CityObject&&)>& on_object_;
  const CityModelOptions& options_;
  xmlTextReaderPtr r_ = nullptr;
  CityModelInfo info_;
  bool root_seen_ = false, collecting_text_ = false, swap_ = false;
  bool axis_decided_ = false, crs_resolved_ = false, overridden_ = false;
  bool member_next_ = false;  // the next element is a top-level city object
  std::optional<Crs> crs_object_;
  std::unordered_map<std::size_t, std::string> bad_coordinates_;  // by depth in objects_
  int dims_ = 3;
  std::int64_t members_ = 0;
  std::optional<std::string> crs_;
  std::string text_, semantic_, polygon_id_;
  bool geometry_typed_ = false;  // the lod property named the type (lod2Solid, not lod2Geometry)
  std::vector<CityObject> objects_;  // open Building / BuildingPart elements, outermost first
  std::optional<CityGeometry> geometry_;
  std::optional<Surface3> surface_;
  Ring3 ring_;
  std::vector<std::pair<std::string, std::string>> pending_hrefs_;  // polygon id, semantic
  struct Unresolved {
    std::size_t depth, geometry;  // open object (index in objects_) and its geometry
    std::string polygon_id, semantic;
  };
  std::vector<Unresolved> unresolved_;
  std::unordered_map<std::string, Surface3> polygons_;  // by gml:id, for xlinks
};

}  // namespace

CityModelInfo read_citygml(const std::string& path,
                           const std::function<void(CityObject&&)>& on_object,
                           const CityModelOptions& options) {
  if (!std::ifstream(path)) fail(path, "file not found or unreadable");
  return Reader(path, on_object, options).run();
}

CityModelInfo read_city_model(const std::string& path,
                              const std::function<void(CityObject&&)>& on_object,
                              const CityModelOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "file not found or unreadable");
  char c = 0;
  while (in.get(c) && (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\xEF' ||
                       c == '\xBB' || c == '\xBF')) {
  }
  return c == '<' ? read_citygml(path, on_object, options) : read_cityjson(path, on_object);
}

}  // namespace strata::io
