#include "engine/metrics/metrics_registry.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tests/support/metrics_text.hpp"

namespace hookline::testing {
namespace {

TEST(MetricsRegistryTest, RendersFamiliesWithHelpTypeAndLabels) {
  MetricsRegistry registry;
  double value = 3;
  registry.counter("x_total", "things \\ done\nnow", [&] { return value; }, {{"kind", "a"}});
  registry.counter("x_total", "", [] { return 4.0; }, {{"kind", "quote\"d"}});
  registry.gauge("y", "a gauge", [] { return 0.25; });

  const std::string text = registry.render();
  EXPECT_EQ(text,
            "# HELP x_total things \\\\ done\\nnow\n"
            "# TYPE x_total counter\n"
            "x_total{kind=\"a\"} 3\n"
            "x_total{kind=\"quote\\\"d\"} 4\n"
            "# HELP y a gauge\n"
            "# TYPE y gauge\n"
            "y 0.25\n");
  value = 5;
  EXPECT_NE(registry.render().find("x_total{kind=\"a\"} 5\n"), std::string::npos);
}

TEST(MetricsRegistryTest, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Histogram histogram({0.1, 1, 10});
  for (double v : {0.05, 0.1, 0.5, 5.0, 50.0}) {
    histogram.observe(v);
  }
  MetricsRegistry registry;
  registry.histogram("h_seconds", "h", histogram);
  auto page = parseMetricsPage(registry.render());
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(page->value(R"(h_seconds_bucket{le="0.1"})"), 2);  // le is inclusive
  EXPECT_EQ(page->value(R"(h_seconds_bucket{le="1"})"), 3);
  EXPECT_EQ(page->value(R"(h_seconds_bucket{le="10"})"), 4);
  EXPECT_EQ(page->value(R"(h_seconds_bucket{le="+Inf"})"), 5);
  EXPECT_EQ(page->value("h_seconds_count"), 5);
  EXPECT_DOUBLE_EQ(page->value("h_seconds_sum"), 55.65);
}

TEST(MetricsRegistryTest, GaugeReadingNanIsLeftOutAndCollectorsRunFirst) {
  MetricsRegistry registry;
  int collected = 0;
  registry.collector([&] { ++collected; });
  registry.gauge("up", "", [&] { return collected > 1 ? 1.0 : 0.0; });
  registry.gauge("maybe", "", [] { return std::numeric_limits<double>::quiet_NaN(); });
  registry.gauges("per", "", [] {
    return std::vector<std::pair<MetricLabels, double>>{{{{"consumer", "w1"}}, 2},
                                                        {{{"consumer", "w2"}}, 0}};
  });
  registry.render();
  auto page = parseMetricsPage(registry.render());
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(collected, 2);
  EXPECT_EQ(page->value("up"), 1);
  EXPECT_EQ(page->value("maybe"), -1);
  EXPECT_EQ(page->value(R"(per{consumer="w1"})"), 2);
  EXPECT_EQ(page->value(R"(per{consumer="w2"})"), 0);
}

TEST(MetricsRegistryTest, ValuesAreSpelledAsPrometheusReadsThem) {
  EXPECT_EQ(metricValue(0), "0");
  EXPECT_EQ(metricValue(12345678901234.0), "12345678901234");
  EXPECT_EQ(metricValue(0.005), "0.005");
  EXPECT_EQ(metricValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(metricValue(std::nan("")), "NaN");
}

}  // namespace
}  // namespace hookline::testing
