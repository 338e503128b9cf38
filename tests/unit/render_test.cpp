// Class breaks, the map renderer's output files and the report writer, without a display.
#include <gtest/gtest.h>

#include <boost/geometry/io/wkt/read.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "strata/core/error.h"
#include "strata/render/class_breaks.h"
#include "strata/render/map_document.h"
#include "strata/render/palette.h"
#include "strata/render/report.h"

namespace strata::render {
namespace {

TEST(ClassBreaks, QuantilesInterpolateLikeNumpy) {
  // numpy.quantile([1..10], [0.25, 0.5, 0.75, 1]) = 3.25, 5.5, 7.75, 10
  const auto b = classify({10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, ClassMethod::kQuantile, 4);
  ASSERT_EQ(b.size(), 4);
  EXPECT_DOUBLE_EQ(b.upper[0], 3.25);
  EXPECT_DOUBLE_EQ(b.upper[1], 5.5);
  EXPECT_DOUBLE_EQ(b.upper[2], 7.75);
  EXPECT_DOUBLE_EQ(b.upper[3], 10);
  EXPECT_EQ(b.counts, (std::vector<int>{3, 2, 2, 3}));
}

TEST(ClassBreaks, NaturalBreaksSeparateClusters) {
  // Three obvious clusters: Jenks must cut between them, whatever their sizes.
  const auto b = classify({1, 2, 3, 50, 51, 52, 53, 54, 400}, ClassMethod::kNaturalBreaks, 3);
  ASSERT_EQ(b.size(), 3);
  EXPECT_EQ(b.upper, (std::vector<double>{3, 54, 400}));
  EXPECT_EQ(b.counts, (std::vector<int>{3, 5, 1}));
}

TEST(ClassBreaks, NoMoreClassesThanDistinctValues) {
  const auto b = classify({5, 5, 7}, ClassMethod::kQuantile, 5);
  EXPECT_LE(b.size(), 2);
  for (int c : b.counts) EXPECT_GT(c, 0);
  const auto one = classify({4, 4, 4}, ClassMethod::kNaturalBreaks, 5);
  EXPECT_EQ(one.size(), 1);
  EXPECT_EQ(one.counts.front(), 3);
}

TEST(ClassBreaks, EmptyClassesAreMergedAndInfinitiesDropped) {
  // Equal intervals over a gap: 0..1 and 100 leave the middle third empty.
  const auto b = classify({0, 1, 100, INFINITY, NAN}, ClassMethod::kEqualInterval, 3);
  ASSERT_EQ(b.size(), 2);
  EXPECT_DOUBLE_EQ(b.lower[1], b.upper[0]);
  EXPECT_EQ(b.counts, (std::vector<int>{2, 1}));
  EXPECT_DOUBLE_EQ(b.upper.back(), 100);
  // Fixed breaks stay as the user gave them, but at most 9 classes.
  EXPECT_THROW(classify({0, 100}, ClassMethod::kFixed, 0, {1, 2, 3, 4, 5, 6, 7, 8, 9}),
               StrataError);
}

TEST(Palette, NineClassesHaveNineColours) {
  for (const auto& scheme : sequential_palette_names()) {
    const auto colours = sequential_palette(scheme, 9);
    std::set<std::string> distinct;
    for (const auto& c : colours) distinct.insert(c.css());
    EXPECT_EQ(distinct.size(), 9u) << scheme;
  }
  EXPECT_THROW(sequential_palette("Rainbow", 5), StrataError);
}

TEST(ClassBreaks, FixedBreaksAndBadInput) {
  const auto b = classify({0, 5, 15, 25, 100}, ClassMethod::kFixed, 0, {10, 20, 50});
  EXPECT_EQ(b.upper, (std::vector<double>{10, 20, 50, 100}));
  EXPECT_EQ(b.counts, (std::vector<int>{2, 1, 1, 1}));
  EXPECT_EQ(b.class_of(10), 0);
  EXPECT_EQ(b.class_of(10.5), 1);
  EXPECT_EQ(b.class_of(101), -1);
  EXPECT_THROW(classify({}, ClassMethod::kQuantile, 5), StrataError);
  EXPECT_THROW(classify({1, 2}, ClassMethod::kFixed, 0, {3, 2}), StrataError);
  EXPECT_THROW(classify({1, 2}, ClassMethod::kQuantile, 12), StrataError);
}

TEST(MapRenderer, WritesPngAndSvgAtomically) {
  MapDocument map;
  map.title = "測試 test";
  MapFeature f;
  Polygon2 square;
  boost::geometry::read_wkt("POLYGON((0 0,0 100,100 100,100 0,0 0))", square);
  f.polygons.push_back(square);
  f.label = "大安區";
  map.layers.push_back({"l", {f}, true});
  map.legend.push_back({"a class", Rgba::hex(0x41ab5d), LegendSymbol::kBox});
  const auto dir = std::filesystem::temp_directory_path() / "strata_render_test";
  std::filesystem::create_directories(dir);
  for (const char* name : {"m.png", "m.svg"}) {
    const auto r = render_map(map, dir / name, 640, 480);
    EXPECT_TRUE(std::filesystem::file_size(dir / name) > 1000) << name;
    EXPECT_EQ(r.labels_drawn, 1);
    EXPECT_GT(r.scale_bar_m, 0);
    for (const auto& entry : std::filesystem::directory_iterator(dir))  // no temporary left
      EXPECT_EQ(entry.path().filename().string().find(".writing-"), std::string::npos)
          << entry.path();
  }
  std::ifstream png(dir / "m.png", std::ios::binary);
  char magic[8] = {};
  png.read(magic, 8);
  EXPECT_EQ(std::string(magic + 1, 3), "PNG");
  EXPECT_THROW(render_map(map, dir / "m.jpg"), StrataError);
  EXPECT_THROW(render_map(map, dir / "m.png", 10, 10), StrataError);
  std::filesystem::remove_all(dir);
}

TEST(Report, EscapesTextAndEmbedsImages) {
  EXPECT_EQ(html_escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
  const auto dir = std::filesystem::temp_directory_path() / "strata_report_test";
  std::filesystem::create_directories(dir);
  {
    std::ofstream img(dir / "i.png", std::ios::binary);
    img << "abc";  // base64 "YWJj"
  }
  Report r;
  r.title = "<script>";
  r.sections.push_back({"s", "Section", {"p & q"}, {}, {{dir / "i.png", "cap", "img-1"}}, {}});
  write_report_html(r, dir / "r.html");
  std::ifstream in(dir / "r.html");
  const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("data:image/png;base64,YWJj"), std::string::npos);
  EXPECT_NE(html.find("p &amp; q"), std::string::npos);
  r.sections.front().images.front().file = dir / "missing.png";
  EXPECT_THROW(write_report_html(r, dir / "r2.html"), StrataError);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace strata::render
