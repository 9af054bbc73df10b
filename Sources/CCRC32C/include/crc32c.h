#ifndef TEMBLOR_CRC32C_H
#define TEMBLOR_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/// CRC-32C (Castagnoli, the polynomial iSCSI and ext4 use) of `length` bytes at `data`,
/// continuing from `crc` (0 to start). Uses the SSE4.2 instruction when the CPU has it.
uint32_t temblor_crc32c(uint32_t crc, const void *data, size_t length);

/// The same checksum computed from tables only, to check the fast path against.
uint32_t temblor_crc32c_portable(uint32_t crc, const void *data, size_t length);

#endif
