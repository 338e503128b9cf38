#include <gtest/gtest.h>

#include "strata/core/name_normaliser.h"

TEST(NameNormaliser, BuiltInVariantsAndBlanks) {
  strata::NameNormaliser n;
  EXPECT_EQ(n.normalise("台北市"), "臺北市");
  EXPECT_EQ(n.normalise("  大安區\xE3\x80\x80"), "大安區");
  EXPECT_EQ(n.normalise("糖蔀里"), "糖蔀里");  // not built in: comes from the project's table
}

TEST(NameNormaliser, TableEntriesReplaceSubstrings) {
  strata::NameNormaliser n;
  n.add("糖蔀", "糖廍");
  EXPECT_EQ(n.normalise("糖蔀里"), "糖廍里");
  EXPECT_EQ(n.normalise("萬華區糖蔀里糖蔀"), "萬華區糖廍里糖廍");
  EXPECT_EQ(n.normalise("糖廍里"), "糖廍里");
}
