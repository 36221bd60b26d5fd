// Parsing a command line the same way in slotlab and slotlab-bench: an
// unknown command is named as such (not "a subcommand is required"), a parse
// error is one line with a pointer to --help, exit status 2.
#pragma once
#include <CLI/CLI.hpp>

#include <cstdio>
#include <optional>
#include <string>

namespace slot::emu {

// nullopt when the command line parsed; else the status to exit with (0
// after --help).
inline std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv, const char* program) {
  if (argc > 1 && argv[1][0] != '-') {
    std::string names;
    bool known = false;
    for (const CLI::App* s : app.get_subcommands({})) {
      known |= s->get_name() == argv[1];
      names += (names.empty() ? "" : ", ") + s->get_name();
    }
    if (!known) {
      std::fprintf(stderr, "%s: unknown command '%s' (one of: %s; see %s --help)\n", program, argv[1], names.c_str(),
                   program);
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s: %s (see %s --help)\n", program, e.what(), program);
    return 2;
  }
  return std::nullopt;
}

}  // namespace slot::emu
