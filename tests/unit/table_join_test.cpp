#include <gtest/gtest.h>

#include "strata/core/error.h"
#include "strata/io/table.h"
#include "strata/io/table_join.h"
#include "test_support.h"

using namespace strata::io;
using strata::test::scratch_dir;
using strata::test::write_file;

TEST(Table, ReadsCsvAsTextKeepingLeadingZeros) {
  auto t =
      read_table(write_file(scratch_dir() / "t.csv", "code,name\n0010,甲\n0200,乙\n").string());
  ASSERT_EQ(t.columns, (std::vector<std::string>{"code", "name"}));
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0][0], "0010");
  EXPECT_EQ(t.rows[1][1], "乙");
  EXPECT_EQ(t.row_numbers[1], 2);
}

TEST(Table, InvalidUtf8NamesTheRowAndColumn) {
  auto path = write_file(scratch_dir() / "latin1.csv", "code,name\n1,caf\xE9\n");
  try {
    (void)read_table(path.string());
    ADD_FAILURE();
  } catch (const strata::StrataError& e) {
    EXPECT_EQ(e.code(), strata::ErrorCode::kEncoding);
    EXPECT_NE(std::string(e.what()).find("row 1, column 'name'"), std::string::npos) << e.what();
  }
  // With the encoding declared, the text is recoded.
  auto t = read_table(path.string(), "ISO-8859-1");
  EXPECT_EQ(t.rows[0][1], "caf\xC3\xA9");
}

TEST(TableJoin, ExactFirstThenNormalisedAndUnclaimedRows) {
  Table t;
  t.name = "census";
  t.columns = {"town", "name", "pop"};
  t.rows = {{"萬華區", "糖廍里", "10"}, {"萬華區", "新起里", "20"}, {"大同區", "老師里", "30"}};
  t.row_numbers = {1, 2, 3};
  strata::NameNormaliser n;
  n.add("糖蔀", "糖廍");
  TableJoin join(t, {"town", "name"}, n);
  auto exact = join.find({"萬華區", "新起里"});
  ASSERT_TRUE(exact);
  EXPECT_FALSE(exact->via_normalisation);
  EXPECT_EQ(exact->rows, std::vector<std::size_t>{1});
  join.claim(*exact);
  auto variant = join.find({"萬華區", "糖蔀里"});
  ASSERT_TRUE(variant);
  EXPECT_TRUE(variant->via_normalisation);
  join.claim(*variant);
  EXPECT_FALSE(join.find({"萬華區", "不存在里"}));
  EXPECT_EQ(join.unclaimed_rows(), std::vector<std::size_t>{2});
  EXPECT_EQ(join.key_text(2), "大同區 / 老師里");
}

TEST(TableJoin, UnknownKeyColumnIsAnError) {
  Table t;
  t.name = "x";
  t.columns = {"a"};
  EXPECT_THROW(TableJoin(t, {"b"}, strata::NameNormaliser()), strata::StrataError);
}

TEST(Table, LookupAndFilterWithUnresolvedRowsReported) {
  auto dir = scratch_dir();
  write_file(dir / "codes.csv", "ivid,town,county\nA-1,信義區,臺北市\nB-1,東區,臺南市\n");
  write_file(dir / "census.csv", "ivid,male,female\nA-1,1,2\nB-1,3,4\nC-9,5,6\n");
  Project p;
  p.tables.push_back({"codes", dir / "codes.csv", "", "", "", std::nullopt, {}, 1});
  p.tables.push_back({"census",
                      dir / "census.csv",
                      "",
                      "2013-03",
                      "",
                      TableLookupSpec{"codes", "ivid"},
                      {{"county", "臺北市"}},
                      5});
  std::vector<strata::FeatureIssue> issues;
  auto tables = load_project_tables(p, issues);
  const Table& c = tables.at("census");
  ASSERT_EQ(c.rows.size(), 1u);
  EXPECT_EQ(c.rows[0][static_cast<std::size_t>(c.column("town"))], "信義區");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].code, strata::ErrorCode::kJoinUnmatchedRow);
  EXPECT_EQ(issues[0].feature_id, "C-9");
}
