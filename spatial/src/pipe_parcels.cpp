#include "strata/spatial/pipe_parcels.h"

#include <algorithm>
#include <boost/geometry/algorithms/envelope.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <map>
#include <tuple>

#include "geos_support.h"

namespace strata::spatial {

const char* crossing_status_name(CrossingStatus status) {
  switch (status) {
    case CrossingStatus::kHeld:
      return "held";
    case CrossingStatus::kAllowed:
      return "allowed owner";
    case CrossingStatus::kEasement:
      return "easement";
    case CrossingStatus::kNoEasement:
      return "no easement";
    case CrossingStatus::kOwnerUnknown:
      return "pipe owner unknown";
  }
  return "?";
}

namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool in_force(const LandRestriction& r, const std::string& day) {
  if (day.empty()) return r.valid_to.empty();  // today's rights: not ended
  return (r.valid_from.empty() || r.valid_from <= day) && (r.valid_to.empty() || day < r.valid_to);
}

}  // namespace

std::vector<ParcelCrossing> check_parcel_crossings(const std::vector<const PipeNetwork*>& networks,
                                                   const std::vector<LandParcel>& parcels,
                                                   const std::vector<LandRestriction>& restrictions,
                                                   const ParcelOptions& o) {
  Geos geos;
  const auto h = geos.handle();
  using Entry = std::pair<Box2, std::size_t>;
  std::vector<Entry> boxes;
  std::vector<GeomPtr> shapes;
  for (std::size_t i = 0; i < parcels.size(); ++i) {
    Box2 b;
    bg::envelope(parcels[i].outline, b);
    boxes.emplace_back(b, i);
    shapes.push_back(
        owned(geos, GEOSUnaryUnion_r(h, to_geos(geos, parcels[i].outline).get()), "parcel union"));
  }
  bgi::rtree<Entry, bgi::quadratic<16>> tree(boxes.begin(), boxes.end());
  std::multimap<std::string, const LandRestriction*> by_parcel;
  for (const auto& r : restrictions) by_parcel.emplace(r.parcel, &r);
  std::vector<ParcelCrossing> out;
  for (std::size_t n = 0; n < networks.size(); ++n)
    for (const auto& link : networks[n]->links) {
      if (link.centreline.size() < 2) continue;
      MultiLinestring2 as_lines;
      as_lines.emplace_back();
      for (const auto& p : link.centreline) as_lines[0].emplace_back(p[0], p[1]);
      Box2 lb;
      bg::envelope(as_lines, lb);
      GeomPtr axis = to_geos(geos, as_lines);
      const std::string owner = !link.owner.empty() ? link.owner : o.utility_owner;
      for (auto it = tree.qbegin(bgi::intersects(lb)); it != tree.qend(); ++it) {
        const LandParcel& parcel = parcels[it->second];
        GeomPtr inside =
            owned(geos, GEOSIntersection_r(h, axis.get(), shapes[it->second].get()), "crossing");
        double length = 0;
        GEOSLength_r(h, inside.get(), &length);
        length *= o.unit_m;
        if (length < o.min_length_m) continue;
        ParcelCrossing c;
        c.network = n;
        c.pipe = &link;
        c.parcel = &parcel;
        c.length_m = length;
        // The middle of the longest piece.
        const GEOSGeometry* longest = nullptr;
        double best = -1;
        for (int k = 0; k < GEOSGetNumGeometries_r(h, inside.get()); ++k) {
          const GEOSGeometry* part = GEOSGetGeometryN_r(h, inside.get(), k);
          double l = 0;
          GEOSLength_r(h, part, &l);
          if (l > best) best = l, longest = part;
        }
        if (longest) {
          GeomPtr mid = owned(geos, GEOSInterpolateNormalized_r(h, longest, 0.5), "middle");
          double x = 0, y = 0;
          GEOSGeomGetX_r(h, mid.get(), &x);
          GEOSGeomGetY_r(h, mid.get(), &y);
          c.location = {x, y, link.centreline.front()[2]};
          // The axis height there, by the nearest vertex pair (linear between).
          double s_best = 1e300;
          for (std::size_t i = 0; i + 1 < link.centreline.size(); ++i) {
            const auto& a = link.centreline[i];
            const auto& b = link.centreline[i + 1];
            const double dx = b[0] - a[0], dy = b[1] - a[1], len2 = dx * dx + dy * dy;
            const double t =
                len2 > 0 ? std::clamp(((x - a[0]) * dx + (y - a[1]) * dy) / len2, 0.0, 1.0) : 0;
            const double d = std::hypot(x - a[0] - t * dx, y - a[1] - t * dy);
            if (d < s_best) s_best = d, c.location[2] = a[2] + t * (b[2] - a[2]);
          }
        }
        if (owner.empty()) {
          c.status = CrossingStatus::kOwnerUnknown;
        } else if (contains(parcel.owners, owner)) {
          c.status = CrossingStatus::kHeld;
        } else if (std::any_of(
                       parcel.owners.begin(), parcel.owners.end(),
                       [&](const std::string& w) { return contains(o.allowed_owners, w); })) {
          c.status = CrossingStatus::kAllowed;
        } else {
          c.status = CrossingStatus::kNoEasement;
          auto [lo, hi] = by_parcel.equal_range(parcel.id);
          for (auto r = lo; r != hi; ++r)
            if (r->second->holder == owner && contains(o.easement_types, r->second->type) &&
                in_force(*r->second, o.as_of)) {
              c.status = CrossingStatus::kEasement;
              c.restriction = r->second->type;
              break;
            }
        }
        out.push_back(std::move(c));
      }
    }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.network, a.pipe->id, a.parcel->id) <
           std::tie(b.network, b.pipe->id, b.parcel->id);
  });
  return out;
}

}  // namespace strata::spatial
