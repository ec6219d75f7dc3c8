// Removal of pending temporary files on SIGINT/SIGTERM, safe to run inside a signal handler.
//
// Everything the handler touches is preallocated here: a fixed table of path slots, each with
// an atomic state, and one atomic word recording deferred signals. The handler reads only these,
// calls only unlink(2) and _exit(2) (both async-signal-safe), allocates nothing and takes no lock.
#ifndef CINTERRUPT_H
#define CINTERRUPT_H

/// Slots in the pending-file table, and the bytes of a path including its final NUL.
enum { NL_PENDING_SLOTS = 64, NL_PENDING_PATH_BYTES = 4096 };

/// `nl_pending_register` failures.
enum { NL_PENDING_FULL = -1, NL_PENDING_TOO_LONG = -2 };

/// Installs the handler for SIGINT and SIGTERM with sigaction(2): it removes every registered
/// path and exits with status 128 + the signal number. A signal that is ignored when this is
/// called (a background job of a non-interactive shell ignores SIGINT) stays ignored.
void nl_interrupt_install(void);

/// Registers a NUL-terminated path for removal on interrupt. Returns its slot (>= 0), or
/// NL_PENDING_FULL when every slot is taken, or NL_PENDING_TOO_LONG.
int nl_pending_register(const char *path);

/// Forgets the path in `slot` (a no-op when an interrupt handler has already claimed it).
void nl_pending_unregister(int slot);

/// Opens a section in which an interrupt is deferred: a SIGINT or SIGTERM arriving on any
/// thread is recorded, and acted on when the last open section closes. Sections nest and may
/// be open on several threads. When an interrupt is already being handled, this never returns
/// (the process is exiting). Blocking the signals with pthread_sigmask would not do: the mask
/// is per thread, and the kernel delivers a process-directed signal to any thread that does
/// not block it (Dispatch and OpenBLAS workers included).
void nl_interrupt_defer(void);

/// Closes a section opened by nl_interrupt_defer; when it was the last one and an interrupt
/// arrived meanwhile, removes the registered paths and exits as the handler would have.
void nl_interrupt_resume(void);

/// Puts the file at `temporary` in `destination`'s place, atomically for readers: where an old
/// file exists, the two names are exchanged (renameat2 RENAME_EXCHANGE) and the old file, now at
/// `temporary`, is unlinked; otherwise, or where the file system cannot exchange, rename(2).
/// Plain rename(2) over an existing file makes ext4 flush the new file's data to disk first
/// (its auto_da_alloc heuristic: ~80 ms per 128 MB on the development machine), an exchange does
/// not. Returns 0, or -1 with errno set.
int nl_replace(const char *temporary, const char *destination);

#endif
