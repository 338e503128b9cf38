// Hierarchical validation of one geometry: polygons -> shells -> solids -> multi/composite
// solids, each level only once the level below is valid (val3dity's rule, so that one broken
// polygon does not cascade into a dozen shell errors).
#include "strata/spatial/geometry_validation.h"

#include <memory>

#include "polygon_checks.h"
#include "shell_checks.h"
#include "solid_relations.h"
#include "validated_solid.h"

namespace strata::spatial {
namespace validation {
namespace {

ValidationFinding to_finding(const LocalFinding& local, int solid, int shell) {
  ValidationFinding f;
  f.code = static_cast<ErrorCode>(local.code);
  f.solid = solid;
  f.shell = shell;
  f.face = local.face;
  f.ring = local.ring;
  f.detail = local.detail;
  f.location = local.location;
  return f;
}

}  // namespace

std::optional<ValidatedSolid> validate_solid(const std::vector<Shell3>& shells, int solid_index,
                                             bool closed, bool keep_shells, VertexPool& pool,
                                             const ValidationTolerances& tolerances,
                                             std::vector<ValidationFinding>& out) {
  if (shells.empty() || shells[0].empty()) {
    ValidationFinding f;
    f.code = ErrorCode::kEmptyPrimitive;
    f.solid = solid_index;
    f.detail = "the primitive has no surfaces";
    out.push_back(std::move(f));
    return std::nullopt;
  }
  ValidatedSolid solid;
  bool ok = true;
  for (std::size_t s = 0; s < shells.size(); ++s) {
    const int shell_index = static_cast<int>(s);
    std::vector<LocalFinding> local;
    IndexedShell indexed;
    std::vector<std::vector<Triangle>> triangles;
    bool polygons_ok = true;
    for (std::size_t f = 0; f < shells[s].size(); ++f) {
      Face face;
      for (const Ring3& ring : shells[s][f]) {
        Ring ids;
        ids.reserve(ring.size());
        for (const Point3& p : ring) ids.push_back(pool.id(p));
        face.push_back(std::move(ids));
      }
      auto outcome = check_polygon(face, pool, tolerances, static_cast<int>(f), local);
      polygons_ok &= outcome.valid;
      triangles.push_back(std::move(outcome.triangles));
      indexed.faces.push_back(std::move(face));
    }
    // 204 only once every polygon of the shell passed its 1xx/2xx checks (val3dity's order).
    if (polygons_ok)
      for (std::size_t f = 0; f < indexed.faces.size(); ++f)
        polygons_ok &=
            check_normals(indexed.faces[f], pool, tolerances, static_cast<int>(f), local);
    if (polygons_ok && shells[s].empty()) {
      local.push_back({static_cast<int>(ErrorCode::kEmptyPrimitive), -1, -1, "empty shell", {}});
      polygons_ok = false;
    }
    ShellOutcome shell_outcome;
    if (polygons_ok) shell_outcome = check_shell(indexed, triangles, pool, closed, local);
    for (const auto& l : local) out.push_back(to_finding(l, solid_index, shell_index));
    if (!polygons_ok || !shell_outcome.valid) {
      ok = false;
      continue;
    }
    if (closed) {
      // Outer shells face outwards (positive volume), cavities inwards.
      const bool outer = s == 0;
      if ((outer && shell_outcome.signed_volume < 0) ||
          (!outer && shell_outcome.signed_volume > 0)) {
        ValidationFinding f;
        f.code = ErrorCode::kWrongOrientationShell;
        f.solid = solid_index;
        f.shell = shell_index;
        f.detail = outer ? "the normals of the outer shell point inwards"
                         : "the normals of an inner shell (cavity) point outwards";
        f.location = pool[indexed.faces[0][0][0]];
        out.push_back(std::move(f));
        ok = false;
        continue;
      }
      if (keep_shells || shells.size() > 1) solid.shells.emplace_back(indexed, triangles, pool);
    }
  }
  if (!ok || !closed) return ok ? std::optional<ValidatedSolid>(std::move(solid)) : std::nullopt;

  // 4xx: cavities strictly inside the outer shell, apart from each other, interior in one piece.
  auto report = [&](ErrorCode code, int shell, std::string detail, std::optional<Point3> where) {
    ValidationFinding f;
    f.code = code;
    f.solid = solid_index;
    f.shell = shell;
    f.detail = std::move(detail);
    f.location = where;
    out.push_back(std::move(f));
    ok = false;
  };
  bool touching = false;
  for (std::size_t i = 1; i < solid.shells.size(); ++i) {
    const int si = static_cast<int>(i);
    const ShellContact c = relate(solid.shells[i], solid.shells[0]);
    if (c.identical) {
      report(ErrorCode::kDuplicatedShells, si,
             "inner shell " + std::to_string(i) + " repeats the outer shell", c.where);
    } else if (c.a_outside_b > 0 && c.a_inside_b == 0 && !c.surfaces_cross && !c.faces_overlap) {
      report(ErrorCode::kInnerShellOutside, si,
             "inner shell " + std::to_string(i) + " lies outside the outer shell", c.where);
    } else if (c.a_outside_b > 0 || c.b_inside_a > 0 || c.surfaces_cross || c.faces_overlap) {
      report(ErrorCode::kIntersectionShells, si,
             "inner shell " + std::to_string(i) + " intersects the outer shell", c.where);
    } else {
      touching |= c.touch;
    }
  }
  for (std::size_t i = 1; i < solid.shells.size(); ++i)
    for (std::size_t j = i + 1; j < solid.shells.size(); ++j) {
      const ShellContact c = relate(solid.shells[i], solid.shells[j]);
      const std::string pair = "inner shells " + std::to_string(i) + " and " + std::to_string(j);
      if (c.identical)
        report(ErrorCode::kDuplicatedShells, static_cast<int>(j), pair + " are the same", c.where);
      else if (c.a_inside_b > 0 || c.b_inside_a > 0 || c.surfaces_cross || c.faces_overlap)
        report(ErrorCode::kIntersectionShells, static_cast<int>(j), pair + " intersect", c.where);
      else
        touching |= c.touch;
    }
  if (ok && touching) {
    std::vector<const ClosedShell*> cavities;
    for (std::size_t i = 1; i < solid.shells.size(); ++i) cavities.push_back(&solid.shells[i]);
    const int pieces = interior_pieces(solid.shells[0], cavities);
    if (pieces > 1)
      report(ErrorCode::kSolidInteriorDisconnected, -1,
             "the cavities cut the interior into " + std::to_string(pieces) + " pieces",
             std::nullopt);
  }
  if (!ok) return std::nullopt;
  return solid;
}

bool solids_overlap(const ValidatedSolid& a, const ValidatedSolid& b, double tolerance,
                    std::optional<Point3>& where) {
  const ShellContact c = relate(a.shells[0], b.shells[0]);
  where = c.where;
  const bool interiors = c.a_inside_b > 0 || c.b_inside_a > 0 || c.surfaces_cross ||
                         c.faces_overlap_same_side || c.identical;
  if (!interiors) return false;
  if (tolerance <= 0) return true;
  // Shrinking both solids by the tolerance (val3dity's rule) keeps an overlap only when its
  // common part is deeper than the tolerance.
  return overlap_depth(a.shells[0], b.shells[0]) > tolerance;
}

std::vector<ValidationFinding> validate_geometry_keeping(const CityGeometry& geometry,
                                                         const ValidationTolerances& tolerances,
                                                         std::vector<ValidatedSolid>* kept) {
  std::vector<ValidationFinding> out;
  VertexPool pool(tolerances.snap);
  const bool surfaces = geometry.type == CityGeometryType::kMultiSurface ||
                        geometry.type == CityGeometryType::kCompositeSurface;
  if (geometry.solids.empty()) {
    ValidationFinding f;
    f.code = ErrorCode::kEmptyPrimitive;
    f.detail = "the geometry has no surfaces";
    out.push_back(std::move(f));
    return out;
  }
  if (surfaces) {
    // A MultiSurface is only a set of polygons; a CompositeSurface must also be a manifold
    // surface (no closure required).
    if (geometry.type == CityGeometryType::kMultiSurface) {
      for (const auto& shell : geometry.solids[0]) {
        std::vector<Face> faces;
        std::vector<LocalFinding> local;
        bool all_ok = true;
        for (std::size_t f = 0; f < shell.size(); ++f) {
          Face face;
          for (const Ring3& ring : shell[f]) {
            Ring ids;
            for (const Point3& p : ring) ids.push_back(pool.id(p));
            face.push_back(std::move(ids));
          }
          all_ok &= check_polygon(face, pool, tolerances, static_cast<int>(f), local).valid;
          faces.push_back(std::move(face));
        }
        // 204 only when every polygon passed its 1xx/2xx checks, as val3dity does.
        if (all_ok)
          for (std::size_t f = 0; f < faces.size(); ++f)
            check_normals(faces[f], pool, tolerances, static_cast<int>(f), local);
        for (const auto& l : local) out.push_back(to_finding(l, -1, -1));
      }
      return out;
    }
    validate_solid(geometry.solids[0], -1, false, false, pool, tolerances, out);
    return out;
  }

  std::vector<std::optional<ValidatedSolid>> solids;
  for (std::size_t s = 0; s < geometry.solids.size(); ++s)
    solids.push_back(validate_solid(
        geometry.solids[s], geometry.type == CityGeometryType::kSolid ? -1 : static_cast<int>(s),
        true, kept != nullptr || geometry.type == CityGeometryType::kCompositeSolid, pool,
        tolerances, out));
  auto keep = [&] {
    if (kept)
      for (auto& s : solids)
        if (s) kept->push_back(std::move(*s));
  };
  if (geometry.type != CityGeometryType::kCompositeSolid || !out.empty()) {
    keep();
    return out;
  }

  // 5xx: the solids of a CompositeSolid do not overlap and are joined by shared faces.
  const std::size_t n = solids.size();
  std::vector<int> group(n);
  for (std::size_t i = 0; i < n; ++i) group[i] = static_cast<int>(i);
  auto root = [&](int x) {
    while (group[static_cast<std::size_t>(x)] != x) x = group[static_cast<std::size_t>(x)];
    return x;
  };
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j) {
      const ShellContact c = relate(solids[i]->shells[0], solids[j]->shells[0]);
      ValidationFinding f;
      f.solid = static_cast<int>(j);
      f.location = c.where;
      const std::string pair = "solids " + std::to_string(i) + " and " + std::to_string(j);
      if (c.identical) {
        f.code = ErrorCode::kDuplicatedSolids;
        f.detail = pair + " are the same";
        out.push_back(f);
        continue;
      }
      std::optional<Point3> where;
      if (solids_overlap(*solids[i], *solids[j], tolerances.overlap, where)) {
        f.code = ErrorCode::kIntersectionSolids;
        f.detail = pair + " overlap";
        f.location = where;
        out.push_back(f);
        continue;
      }
      // Solids sharing a face, or overlapping within the tolerance, are joined.
      if (c.faces_overlap || c.a_inside_b > 0 || c.b_inside_a > 0 || c.surfaces_cross)
        group[static_cast<std::size_t>(root(static_cast<int>(i)))] = root(static_cast<int>(j));
    }
  if (out.empty()) {
    std::size_t groups = 0;
    for (std::size_t i = 0; i < n; ++i) groups += root(static_cast<int>(i)) == static_cast<int>(i);
    if (groups > 1) {
      ValidationFinding f;
      f.code = ErrorCode::kDisconnectedSolids;
      f.detail = "the solids form " + std::to_string(groups) +
                 " separate groups; a CompositeSolid's solids must share faces";
      out.push_back(f);
    }
  }
  keep();
  return out;
}

}  // namespace validation

std::vector<ValidationFinding> validate_geometry(const CityGeometry& geometry,
                                                 const ValidationTolerances& tolerances) {
  return validation::validate_geometry_keeping(geometry, tolerances, nullptr);
}

}  // namespace strata::spatial
