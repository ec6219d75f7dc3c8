#define _GNU_SOURCE
#include "CInterrupt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int nl_replace(const char *temporary, const char *destination) {
#ifdef RENAME_EXCHANGE
  if (renameat2(AT_FDCWD, temporary, AT_FDCWD, destination, RENAME_EXCHANGE) == 0) {
    // The temporary name now holds the old file.
    unlink(temporary);
    return 0;
  }
  // ENOENT: no destination yet; EINVAL/ENOSYS: no exchange on this file system or kernel.
  if (errno != ENOENT && errno != EINVAL && errno != ENOSYS) return -1;
#endif
  return rename(temporary, destination);
}
