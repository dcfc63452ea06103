/* vendors.h - finding a vendor's mapping file: the data directory's
 * vendors/NAME.json first (adding a vendor is adding a file there), then the
 * mappings built into talentd (the repository's vendors/ folder). */
#ifndef TALENTD_IO_VENDORS_H
#define TALENTD_IO_VENDORS_H

#include "core/mapping.h"
#include "lib/err.h"

/* 1 when name is a valid vendor name: [a-z0-9_-]{1,32}. */
int vendor_name_ok(const char *name);

/* Loads the mapping called name (data_dir may be NULL: built-ins only).
 * 0 and *out (mapping_free), ERR_NOT_FOUND when there is no such vendor,
 * ERR_INVALID (field naming the file and path) when the file is broken. */
int vendor_mapping_open(const char *data_dir, const char *name, struct mapping **out, struct err *e);

/* The names of every vendor (data directory and built in), as a JSON array of
 * {name, label, format, source: "data_dir" | "built_in"}. */
json_t *vendor_list(const char *data_dir);

#endif
