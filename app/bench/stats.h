// Summaries of repeated measurements. Medians, because a busy 2-core host
// produces outliers in one direction only (a run is slowed, never sped up).
#pragma once
#include <vector>

namespace slot::bench {

// Median of the values (the mean of the middle two for an even count);
// NaN for none.
double median(std::vector<double> v);
// Smallest and largest value; NaN for none.
double min_of(const std::vector<double>& v);
double max_of(const std::vector<double>& v);

}  // namespace slot::bench
