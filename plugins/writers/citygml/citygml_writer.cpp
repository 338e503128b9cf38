// writers.citygml: buildings with their storeys and the legal spaces of registered units as
// CityGML 3.0 (GML encoding, OGC 21-006r2), LoD1 solids, written with libxml2's streaming
// xmlTextWriter. Element order follows the XSD sequences (gml:AbstractFeature, then
// core:AbstractCityObject, core:AbstractSpace, con:AbstractConstruction, bldg:AbstractBuilding),
// so that exports validate against the official schemas. Storeys and units are
// bldg:buildingSubdivision members of their building; each unit links its storey (xlink).
// strata ids that are not XML NCNames are written as gml:identifier, with a derived gml:id.
#include <libxml/xmlwriter.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>

#include "strata/core/atomic_file.h"
#include "strata/core/city_bounds.h"
#include "strata/plugins/registry.h"

namespace strata::plugins {
namespace {

using nlohmann::json;

constexpr const char* kCore = "http://www.opengis.net/citygml/3.0";
constexpr const char* kBldg = "http://www.opengis.net/citygml/building/3.0";
constexpr const char* kCon = "http://www.opengis.net/citygml/construction/3.0";
constexpr const char* kGen = "http://www.opengis.net/citygml/generics/3.0";
constexpr const char* kGml = "http://www.opengis.net/gml/3.2";
constexpr const char* kXlink = "http://www.w3.org/1999/xlink";

// A gml:id (an XML NCName) for a strata id: letters, digits, '_', '-', '.'; a leading letter.
std::string gml_id(const std::string& id) {
  std::string out = "id_";
  for (unsigned char c : id)
    out += (std::isalnum(c) || c == '_' || c == '-' || c == '.') ? static_cast<char>(c) : '_';
  return out;
}

std::string number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  std::string s = buf;
  while (s.size() > 1 && s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

class Xml {
 public:
  explicit Xml(xmlTextWriterPtr w) : w_(w) {}
  void start(const char* name) { check(xmlTextWriterStartElement(w_, cast(name))); }
  void end() { check(xmlTextWriterEndElement(w_)); }
  void attribute(const char* name, const std::string& value) {
    check(xmlTextWriterWriteAttribute(w_, cast(name), cast(value.c_str())));
  }
  void text(const std::string& value) { check(xmlTextWriterWriteString(w_, cast(value.c_str()))); }
  void element(const char* name, const std::string& value) {
    start(name);
    text(value);
    end();
  }

 private:
  static const xmlChar* cast(const char* s) { return reinterpret_cast<const xmlChar*>(s); }
  static void check(int rc) {
    if (rc < 0) throw std::runtime_error("the XML writer failed");
  }
  xmlTextWriterPtr w_;
};

void write_ring(Xml& x, const Ring3& ring) {
  x.start("gml:LinearRing");
  std::string pos;
  auto add = [&](const Point3& p) {
    pos += (pos.empty() ? "" : " ") + number(p[0]) + " " + number(p[1]) + " " + number(p[2]);
  };
  for (const auto& p : ring) add(p);
  if (!ring.empty()) add(ring.front());  // GML rings repeat their first point
  x.element("gml:posList", pos);
  x.end();
}

void write_solid(Xml& x, const CityGeometry& g, const std::string& id) {
  if (g.solids.empty() || g.solids[0].empty()) return;
  x.start("core:lod1Solid");
  x.start("gml:Solid");
  x.attribute("gml:id", id + "_solid");
  x.attribute("srsDimension", "3");
  for (std::size_t s = 0; s < g.solids[0].size(); ++s) {
    x.start(s == 0 ? "gml:exterior" : "gml:interior");
    x.start("gml:Shell");
    for (const auto& surface : g.solids[0][s]) {
      x.start("gml:surfaceMember");
      x.start("gml:Polygon");
      for (std::size_t r = 0; r < surface.size(); ++r) {
        x.start(r == 0 ? "gml:exterior" : "gml:interior");
        write_ring(x, surface[r]);
        x.end();
      }
      x.end();
      x.end();
    }
    x.end();
    x.end();
  }
  x.end();
  x.end();
}

// Scalars as typed generic attributes; lists and objects as JSON text.
void write_generic_attributes(Xml& x, const json& attributes, const std::set<std::string>& skip) {
  for (const auto& [key, value] : attributes.items()) {
    if (skip.count(key) || value.is_null()) continue;
    const char* element = value.is_number_integer() ? "gen:IntAttribute"
                          : value.is_number()       ? "gen:DoubleAttribute"
                                                    : "gen:StringAttribute";
    std::string text = value.is_string()           ? value.get<std::string>()
                       : value.is_boolean()        ? (value.get<bool>() ? "true" : "false")
                       : value.is_number_integer() ? std::to_string(value.get<std::int64_t>())
                       : value.is_number()
                           ? number(value.get<double>())
                           : value.dump(-1, ' ', false, json::error_handler_t::replace);
    x.start("core:genericAttribute");
    x.start(element);
    x.element("gen:name", key);
    x.element("gen:value", text);
    x.end();
    x.end();
  }
}

void write_identity(Xml& x, const ExportFeature& f, const std::string& id) {
  x.attribute("gml:id", id);
  x.start("gml:identifier");
  x.attribute("codeSpace", "strata");
  x.text(f.id);
  x.end();
}

class CityGmlWriter : public ExportPlugin {
 public:
  std::string name() const override { return "writers.citygml"; }
  std::string description() const override {
    return "CityGML 3.0: buildings, storeys and building units (legal spaces) as LoD1 solids";
  }
  std::string default_extension() const override { return ".gml"; }

  ExportResult run(const ExportRequest& request) override {
    const ExportModel& model = *request.model;
    ExportResult result;
    std::vector<const ExportFeature*> buildings;
    std::map<std::string, std::vector<const ExportFeature*>> storeys, units;
    std::set<std::string> known;
    for (const auto& layer : model.layers) {
      switch (layer.feature_class) {
        case FeatureClass::kBuilding:
          for (const auto& f : layer.features) buildings.push_back(&f), known.insert(f.id);
          break;
        case FeatureClass::kBuildingStorey:
        case FeatureClass::kBuildingUnit:
          for (const auto& f : layer.features) {
            auto& into = layer.feature_class == FeatureClass::kBuildingStorey ? storeys : units;
            into[f.parents.empty() ? std::string() : f.parents.front()].push_back(&f);
            known.insert(f.id);
          }
          break;
        default:
          result.summary["not_in_citygml"].push_back(layer.name);
          continue;
      }
      result.summary["layers"][layer.name] = layer.features.size();
    }
    std::int64_t orphans = 0;
    for (const auto* group : {&storeys, &units})
      for (const auto& [parent, list] : *group)
        if (!known.count(parent)) orphans += static_cast<std::int64_t>(list.size());
    if (orphans) result.summary["without_building"] = orphans;  // their building was not exported

    Bounds3 bounds;
    for (const auto* b : buildings)
      if (b->geometry.volume) bounds.add(*b->geometry.volume);
    const Point3& lo = bounds.lo;
    const Point3& hi = bounds.hi;

    xmlBufferPtr buffer = xmlBufferCreate();
    xmlTextWriterPtr w = xmlNewTextWriterMemory(buffer, 0);
    if (!w) {
      xmlBufferFree(buffer);
      throw std::runtime_error("cannot start the XML writer");
    }
    try {
      xmlTextWriterSetIndent(w, 1);
      Xml x(w);
      if (xmlTextWriterStartDocument(w, nullptr, "UTF-8", nullptr) < 0)
        throw std::runtime_error("the XML writer failed");
      x.start("core:CityModel");
      x.attribute("xmlns:core", kCore);
      x.attribute("xmlns:bldg", kBldg);
      x.attribute("xmlns:con", kCon);
      x.attribute("xmlns:gen", kGen);
      x.attribute("xmlns:gml", kGml);
      x.attribute("xmlns:xlink", kXlink);
      x.attribute("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance");
      x.attribute("xsi:schemaLocation",
                  std::string(kCore) + " https://schemas.opengis.net/citygml/3.0/core.xsd " +
                      kBldg + " https://schemas.opengis.net/citygml/building/3.0/building.xsd " +
                      kGen + " https://schemas.opengis.net/citygml/generics/3.0/generics.xsd");
      if (!model.title.empty()) x.element("gml:name", model.title);
      if (!bounds.empty()) {
        x.start("gml:boundedBy");
        x.start("gml:Envelope");
        if (!model.crs.empty() && model.crs.rfind("EPSG:", 0) == 0)
          x.attribute("srsName", "http://www.opengis.net/def/crs/EPSG/0/" + model.crs.substr(5));
        x.attribute("srsDimension", "3");
        x.element("gml:lowerCorner", number(lo[0]) + " " + number(lo[1]) + " " + number(lo[2]));
        x.element("gml:upperCorner", number(hi[0]) + " " + number(hi[1]) + " " + number(hi[2]));
        x.end();
        x.end();
      }
      std::int64_t written_units = 0, written_storeys = 0;
      for (const auto* b : buildings) {
        const std::string bid = gml_id(b->id);
        x.start("core:cityObjectMember");
        x.start("bldg:Building");
        write_identity(x, *b, bid);
        write_generic_attributes(x, b->attributes, {"type", "id", "parent", "strata:storeys"});
        if (b->geometry.volume) write_solid(x, *b->geometry.volume, bid);
        if (auto h = b->attributes.find("strata:height");
            h != b->attributes.end() && h->is_number()) {
          x.start("con:height");
          x.start("con:Height");
          x.element("con:highReference", "highestRoofEdge");
          x.element("con:lowReference", "lowestGroundPoint");
          x.element("con:status", "measured");
          x.start("con:value");
          x.attribute("uom", "m");
          x.text(number(h->get<double>()));
          x.end();
          x.end();
          x.end();
        }
        if (auto n = b->attributes.find("strata:storeys");
            n != b->attributes.end() && n->is_number_integer())
          x.element("bldg:storeysAboveGround", std::to_string(n->get<std::int64_t>()));
        for (const auto* s : storeys[b->id]) {
          x.start("bldg:buildingSubdivision");
          x.start("bldg:Storey");
          write_identity(x, *s, gml_id(s->id));
          write_generic_attributes(x, s->attributes, {"type", "id", "parent"});
          if (s->geometry.volume) write_solid(x, *s->geometry.volume, gml_id(s->id));
          if (auto fl = s->attributes.find("floor"); fl != s->attributes.end() && fl->is_string())
            x.element("bldg:sortKey", std::to_string(floor_key(fl->get<std::string>())));
          x.end();
          x.end();
          ++written_storeys;
        }
        for (const auto* u : units[b->id]) {
          x.start("bldg:buildingSubdivision");
          x.start("bldg:BuildingUnit");
          write_identity(x, *u, gml_id(u->id));
          write_generic_attributes(x, u->attributes, {"type", "id", "parent", "storey"});
          if (u->geometry.volume) write_solid(x, *u->geometry.volume, gml_id(u->id));
          if (auto k = u->attributes.find("unit_kind"); k != u->attributes.end() && k->is_string())
            x.element("bldg:class", k->get<std::string>());
          if (auto st = u->attributes.find("storey");
              st != u->attributes.end() && st->is_string() && known.count(st->get<std::string>())) {
            x.start("bldg:storey");
            x.attribute("xlink:href", "#" + gml_id(st->get<std::string>()));
            x.end();
          }
          x.end();
          x.end();
          ++written_units;
        }
        x.end();
        x.end();
      }
      x.end();
      if (xmlTextWriterEndDocument(w) < 0) throw std::runtime_error("the XML writer failed");
      xmlFreeTextWriter(w);
      w = nullptr;
      const std::string text(reinterpret_cast<const char*>(buffer->content),
                             static_cast<std::size_t>(buffer->use));
      xmlBufferFree(buffer);
      buffer = nullptr;
      write_text_atomically(request.output, [&](std::ostream& out) { out << text; });
      result.summary["buildings"] = buildings.size();
      result.summary["storeys"] = written_storeys;
      result.summary["building_units"] = written_units;
    } catch (...) {
      if (w) xmlFreeTextWriter(w);
      if (buffer) xmlBufferFree(buffer);
      throw;
    }
    result.files.push_back(request.output);
    return result;
  }

 private:
  // "B2" -> -2, "3" -> 3: storeys sort bottom to top.
  static int floor_key(const std::string& label) {
    try {
      if (!label.empty() && (label[0] == 'B' || label[0] == 'b'))
        return -std::stoi(label.substr(1));
      return std::stoi(label);
    } catch (const std::exception&) {
      return 0;
    }
  }
};

}  // namespace

std::unique_ptr<ExportPlugin> make_citygml_writer() { return std::make_unique<CityGmlWriter>(); }

}  // namespace strata::plugins
