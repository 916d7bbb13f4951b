#include "core/work_queue.h"

#include <algorithm>
#include <mutex>
#include <numeric>
#include <thread>

namespace decant {

std::vector<size_t> LargestFirst(const std::vector<uint64_t>& sizes) {
  std::vector<size_t> order(sizes.size());
  std::iota(order.begin(), order.end(), size_t{0});
  // Unknown (0) sorts below every known size, which is what "after them" needs.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return sizes[a] > sizes[b]; });
  return order;
}

Status RunWorkQueue(size_t count, size_t workers, const std::function<Status(size_t worker, size_t unit)>& run,
                    const std::vector<uint64_t>& sizes) {
  if (count == 0) return Status::OK();
  if (!sizes.empty() && sizes.size() != count) {
    return Status::InvalidArgument("work queue: sizes must be given for every unit or for none");
  }
  std::vector<size_t> order;
  if (sizes.empty()) {
    order.resize(count);
    std::iota(order.begin(), order.end(), size_t{0});
  } else {
    order = LargestFirst(sizes);
  }
  workers = std::clamp<size_t>(workers, 1, count);

  std::mutex mu;
  size_t next = 0;
  Status first_error;
  auto worker = [&](size_t w) {
    for (;;) {
      size_t unit;
      {
        std::lock_guard lock(mu);
        if (!first_error.ok() || next == count) return;
        unit = order[next++];
      }
      Status st = run(w, unit);
      if (!st.ok()) {
        std::lock_guard lock(mu);
        if (first_error.ok()) first_error = std::move(st);
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(workers - 1);
  for (size_t w = 1; w < workers; ++w) threads.emplace_back(worker, w);
  worker(0);
  for (auto& t : threads) t.join();
  return first_error;
}

}  // namespace decant
