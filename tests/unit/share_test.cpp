#include <gtest/gtest.h>

#include "strata/core/error.h"
#include "strata/core/share.h"

using strata::Share;

TEST(Share, ThirdsAddUpToOneExactly) {
  EXPECT_EQ(Share(1, 3) + Share(2, 3), Share::whole());
  Share sum;
  for (int i = 0; i < 7; ++i) sum += Share(1, 7);
  EXPECT_EQ(sum, Share(1, 1));
  // The same sum in doubles is not exact, which is why shares are rationals.
  double d = 0;
  for (int i = 0; i < 10; ++i) d += 0.1;
  EXPECT_NE(d, 1.0);
  Share tenth_sum;
  for (int i = 0; i < 10; ++i) tenth_sum += Share::parse("0.1");
  EXPECT_EQ(tenth_sum, Share::whole());
}

TEST(Share, ParsesSlashChineseAndWholeForms) {
  EXPECT_EQ(Share::parse("1/3"), Share(1, 3));
  EXPECT_EQ(Share::parse(" 2 / 6 "), Share(1, 3));
  EXPECT_EQ(Share::parse("3分之1"), Share(1, 3));
  EXPECT_EQ(Share::parse("10000分之2345"), Share(2345, 10000));
  EXPECT_EQ(Share::parse("全部"), Share::whole());
  EXPECT_EQ(Share::parse("25%"), Share(1, 4));
  EXPECT_EQ(Share::parse("0.25"), Share(1, 4));
  EXPECT_EQ(Share::parse("1"), Share::whole());
}

TEST(Share, DecimalsAreExactUnlessAToleranceIsDeclared) {
  EXPECT_EQ(Share::parse("0.333"), Share(333, 1000));
  EXPECT_EQ(Share::parse("0.333", 0.001), Share(1, 3));
  EXPECT_EQ(Share::parse("0.6667", 0.0005), Share(2, 3));
  EXPECT_EQ(Share::parse("0.142857", 1e-6), Share(1, 7));
  // A tolerance never moves a value further than declared.
  Share s = Share::parse("0.3", 0.01);
  EXPECT_LE(std::abs(s.to_double() - 0.3), 0.01);
}

TEST(Share, KeepsReducedFormAndOrders) {
  Share s(6, -8);
  EXPECT_EQ(s.numerator(), -3);
  EXPECT_EQ(s.denominator(), 4);
  EXPECT_LT(Share(1, 3), Share(1, 2));
  EXPECT_EQ(Share(2, 4).to_string(), "1/2");
  EXPECT_EQ(Share(4, 2).to_string(), "2");
  EXPECT_EQ(Share(1, 2) * Share(2, 3), Share(1, 3));
  EXPECT_EQ(Share(1, 2) - Share(1, 3), Share(1, 6));
}

TEST(Share, RejectsMalformedTextWithTheText) {
  for (const char* bad : {"", "abc", "1/0", "0分之1", "1//2", "/3", "1.2.3", "分之", "-1/3"}) {
    try {
      (void)Share::parse(bad);
      ADD_FAILURE() << "parsed '" << bad << "'";
    } catch (const strata::StrataError& e) {
      EXPECT_EQ(e.code(), strata::ErrorCode::kFieldType);
      EXPECT_NE(std::string(e.what()).find(std::string("'") + bad + "'"), std::string::npos)
          << e.what();
    }
  }
}

TEST(Share, OverflowThrowsInsteadOfWrapping) {
  Share big(INT64_MAX - 1, INT64_MAX);
  Share other(1, INT64_MAX - 2);
  EXPECT_THROW((void)(big + other), strata::StrataError);
  EXPECT_THROW(Share(1, 0), strata::StrataError);
}

TEST(Share, FullWidthDigitsFromRegistryTranscripts) {
  EXPECT_EQ(Share::parse("３分之１"), Share(1, 3));
  EXPECT_EQ(Share::parse("１０分之３"), Share(3, 10));
  EXPECT_EQ(Share::parse("１／４"), Share(1, 4));
  EXPECT_EQ(Share::parse("０．５"), Share(1, 2));
}

TEST(Share, DegenerateDecimalsAndExtremesAreRejected) {
  EXPECT_THROW((void)Share::parse("."), strata::StrataError);
  EXPECT_THROW((void)Share::parse("1."), strata::StrataError);
  EXPECT_THROW(Share(INT64_MIN, 1), strata::StrataError);
  EXPECT_THROW(Share(1, INT64_MIN), strata::StrataError);
}

// Registry transcripts write shares in Chinese numerals too; a row with 三分之一 must not vanish.
TEST(Share, ReadsChineseNumerals) {
  EXPECT_EQ(Share::parse("三分之一"), Share(1, 3));
  EXPECT_EQ(Share::parse("十分之三"), Share(3, 10));
  EXPECT_EQ(Share::parse("一百分之二十五"), Share(25, 100));
  EXPECT_EQ(Share::parse("萬分之一"), Share(1, 10000));
  EXPECT_EQ(Share::parse("一萬分之一二三四"), Share(1234, 10000));
  EXPECT_EQ(Share::parse("一〇〇分之三"), Share(3, 100));
  EXPECT_EQ(Share::parse("一千零五分之七"), Share(7, 1005));
  EXPECT_EQ(Share::parse("十萬分之一萬零五百"), Share(10500, 100000));
  EXPECT_EQ(Share::parse("壹佰分之貳拾"), Share(20, 100));
  EXPECT_EQ(Share::parse("兩分之一"), Share(1, 2));
  EXPECT_EQ(Share::parse("１萬分之３"), Share(3, 10000));
  // The sum of a building's Chinese-numeral shares is exact.
  EXPECT_EQ(Share::parse("三分之一") + Share::parse("三分之二"), Share::whole());
  for (const char* bad :
       {"三四十分之一", "十百分之一", "零分之一", "三分之", "分之一", "三分之壹點"}) {
    EXPECT_THROW(Share::parse(bad), strata::StrataError) << bad;
  }
}
