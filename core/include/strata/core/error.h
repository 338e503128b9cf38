#pragma once
// Error codes shared by every module. Geometry codes keep val3dity's numbering (1xx rings,
// 2xx polygons, 901-906 input) so users can compare reports; 910-999 are strata's own codes.
// Every code is documented in docs/error-codes.md.
#include <stdexcept>
#include <string>
#include <string_view>

namespace strata {

enum class ErrorCode : int {
  kTooFewPoints = 101,
  kConsecutivePointsSame = 102,
  kRingNotClosed = 103,
  kRingSelfIntersection = 104,
  kRingCollapsed = 105,
  kIntersectionRings = 201,
  kDuplicatedRings = 202,
  kNonPlanarDistance = 203,
  kNonPlanarNormals = 204,
  kInteriorDisconnected = 205,
  kInnerRingOutside = 206,
  kInnerRingsNested = 207,
  kOrientationRingsSame = 208,
  kTooFewPolygons = 301,
  kShellNotClosed = 302,
  kNonManifoldVertex = 303,
  kNonManifoldEdge = 304,
  kMultipleConnectedComponents = 305,
  kShellSelfIntersection = 306,
  kPolygonWrongOrientation = 307,
  kIntersectionShells = 401,
  kDuplicatedShells = 402,
  kInnerShellOutside = 403,
  kSolidInteriorDisconnected = 404,
  kWrongOrientationShell = 405,
  kIntersectionSolids = 501,
  kDuplicatedSolids = 502,
  kDisconnectedSolids = 503,
  kBuildingPartsOverlap = 601,
  kCityObjectHasNoGeometry = 609,
  kUnitsOverlap = 801,
  kUnitOutsideBuilding = 802,
  kBuildingOutsideParcels = 803,
  kAreaMismatch = 804,
  kStoreyMissing = 805,
  kSharesNotWhole = 806,
  kRightWithoutParty = 807,
  kPartyWithoutRight = 808,
  kBuildingNotFound = 809,
  kInvalidInputFile = 901,
  kEmptyPrimitive = 902,
  kWrongInputParameters = 903,
  kUnsupportedFormat = 904,
  kNoGeometry = 906,
  kCrsMissing = 910,
  kCrsMismatch = 911,
  kReprojectionFailed = 912,
  kOutsideTerrain = 913,
  kFieldMissing = 920,
  kFieldNull = 921,
  kFieldType = 922,
  kEncoding = 923,
  kDuplicateId = 930,
  kWrongGeometryType = 931,
  kEmptyGeometry = 932,
  kDissolveConflict = 933,
  kDegenerateLine = 934,
  kDanglingReference = 935,
  kBadDimension = 936,
  kAboveGround = 937,
  kGeometryUnrepairable = 941,
  kJoinUnmatchedFeature = 950,
  kJoinUnmatchedRow = 951,
  kJoinAmbiguous = 952,
  kJoinViaNormalisation = 953,
  kDistrictsOverlap = 955,
  kOutsideDistricts = 956,
  kPopulationMissing = 957,
  kEmptySelection = 958,
  kStoreError = 960,
  kStoreLocked = 961,
  kProjectFile = 970,
  kPluginLoad = 980,
  kPluginFailed = 981,
  kRenderFailed = 985,
  kCancelled = 990,
  kInternal = 999,
};

// Short stable name, e.g. "CRS_MISMATCH", used in reports next to the number.
std::string_view error_name(ErrorCode code);

// An error that aborts an operation as a whole (an import, a query). Per-feature problems are
// reported as FeatureIssue instead and do not throw.
class StrataError : public std::runtime_error {
 public:
  StrataError(ErrorCode code, std::string message)
      : std::runtime_error(std::move(message)), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace strata
