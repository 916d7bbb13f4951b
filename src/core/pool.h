// Pool<T>: owned objects (database connections) handed out one at a time, the
// one pool every engine uses.
//
// The pool owns every object it holds, free or taken, until Clear() or its
// destructor. Take() lends one out: the caller uses it and must GiveBack() the
// same pointer (once), and never deletes it. Up to `max` objects exist at once;
// Add() counts toward it. An Opener creates an object when none is free and
// fewer than `max` exist; it runs outside the pool's lock, so opening a
// connection does not stall threads giving theirs back. Every member is
// thread-safe.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <vector>

#include "core/status.h"

namespace decant {

template <typename T>
class Pool {
 public:
  using Opener = std::function<Result<std::unique_ptr<T>>()>;

  explicit Pool(size_t max = std::numeric_limits<size_t>::max()) : max_(max) {}
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Adds `item` as a free object (even beyond `max`).
  void Add(std::unique_ptr<T> item) {
    std::lock_guard lock(mu_);
    free_.push_back(item.get());
    all_.push_back(std::move(item));
    cv_.notify_one();
  }

  // A free object; else a new one from `open` (if given and fewer than `max`
  // exist); else waits until one is given back. An error from `open` is
  // returned as it is and frees its place.
  Result<T*> Take(const Opener& open = nullptr) { return TakeImpl(open, true); }

  // As Take, but instead of waiting returns a null pointer (an OK result)
  // when none is free and none may be opened.
  Result<T*> TryTake(const Opener& open = nullptr) { return TakeImpl(open, false); }

  // Returns an object that Take or TryTake handed out.
  void GiveBack(T* item) {
    std::lock_guard lock(mu_);
    free_.push_back(item);
    cv_.notify_one();
  }

  // Destroys every object. Requires that none is taken.
  void Clear() {
    std::lock_guard lock(mu_);
    free_.clear();
    all_.clear();
  }

  // Objects that exist (free or taken), counting ones being opened.
  size_t size() const {
    std::lock_guard lock(mu_);
    return all_.size() + opening_;
  }

 private:
  Result<T*> TakeImpl(const Opener& open, bool wait) {
    {
      std::unique_lock lock(mu_);
      auto can_open = [&] { return open && all_.size() + opening_ < max_; };
      if (wait) cv_.wait(lock, [&] { return !free_.empty() || can_open(); });
      if (!free_.empty()) {
        T* item = free_.back();
        free_.pop_back();
        return item;
      }
      if (!can_open()) return static_cast<T*>(nullptr);
      ++opening_;  // holds the place while `open` runs unlocked
    }
    Result<std::unique_ptr<T>> fresh = open();
    std::lock_guard lock(mu_);
    --opening_;
    if (!fresh.ok()) {
      cv_.notify_one();
      return fresh.status();
    }
    all_.push_back(std::move(fresh).value());
    return all_.back().get();
  }

  const size_t max_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<T>> all_;
  std::vector<T*> free_;
  size_t opening_ = 0;
};

}  // namespace decant
