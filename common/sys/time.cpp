#include "common/sys/time.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>

namespace nexus_mde {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at `pos`.
bool read_fixed(std::string_view s, std::size_t& pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (!is_digit(c)) return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  out = v;
  return true;
}

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr std::array<unsigned, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

Result<std::int64_t> compose(std::int64_t y, int mo, int d, int h, int mi, int s, int ms,
                             std::int64_t offset_minutes, std::string_view original) {
  if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
      static_cast<unsigned>(d) > days_in_month(y, static_cast<unsigned>(mo)) || h > 23 || mi > 59 || s > 60) {
    return make_error("date or time out of range: \"" + std::string(original) + "\"");
  }
  if (s == 60) s = 59;  // a leap second folds onto the second before it
  std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  std::int64_t ms_total = ((days * 24 + h) * 60 + mi) * 60'000 + s * 1000LL + ms;
  ms_total -= offset_minutes * 60'000;
  if (ms_total < 0 || ms_total > kMaxEpochMs) {
    return make_error("time outside 1970..9999: \"" + std::string(original) + "\"");
  }
  return ms_total;
}

}  // namespace

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}

Result<std::int64_t> parse_epoch_ms(std::string_view digits) {
  if (digits.empty()) return make_error("empty epoch-ms value");
  if (digits.size() > 15) {
    return make_error("epoch-ms value \"" + std::string(digits.substr(0, 32)) + "\" is out of range");
  }
  std::int64_t v = 0;
  for (char c : digits) {
    if (!is_digit(c)) {
      return make_error("epoch-ms value \"" + std::string(digits) +
                        "\" is not a whole number of milliseconds");
    }
    v = v * 10 + (c - '0');
  }
  if (v > kMaxEpochMs) return make_error("epoch-ms value " + std::string(digits) + " is beyond year 9999");
  return v;
}

