#include "CInterrupt.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

// The handler may only use lock-free atomics.
_Static_assert(ATOMIC_INT_LOCK_FREE == 2 && ATOMIC_LLONG_LOCK_FREE == 2, "atomics must be lock-free");

/// Slot states. A slot is filled while `filling` and owned by the handler once `claimed`.
enum { slot_free, slot_filling, slot_armed, slot_claimed };

static _Atomic int slot_state[NL_PENDING_SLOTS];
static char slot_path[NL_PENDING_SLOTS][NL_PENDING_PATH_BYTES];

/// Bits 0-31: open deferral sections; bits 32-39: a deferred signal; bit 63: exiting.
static _Atomic uint64_t deferral;
static const uint64_t open_section = 1;
static const uint64_t sections_mask = 0xFFFFFFFFu;
static const int signal_shift = 32;
static const uint64_t exiting = (uint64_t)1 << 63;

static int deferred_signal(uint64_t word) { return (int)((word >> signal_shift) & 0xFF); }

/// Claims every armed slot and unlinks its path, then exits.
static void remove_pending_and_exit(int signal_number) {
  for (int slot = 0; slot < NL_PENDING_SLOTS; slot++) {
    int armed = slot_armed;
    if (atomic_compare_exchange_strong(&slot_state[slot], &armed, slot_claimed)) unlink(slot_path[slot]);
  }
  _exit(128 + signal_number);
}

static void handle_interrupt(int signal_number) {
  uint64_t word = atomic_load(&deferral);
  for (;;) {
    if (word & exiting) return;  // another thread is already removing the files and exiting
    if ((word & sections_mask) == 0) {
      if (atomic_compare_exchange_weak(&deferral, &word, exiting)) remove_pending_and_exit(signal_number);
    } else {
      if (deferred_signal(word) != 0) return;  // one deferred signal is enough
      if (atomic_compare_exchange_weak(&deferral, &word, word | (uint64_t)signal_number << signal_shift)) return;
    }
  }
}

void nl_interrupt_install(void) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = handle_interrupt;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  sigaddset(&action.sa_mask, SIGINT);
  sigaddset(&action.sa_mask, SIGTERM);
  const int signals[] = {SIGINT, SIGTERM};
  for (int k = 0; k < 2; k++) {
    struct sigaction previous;
    if (sigaction(signals[k], NULL, &previous) == 0 && previous.sa_handler == SIG_IGN) continue;
    sigaction(signals[k], &action, NULL);
  }
}

int nl_pending_register(const char *path) {
  size_t length = strlen(path);
  if (length >= NL_PENDING_PATH_BYTES) return NL_PENDING_TOO_LONG;
  for (int slot = 0; slot < NL_PENDING_SLOTS; slot++) {
    int expected = slot_free;
    if (atomic_compare_exchange_strong(&slot_state[slot], &expected, slot_filling)) {
      memcpy(slot_path[slot], path, length + 1);
      atomic_store(&slot_state[slot], slot_armed);
      return slot;
    }
  }
  return NL_PENDING_FULL;
}

void nl_pending_unregister(int slot) {
  int armed = slot_armed;
  atomic_compare_exchange_strong(&slot_state[slot], &armed, slot_free);
}

void nl_interrupt_defer(void) {
  uint64_t word = atomic_load(&deferral);
  for (;;) {
    if (word & exiting) for (;;) pause();  // the handler's _exit ends every thread
    if (atomic_compare_exchange_weak(&deferral, &word, word + open_section)) return;
  }
}

void nl_interrupt_resume(void) {
  uint64_t word = atomic_load(&deferral);
  for (;;) {
    if ((word & sections_mask) == 1 && deferred_signal(word) != 0) {
      if (atomic_compare_exchange_weak(&deferral, &word, exiting)) remove_pending_and_exit(deferred_signal(word));
    } else {
      if (atomic_compare_exchange_weak(&deferral, &word, word - open_section)) return;
    }
  }
}
