#include "strata/core/error.h"

namespace strata {

std::string_view error_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kTooFewPoints:
      return "TOO_FEW_POINTS";
    case ErrorCode::kConsecutivePointsSame:
      return "CONSECUTIVE_POINTS_SAME";
    case ErrorCode::kRingNotClosed:
      return "RING_NOT_CLOSED";
    case ErrorCode::kRingSelfIntersection:
      return "RING_SELF_INTERSECTION";
    case ErrorCode::kIntersectionRings:
      return "INTERSECTION_RINGS";
    case ErrorCode::kInteriorDisconnected:
      return "INTERIOR_DISCONNECTED";
    case ErrorCode::kInnerRingOutside:
      return "INNER_RING_OUTSIDE";
    case ErrorCode::kInnerRingsNested:
      return "INNER_RINGS_NESTED";
    case ErrorCode::kOrientationRingsSame:
      return "ORIENTATION_RINGS_SAME";
    case ErrorCode::kInvalidInputFile:
      return "INVALID_INPUT_FILE";
    case ErrorCode::kWrongInputParameters:
      return "WRONG_INPUT_PARAMETERS";
    case ErrorCode::kNoGeometry:
      return "NO_GEOMETRY";
    case ErrorCode::kCrsMissing:
      return "CRS_MISSING";
    case ErrorCode::kCrsMismatch:
      return "CRS_MISMATCH";
    case ErrorCode::kReprojectionFailed:
      return "REPROJECTION_FAILED";
    case ErrorCode::kFieldMissing:
      return "FIELD_MISSING";
    case ErrorCode::kFieldNull:
      return "FIELD_NULL";
    case ErrorCode::kFieldType:
      return "FIELD_TYPE";
    case ErrorCode::kEncoding:
      return "ENCODING";
    case ErrorCode::kDuplicateId:
      return "DUPLICATE_ID";
    case ErrorCode::kWrongGeometryType:
      return "WRONG_GEOMETRY_TYPE";
    case ErrorCode::kEmptyGeometry:
      return "EMPTY_GEOMETRY";
    case ErrorCode::kGeometryUnrepairable:
      return "GEOMETRY_UNREPAIRABLE";
    case ErrorCode::kJoinUnmatchedFeature:
      return "JOIN_UNMATCHED_FEATURE";
    case ErrorCode::kJoinUnmatchedRow:
      return "JOIN_UNMATCHED_ROW";
    case ErrorCode::kJoinAmbiguous:
      return "JOIN_AMBIGUOUS";
    case ErrorCode::kJoinViaNormalisation:
      return "JOIN_VIA_NORMALISATION";
    case ErrorCode::kStoreError:
      return "STORE_ERROR";
    case ErrorCode::kStoreLocked:
      return "STORE_LOCKED";
    case ErrorCode::kProjectFile:
      return "PROJECT_FILE";
    case ErrorCode::kInternal:
      return "INTERNAL";
  }
  return "UNKNOWN";
}

}  // namespace strata
