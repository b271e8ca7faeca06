// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfyaml.h>

#include "json.h"

struct json {
	struct fy_emitter *e;
	bool failed;
};

static void emit(struct json *j, struct fy_event *ev)
{
	if (!ev || fy_emit_event(j->e, ev) < 0)
		j->failed = true;
}

struct json *json_new(void)
{
	struct json *j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	j->e = fy_emit_to_string(FYECF_MODE_JSON | FYECF_INDENT_2 | FYECF_WIDTH_INF);
	if (!j->e) {
		free(j);
		return NULL;
	}
	emit(j, fy_emit_event_create(j->e, FYET_STREAM_START));
	emit(j, fy_emit_event_create(j->e, FYET_DOCUMENT_START, 1, NULL, NULL));
	return j;
}

void json_free(struct json *j)
{
	if (!j)
		return;
	fy_emitter_destroy(j->e);
	free(j);
}

void json_obj_begin(struct json *j)
{
	emit(j, fy_emit_event_create(j->e, FYET_MAPPING_START, FYNS_ANY, NULL, NULL));
}

void json_obj_end(struct json *j)
{
	emit(j, fy_emit_event_create(j->e, FYET_MAPPING_END));
}

void json_arr_begin(struct json *j)
{
	emit(j, fy_emit_event_create(j->e, FYET_SEQUENCE_START, FYNS_ANY, NULL, NULL));
}

void json_arr_end(struct json *j)
{
	emit(j, fy_emit_event_create(j->e, FYET_SEQUENCE_END));
}

static void scalar(struct json *j, enum fy_scalar_style style, const char *s)
{
	emit(j, fy_emit_event_create(j->e, FYET_SCALAR, style, s, FY_NT, NULL, NULL));
}

void json_key(struct json *j, const char *key)
{
	scalar(j, FYSS_DOUBLE_QUOTED, key);
}

void json_str(struct json *j, const char *s)
{
	/* In JSON mode a plain scalar is written bare, which is how null,
	 * numbers and booleans come out; strings must ask for quotes. */
	if (s)
		scalar(j, FYSS_DOUBLE_QUOTED, s);
	else
		scalar(j, FYSS_PLAIN, "null");
}

void json_int(struct json *j, int64_t v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%" PRId64, v);
	scalar(j, FYSS_PLAIN, buf);
}

void json_double(struct json *j, double v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%.6g", v);
	scalar(j, FYSS_PLAIN, buf);
}

void json_bool(struct json *j, bool v)
{
	scalar(j, FYSS_PLAIN, v ? "true" : "false");
}

int json_print(struct json *j)
{
	emit(j, fy_emit_event_create(j->e, FYET_DOCUMENT_END, 1));
	emit(j, fy_emit_event_create(j->e, FYET_STREAM_END));
	size_t n = 0;
	char *s = fy_emit_to_string_collect(j->e, &n);
	if (j->failed || !s) {
		free(s);
		return -ENOMEM;
	}
	/* The emitter ends the document with newlines of its own, and its
	 * reported size does not always cover them. */
	n = strlen(s);
	while (n > 0 && s[n - 1] == '\n')
		n--;
	int r = printf("%.*s\n", (int)n, s) < 0 ? -EIO : 0;
	free(s);
	return r;
}
