#include <gtest/gtest.h>

#include "strata/core/crs.h"
#include "strata/core/crs_fit.h"
#include "strata/core/error.h"

using strata::Box2;
using strata::Crs;
using strata::Point2;
using strata::Transformer;

TEST(Crs, ParsesAuthorityCodesAndUrns) {
  Crs a = Crs::from_user_input("EPSG:3826");
  EXPECT_EQ(a.authority_code().value_or(""), "EPSG:3826");
  EXPECT_FALSE(a.is_geographic());
  Crs b = Crs::from_user_input("urn:ogc:def:crs:EPSG::3826");
  EXPECT_TRUE(a.equivalent_to(b));
  EXPECT_TRUE(Crs::from_user_input("EPSG:4326").is_geographic());
  EXPECT_THROW(Crs::from_user_input("EPSG:999999"), strata::StrataError);
  EXPECT_THROW(Crs::from_user_input("not a crs"), strata::StrataError);
}

TEST(Crs, LonLatOrderIsUsedEvenForLatLonCrs) {
  // TM2 zone 121: the central meridian 121°E maps to false easting 250 000 m.
  Transformer t(Crs::from_user_input("EPSG:4326"), Crs::from_user_input("EPSG:3826"));
  double x = 121.0, y = 23.5;
  ASSERT_TRUE(t.transform(x, y));
  EXPECT_NEAR(x, 250000.0, 1e-3);
  EXPECT_GT(y, 2.5e6);
  EXPECT_LT(y, 2.7e6);
  // JGD2011 (EPSG:6697 family) is officially lat/lon too; strata takes lon first everywhere.
  Transformer j(Crs::from_user_input("EPSG:6668"), Crs::from_user_input("EPSG:4326"));
  double lon = 139.7, lat = 35.68;
  ASSERT_TRUE(j.transform(lon, lat));
  EXPECT_NEAR(lon, 139.7, 1e-3);
  EXPECT_NEAR(lat, 35.68, 1e-3);
}

TEST(Crs, RoundTripIsStable) {
  Transformer fwd(Crs::from_user_input("EPSG:4326"), Crs::from_user_input("EPSG:3826"));
  Transformer back(Crs::from_user_input("EPSG:3826"), Crs::from_user_input("EPSG:4326"));
  double x = 121.5654, y = 25.0330;  // Taipei 101
  ASSERT_TRUE(fwd.transform(x, y));
  ASSERT_TRUE(back.transform(x, y));
  EXPECT_NEAR(x, 121.5654, 1e-9);
  EXPECT_NEAR(y, 25.0330, 1e-9);
}

TEST(CrsFit, LonLatDeclaredAsTm2IsCaughtWithASuggestion) {
  Crs tm2 = Crs::from_user_input("EPSG:3826");
  Box2 lonlat_extent(Point2(121.345, 24.98), Point2(121.622, 25.145));  // all_pav_dist.geojson
  auto fit = strata::check_crs_fit(tm2, lonlat_extent, tm2);
  EXPECT_FALSE(fit.fits);
  ASSERT_TRUE(fit.suggested.has_value());
  EXPECT_EQ(*fit.suggested, "EPSG:4326");
  EXPECT_NE(fit.explanation.find("EPSG:3826"), std::string::npos);
  EXPECT_NE(fit.explanation.find("longitude/latitude"), std::string::npos);
}

TEST(CrsFit, MetresDeclaredAsLonLatSuggestTheProjectCrs) {
  Box2 metres(Point2(296266, 2761514), Point2(317197, 2789176));
  auto fit = strata::check_crs_fit(Crs::from_user_input("EPSG:4326"), metres,
                                   Crs::from_user_input("EPSG:3826"));
  EXPECT_FALSE(fit.fits);
  ASSERT_TRUE(fit.suggested.has_value());
  EXPECT_EQ(*fit.suggested, "EPSG:3826");
}

TEST(CrsFit, CorrectDeclarationsFit) {
  Crs tm2 = Crs::from_user_input("EPSG:3826");
  EXPECT_TRUE(
      strata::check_crs_fit(tm2, Box2(Point2(296266, 2761514), Point2(317197, 2789176)), tm2).fits);
  EXPECT_TRUE(strata::check_crs_fit(Crs::from_user_input("EPSG:4326"),
                                    Box2(Point2(121.4, 24.9), Point2(121.6, 25.2)), tm2)
                  .fits);
  // Kaohsiung Qishan zoning extent in TM2.
  EXPECT_TRUE(
      strata::check_crs_fit(tm2, Box2(Point2(195000, 2530000), Point2(199000, 2535000)), tm2).fits);
}

TEST(Crs, LinearUnitInMetres) {
  EXPECT_DOUBLE_EQ(*strata::Crs::from_user_input("EPSG:3826").linear_unit_m(), 1.0);
  // NAD83(NSRS2007) / Kentucky North (ftUS): the US survey foot, 1200/3937 m.
  EXPECT_NEAR(*strata::Crs::from_user_input("EPSG:3547").linear_unit_m(), 1200.0 / 3937.0, 1e-12);
  EXPECT_FALSE(strata::Crs::from_user_input("EPSG:4326").linear_unit_m().has_value());
}
