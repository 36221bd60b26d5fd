// The report's figure: loop MIPS per engine as grouped bars (log scale),
// drawn by gnuplot (Debian's gnuplot package) into a PNG.
#pragma once
#include <string>
#include <vector>

#include "app/bench/analysis.h"

namespace slot::bench {

// The gnuplot script (data inline) that draws `png_path`.
std::string mips_plot_script(const std::vector<Cell>& cells, const std::vector<WorkloadInfo>& ws,
                             const std::string& png_path);
// Runs gnuplot on that script. False (and `err`) if gnuplot is missing or fails.
bool plot_mips(const std::vector<Cell>& cells, const std::vector<WorkloadInfo>& ws, const std::string& png_path,
               std::string& err);

}  // namespace slot::bench
