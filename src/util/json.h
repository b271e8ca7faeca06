/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Streaming JSON output through libfyaml's emitter (JSON mode), so that
 * quoting and escaping are libfyaml's, not ours. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct json;

struct json *json_new(void);
void json_free(struct json *j);
void json_obj_begin(struct json *j);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j);
void json_arr_end(struct json *j);
/* Inside an object: the key; then one value call. */
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *s); /* NULL emits null */
void json_int(struct json *j, int64_t v);
void json_double(struct json *j, double v);
void json_bool(struct json *j, bool v);
/* Write the document to stdout followed by a newline; 0 or -errno. */
int json_print(struct json *j);
