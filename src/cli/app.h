// The decant command line as a library call, so tests run it in process.
#pragma once

namespace decant {

// Parses argv, runs one command, prints its messages, and returns the exit code.
int RunDecant(int argc, char** argv);

}  // namespace decant
