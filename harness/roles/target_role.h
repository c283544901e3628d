/* target_role.h — the target role: the protocol engine (proto/target.h)
 * with the SCSI block device (scsi_dev.h) as its backend. */
#ifndef HARNESS_ROLES_TARGET_ROLE_H
#define HARNESS_ROLES_TARGET_ROLE_H

#include <stddef.h>
#include <stdint.h>

#include "harness/proto/target.h"
#include "harness/roles/scsi_dev.h"

/* The backend that sends every command to d. */
struct tgt_backend target_role_backend(struct scsi_dev *d);

/* Random bytes from OpenSSL's generator (for tgt_cfg.rand_bytes). */
void target_role_rand(void *ctx, uint8_t *buf, size_t n);

#endif
