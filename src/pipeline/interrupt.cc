#include "pipeline/interrupt.h"

#include <atomic>
#include <csignal>

namespace decant {
namespace {

std::atomic<int> g_signal{0};

extern "C" void OnSignal(int sig) { g_signal.store(sig); }

void Catch(int sig, int flags) {
  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = flags;
  sigaction(sig, &sa, nullptr);
}

}  // namespace

void InstallInterruptHandlers() {
  // Without SA_RESTART, so that a read waiting on stdin or a write blocked on
  // a full pipe returns EINTR (io/file_system.h: Cancelled); SA_RESETHAND: a
  // second Ctrl-C ends the process at once.
  Catch(SIGINT, SA_RESETHAND);
  Catch(SIGTERM, SA_RESETHAND);
  // The reader of stdout (or stderr) went away: the write fails with EPIPE
  // and the run stops as for Ctrl-C, its sink aborted, instead of dying
  // with temporary files left behind.
  Catch(SIGPIPE, SA_RESTART);
}

int InterruptSignal() { return g_signal.load(); }

Status CheckInterrupted() {
  int sig = g_signal.load();
  if (sig == 0) return Status::OK();
  if (sig == SIGPIPE) return Status::Cancelled("the reader of standard output went away (SIGPIPE)");
  return Status::Cancelled(sig == SIGINT ? "interrupted (SIGINT); nothing was left looking complete"
                                         : "terminated (SIGTERM); nothing was left looking complete");
}

}  // namespace decant
