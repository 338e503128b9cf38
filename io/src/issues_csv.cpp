#include "strata/io/issues_csv.h"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include "strata/core/error.h"
#include "strata/io/gdal_support.h"
#include "strata/io/text_cells.h"

namespace strata::io {

void write_issues_csv(const std::filesystem::path& path, const std::vector<FeatureIssue>& issues) {
  ensure_gdal();
  std::filesystem::remove(path);
  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("CSV");
  GDALDatasetUniquePtr ds(driver->Create(path.string().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  if (!ds)
    throw StrataError(ErrorCode::kInvalidInputFile,
                      path.string() + ": cannot write (" + take_gdal_error() + ")");
  OGRLayer* l = ds->CreateLayer(path.stem().string().c_str(), nullptr, wkbNone, nullptr);
  const char* names[] = {"layer",     "file",  "fid",     "feature_id", "status", "code",
                         "code_name", "field", "message", "method",     "x",      "y"};
  for (const char* n : names) {
    OGRFieldDefn def(n, OFTString);
    l->CreateField(&def);
  }
  for (const auto& i : issues) {
    OGRFeatureUniquePtr f(OGRFeature::CreateFeature(l->GetLayerDefn()));
    f->SetField("layer", spreadsheet_safe(i.layer).c_str());
    f->SetField("file", spreadsheet_safe(i.file).c_str());
    f->SetField("fid", std::to_string(i.fid).c_str());
    f->SetField("feature_id", spreadsheet_safe(to_valid_utf8(i.feature_id)).c_str());
    f->SetField("status", std::string(status_name(i.status)).c_str());
    f->SetField("code", std::to_string(static_cast<int>(i.code)).c_str());
    f->SetField("code_name", std::string(error_name(i.code)).c_str());
    f->SetField("field", spreadsheet_safe(i.field).c_str());
    f->SetField("message", spreadsheet_safe(to_valid_utf8(i.message)).c_str());
    f->SetField("method", spreadsheet_safe(i.method).c_str());
    if (i.x) f->SetField("x", std::to_string(*i.x).c_str());
    if (i.y) f->SetField("y", std::to_string(*i.y).c_str());
    if (l->CreateFeature(f.get()) != OGRERR_NONE)
      throw StrataError(ErrorCode::kInvalidInputFile,
                        path.string() + ": write failed (" + take_gdal_error() + ")");
  }
}

}  // namespace strata::io