bool write_rfc3339_ms(std::int64_t epoch_ms, char* out) {
  if (epoch_ms < 0 || epoch_ms > kMaxEpochMs) return false;
  std::int64_t days = epoch_ms / 86'400'000;
  std::int64_t rem = epoch_ms % 86'400'000;
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  // Written digit by digit: this runs for every time in every report (snprintf was a hot spot).
  static constexpr char kTemplate[] = "0000-00-00T00:00:00.000Z";
  std::copy(kTemplate, kTemplate + kRfc3339Length, out);
  auto put = [out](std::size_t pos, std::int64_t value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      out[pos + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, y, 4);
  put(5, m, 2);
  put(8, d, 2);
  put(11, rem / 3'600'000, 2);
  put(14, rem / 60'000 % 60, 2);
  put(17, rem / 1000 % 60, 2);
  put(20, rem % 1000, 3);
  return true;
}

Result<std::string> format_rfc3339_ms(std::int64_t epoch_ms) {
  char buf[kRfc3339Length];
  if (!write_rfc3339_ms(epoch_ms, buf)) {
    return make_error("epoch-ms value " + std::to_string(epoch_ms) + " is outside 1970..9999");
  }
  return std::string(buf, kRfc3339Length);
}

Result<std::int64_t> parse_rfc3339(std::string_view t) {
  auto bad = [&] { return make_error("not an RFC 3339 time: \"" + std::string(t.substr(0, 64)) + "\""); };
  std::size_t p = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0;
  if (!read_fixed(t, p, 4, y) || p >= t.size() || t[p++] != '-' || !read_fixed(t, p, 2, mo) ||
      p >= t.size() || t[p++] != '-' || !read_fixed(t, p, 2, d) || p >= t.size() ||
      (t[p] != 'T' && t[p] != 't' && t[p] != ' ')) {
    return bad();
  }
  ++p;
  if (!read_fixed(t, p, 2, h) || p >= t.size() || t[p++] != ':' || !read_fixed(t, p, 2, mi) ||
      p >= t.size() || t[p++] != ':' || !read_fixed(t, p, 2, s)) {
    return bad();
  }
  if (p < t.size() && t[p] == '.') {
    ++p;
    std::size_t start = p;
    int scale = 100;
    while (p < t.size() && is_digit(t[p])) {
      ms += (t[p] - '0') * scale;
      scale /= 10;
      ++p;
    }
    if (p == start || p - start > 9) return bad();
  }
  std::int64_t offset = 0;
  if (p < t.size() && (t[p] == 'Z' || t[p] == 'z')) {
    ++p;
  } else if (p < t.size() && (t[p] == '+' || t[p] == '-')) {
    int sign = t[p++] == '-' ? -1 : 1;
    int oh = 0, om = 0;
    if (!read_fixed(t, p, 2, oh) || p >= t.size() || t[p++] != ':' || !read_fixed(t, p, 2, om) || oh > 23 ||
        om > 59) {
      return bad();
    }
    offset = std::int64_t{sign} * (oh * 60 + om);
  } else {
    return bad();
  }
  if (p != t.size()) return bad();
  return compose(y, mo, d, h, mi, s, ms, offset, t);
}

Result<std::int64_t> parse_mdatp_date(std::string_view t) {
  // "Aug 12, 2023 at 03:26:24 AM"; month names as mdatp prints them, incl. "Sept" (ICU style).
  static constexpr std::array<std::string_view, 12> kMonths{"jan", "feb", "mar", "apr", "may", "jun",
                                                            "jul", "aug", "sep", "oct", "nov", "dec"};
  auto bad = [&] {
    return make_error("not an mdatp date (\"Mon DD, YYYY at hh:mm:ss AM\"): \"" +
                      std::string(t.substr(0, 64)) + "\"");
  };
  std::size_t p = 0;
  std::string month;
  while (p < t.size() && ((t[p] >= 'A' && t[p] <= 'Z') || (t[p] >= 'a' && t[p] <= 'z'))) {
    month += static_cast<char>(t[p] | 0x20);
    ++p;
  }
  int mo = 0;
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (month.size() >= 3 && month.compare(0, 3, kMonths[i]) == 0) mo = static_cast<int>(i) + 1;
  }
  if (mo == 0 || month.size() > 9) return bad();
  int d = 0, y = 0, h = 0, mi = 0, s = 0;
  if (p >= t.size() || t[p++] != ' ') return bad();
  std::size_t dstart = p;
  while (p < t.size() && is_digit(t[p]) && p - dstart < 2) d = d * 10 + (t[p++] - '0');
  if (p == dstart) return bad();
  constexpr std::string_view kSep1 = ", ";
  constexpr std::string_view kSep2 = " at ";
  if (t.substr(p, kSep1.size()) != kSep1) return bad();
  p += kSep1.size();
  if (!read_fixed(t, p, 4, y) || t.substr(p, kSep2.size()) != kSep2) return bad();
  p += kSep2.size();
  if (!read_fixed(t, p, 2, h) || p >= t.size() || t[p++] != ':' || !read_fixed(t, p, 2, mi) ||
      p >= t.size() || t[p++] != ':' || !read_fixed(t, p, 2, s) || p >= t.size() || t[p++] != ' ') {
    return bad();
  }
  std::string_view ampm = t.substr(p);
  if (h < 1 || h > 12) return bad();
  if (ampm == "AM" || ampm == "am") {
    if (h == 12) h = 0;
  } else if (ampm == "PM" || ampm == "pm") {
    if (h != 12) h += 12;
  } else {
    return bad();
  }
  return compose(y, mo, d, h, mi, s, 0, 0, t);
}

std::string human_duration(std::int64_t ms) {
  if (ms < 0) return "-";
  char buf[48];
  if (ms < 1000) {
    std::snprintf(buf, sizeof buf, "%lldms", static_cast<long long>(ms));
  } else if (ms < 60'000) {
    std::snprintf(buf, sizeof buf, "%lld.%llds", static_cast<long long>(ms / 1000),
                  static_cast<long long>(ms % 1000 / 100));
  } else if (ms < 3'600'000) {
    std::snprintf(buf, sizeof buf, "%lldm %02llds", static_cast<long long>(ms / 60'000),
                  static_cast<long long>(ms / 1000 % 60));
  } else if (ms < 86'400'000) {
    std::snprintf(buf, sizeof buf, "%lldh %02lldm", static_cast<long long>(ms / 3'600'000),
                  static_cast<long long>(ms / 60'000 % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lldd %lldh", static_cast<long long>(ms / 86'400'000),
                  static_cast<long long>(ms / 3'600'000 % 24));
  }
  return buf;
}

std::string human_age(std::int64_t then_ms, std::int64_t now_ms) {
  std::int64_t delta = now_ms - then_ms;
  bool future = delta < 0;
  std::int64_t s = (future ? -delta : delta) / 1000;
  if (s < 5) return "just now";
  std::string body;
  if (s < 60) {
    body = std::to_string(s) + "s";
  } else if (s < 3600) {
    body = std::to_string(s / 60) + "m";
  } else if (s < 86400) {
    body = std::to_string(s / 3600) + "h";
    if (s / 60 % 60) body += " " + std::to_string(s / 60 % 60) + "m";
  } else {
    body = std::to_string(s / 86400) + "d";
    if (s / 3600 % 24) body += " " + std::to_string(s / 3600 % 24) + "h";
  }
  return future ? "in " + body : body + " ago";
}

std::int64_t now_epoch_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace nexus_mde
