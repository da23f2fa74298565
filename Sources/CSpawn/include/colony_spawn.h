#ifndef COLONY_SPAWN_H
#define COLONY_SPAWN_H

#include <spawn.h>

/// posix_spawn_file_actions_addchdir_np, where the C library has it (glibc 2.29 and later);
/// returns ENOSYS elsewhere.
int colony_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);

/// posix_spawn_file_actions_addclosefrom_np, where the C library has it (glibc 2.34 and later);
/// returns ENOSYS elsewhere.
int colony_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from);

#endif
