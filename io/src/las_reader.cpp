// LAS 1.0-1.4 point coordinates, read here because no LAS library (PDAL, LASlib, libLAS,
// LASzip) is packaged for Debian 12; only what the detection overlay needs: the scaled x, y, z
// of every point record (ASPRS LAS specification 1.4 R15, §2.4 header and §2.6 point records,
// whose first 12 bytes are X, Y, Z as int32 in every point format 0-10).
#include <cmath>
#include <cstdint>
#include <cstring>

#include "strata/core/error.h"
#include "strata/io/survey_points.h"

namespace strata::io {
namespace {

template <typename T>
T read_at(const std::string& bytes, std::size_t offset) {
  T v{};
  std::memcpy(&v, bytes.data() + offset, sizeof(T));  // LAS is little-endian, as is amd64
  return v;
}

}  // namespace

SurveyPoints read_las(const std::string& name, const std::string& bytes) {
  auto fail = [&](const std::string& what) {
    return StrataError(ErrorCode::kEmptyPrimitive, name + ": not a readable LAS file: " + what);
  };
  if (bytes.size() < 4 || bytes.compare(0, 4, "LASF") != 0)
    throw StrataError(ErrorCode::kUnsupportedFormat, name + ": no LAS signature 'LASF'");
  if (bytes.size() < 227)
    throw fail("the header is cut short (" + std::to_string(bytes.size()) +
               " bytes, a LAS header has at least 227)");
  const auto major = read_at<std::uint8_t>(bytes, 24), minor = read_at<std::uint8_t>(bytes, 25);
  const auto header_size = read_at<std::uint16_t>(bytes, 94);
  const auto data_offset = read_at<std::uint32_t>(bytes, 96);
  const auto format = read_at<std::uint8_t>(bytes, 104);
  const auto record_length = read_at<std::uint16_t>(bytes, 105);
  std::uint64_t count = read_at<std::uint32_t>(bytes, 107);
  if (major != 1 || minor > 4)
    throw StrataError(ErrorCode::kUnsupportedFormat,
                      name + ": LAS version " + std::to_string(major) + "." +
                          std::to_string(minor) + " (strata reads 1.0 to 1.4)");
  if (format & 0x80 || format & 0x40)
    throw StrataError(ErrorCode::kUnsupportedFormat,
                      name +
                          ": the points are compressed (LAZ); no LAZ decoder is packaged for "
                          "Debian 12: decompress to LAS first");
  if (format > 10) throw fail("point data format " + std::to_string(format) + " is not 0 to 10");
  if (record_length < 12)
    throw fail("point records of " + std::to_string(record_length) + " bytes");
  if (minor >= 4 && header_size >= 375 && bytes.size() >= 255) {
    const auto count14 = read_at<std::uint64_t>(bytes, 247);
    if (count == 0 || count14 > count) count = count14;
  }
  if (header_size < 227 || data_offset < header_size || data_offset > bytes.size())
    throw fail("the header size (" + std::to_string(header_size) +
               ") or the offset to the points (" + std::to_string(data_offset) +
               ") does not fit the file");
  const std::uint64_t room = (bytes.size() - data_offset) / record_length;
  if (count > room)
    throw fail("the header announces " + std::to_string(count) + " points, the file holds " +
               std::to_string(room));
  double scale[3], offset[3];
  for (int k = 0; k < 3; ++k) {
    scale[k] = read_at<double>(bytes, 131 + 8 * static_cast<std::size_t>(k));
    offset[k] = read_at<double>(bytes, 155 + 8 * static_cast<std::size_t>(k));
    if (!std::isfinite(scale[k]) || scale[k] == 0 || !std::isfinite(offset[k]))
      throw fail("scale or offset " + std::string(1, "xyz"[k]) + " is not a finite number");
  }
  SurveyPoints out;
  out.format = "LAS " + std::to_string(major) + "." + std::to_string(minor);
  out.points.reserve(count);
  std::uint64_t overflowing = 0;
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::size_t at = data_offset + i * record_length;
    std::array<double, 3> p{};
    for (std::size_t k = 0; k < 3; ++k)
      p[k] = read_at<std::int32_t>(bytes, at + 4 * k) * scale[k] + offset[k];
    // An absurd scale can overflow: such points are left out and counted.
    if (std::isfinite(p[0]) && std::isfinite(p[1]) && std::isfinite(p[2]))
      out.points.push_back(p);
    else
      ++overflowing;
  }
  if (overflowing) {
    FeatureIssue issue;
    issue.file = name;
    issue.code = ErrorCode::kFieldType;
    issue.message = name + ": " + std::to_string(overflowing) +
                    " points whose scaled coordinates are not finite numbers were left out";
    out.issues.push_back(std::move(issue));
  }
  return out;
}

}  // namespace strata::io
