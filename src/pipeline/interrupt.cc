#include "pipeline/interrupt.h"

#include <atomic>
#include <csignal>

namespace decant {
namespace {

std::atomic<int> g_signal{0};

extern "C" void OnSignal(int sig) {
  g_signal.store(sig);
  std::signal(sig, SIG_DFL);  // a second Ctrl-C ends the process at once
}

}  // namespace

void InstallInterruptHandlers() {
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
}

int InterruptSignal() { return g_signal.load(); }

Status CheckInterrupted() {
  int sig = g_signal.load();
  if (sig == 0) return Status::OK();
  return Status::Cancelled(sig == SIGINT ? "interrupted (SIGINT); nothing was left looking complete"
                                         : "terminated (SIGTERM); nothing was left looking complete");
}

}  // namespace decant
