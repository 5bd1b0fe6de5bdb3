#include "common/sys/time.hpp"

#include <gtest/gtest.h>

#include <clocale>
#include <cstdlib>
#include <ctime>
#include <vector>

namespace nexus_mde {
namespace {

TEST(Time, FormatsTheNexusDocExampleWithMilliseconds) {
  auto s = format_rfc3339_ms(1697204573732);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, "2023-10-13T13:42:53.732Z");
}

TEST(Time, FormattingIgnoresTimeZoneAndLocale) {
  const char* old_tz = std::getenv("TZ");
  std::string saved = old_tz ? old_tz : "";
  ::setenv("TZ", "Asia/Kolkata", 1);
  ::tzset();
  std::setlocale(LC_ALL, "C.UTF-8");
  auto s = format_rfc3339_ms(1697204573732);
  if (old_tz)
    ::setenv("TZ", saved.c_str(), 1);
  else
    ::unsetenv("TZ");
  ::tzset();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, "2023-10-13T13:42:53.732Z");
}

TEST(Time, FormatsEpochAndCalendarEdges) {
  EXPECT_EQ(*format_rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(*format_rfc3339_ms(951782400000), "2000-02-29T00:00:00.000Z");  // leap day
  EXPECT_EQ(*format_rfc3339_ms(kMaxEpochMs), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(*format_rfc3339_ms(1), "1970-01-01T00:00:00.001Z");
}

TEST(Time, RejectsOutOfRangeValues) {
  EXPECT_FALSE(format_rfc3339_ms(-1).ok());
  EXPECT_FALSE(format_rfc3339_ms(kMaxEpochMs + 1).ok());
}

TEST(Time, ParsesEpochMsDigitsOnly) {
  EXPECT_EQ(*parse_epoch_ms("1697204573732"), 1697204573732);
  for (const char* bad : {"", "abc", "-5", "+5", "1.5", " 12", "12 ", "1e3", "0x10", "9999999999999999"}) {
    auto r = parse_epoch_ms(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
  auto r = parse_epoch_ms("12a");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("12a"), std::string::npos);
}

TEST(Time, ParsesRfc3339BackToTheSameInstant) {
  for (std::int64_t ms :
       std::vector<std::int64_t>{0, 1697204573732, 951782400000, 1712756068000, kMaxEpochMs}) {
    auto text = format_rfc3339_ms(ms);
    ASSERT_TRUE(text.ok());
    auto back = parse_rfc3339(*text);
    ASSERT_TRUE(back.ok()) << *text;
    EXPECT_EQ(*back, ms);
  }
}

TEST(Time, ParsesOffsetsAndFractions) {
  EXPECT_EQ(*parse_rfc3339("2023-10-13T15:42:53.732+02:00"), 1697204573732);
  EXPECT_EQ(*parse_rfc3339("2023-10-13t13:42:53.7329z"), 1697204573732);
  EXPECT_EQ(*parse_rfc3339("2023-10-13T13:42:53Z"), 1697204573000);
  for (const char* bad : {"2023-10-13", "2023-13-01T00:00:00Z", "2023-02-30T00:00:00Z", "2023-10-13T13:42:53",
                          "2023-10-13T25:00:00Z", "2023-10-13T13:42:53.Z", "1969-12-31T23:59:59Z", "x"}) {
    EXPECT_FALSE(parse_rfc3339(bad).ok()) << bad;
  }
}

TEST(Time, ParsesMdatpTextDates) {
  EXPECT_EQ(*format_rfc3339_ms(*parse_mdatp_date("Aug 12, 2023 at 03:26:24 AM")), "2023-08-12T03:26:24.000Z");
  EXPECT_EQ(*format_rfc3339_ms(*parse_mdatp_date("Apr 10, 2024 at 01:34:28 PM")), "2024-04-10T13:34:28.000Z");
  EXPECT_EQ(*format_rfc3339_ms(*parse_mdatp_date("Sept 08, 2022 at 12:05:00 AM")),
            "2022-09-08T00:05:00.000Z");
  EXPECT_EQ(*format_rfc3339_ms(*parse_mdatp_date("Dec 02, 2024 at 12:50:19 PM")), "2024-12-02T12:50:19.000Z");
  for (const char* bad :
       {"Foo 12, 2023 at 03:26:24 AM", "Aug 12 2023 at 03:26:24 AM", "Aug 12, 2023 at 13:26:24 PM",
        "Aug 32, 2023 at 03:26:24 AM", "Aug 12, 2023 at 03:26:24", "unavailable"}) {
    EXPECT_FALSE(parse_mdatp_date(bad).ok()) << bad;
  }
}

TEST(Time, HumanAges) {
  const std::int64_t now = 1'700'000'000'000;
  EXPECT_EQ(human_age(now - 2'000, now), "just now");
  EXPECT_EQ(human_age(now - 42'000, now), "42s ago");
  EXPECT_EQ(human_age(now - 3 * 60'000, now), "3m ago");
  EXPECT_EQ(human_age(now - (3 * 3600 + 12 * 60) * 1000LL, now), "3h 12m ago");
  EXPECT_EQ(human_age(now - 3 * 3600 * 1000LL, now), "3h ago");
  EXPECT_EQ(human_age(now - (2 * 86400 + 4 * 3600) * 1000LL, now), "2d 4h ago");
  EXPECT_EQ(human_age(now + 5 * 60'000, now), "in 5m");
}

TEST(Time, HumanDurations) {
  EXPECT_EQ(human_duration(850), "850ms");
  EXPECT_EQ(human_duration(58'755), "58.7s");
  EXPECT_EQ(human_duration(192'000), "3m 12s");
  EXPECT_EQ(human_duration(3'720'000), "1h 02m");
  EXPECT_EQ(human_duration(-1), "-");
}

}  // namespace
}  // namespace nexus_mde
