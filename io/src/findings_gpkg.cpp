#include "strata/io/findings_gpkg.h"

#include <ogrsf_frmts.h>

#include "gpkg_output.h"
#include "strata/core/error.h"

namespace strata::io {

void write_findings_gpkg(const std::string& path, const std::string& layer_name,
                         const std::vector<ValidationFinding>& findings,
                         const std::optional<std::string>& crs) {
  write_gpkg_layer(
      path, layer_name, crs.value_or(""), wkbPoint25D, [&](OGRLayer& layer, const GpkgFail& fail) {
        for (const char* name : {"code", "geometry_index", "solid", "shell", "face", "ring"}) {
          OGRFieldDefn f(name, OFTInteger);
          layer.CreateField(&f);
        }
        for (const char* name : {"name", "object_id", "detail"}) {
          OGRFieldDefn f(name, OFTString);
          layer.CreateField(&f);
        }
        for (const auto& f : findings) {
          OGRFeature feature(layer.GetLayerDefn());
          feature.SetField("code", static_cast<int>(f.code));
          feature.SetField("name", std::string(error_name(f.code)).c_str());
          feature.SetField("object_id", f.object_id.c_str());
          feature.SetField("detail", f.detail.c_str());
          feature.SetField("geometry_index", f.geometry);
          feature.SetField("solid", f.solid);
          feature.SetField("shell", f.shell);
          feature.SetField("face", f.face);
          feature.SetField("ring", f.ring);
          if (f.location) {
            OGRPoint point((*f.location)[0], (*f.location)[1], (*f.location)[2]);
            feature.SetGeometry(&point);
          }
          if (layer.CreateFeature(&feature) != OGRERR_NONE) fail("cannot write a finding");
        }
      });
}

}  // namespace strata::io
