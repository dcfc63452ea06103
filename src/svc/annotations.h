/* annotations.h - notes people leave on an application (hr, managers and
 * interviewers who may see it). Annotations are part of the record: they are
 * appended, audited and never edited. */
#ifndef TALENTD_SVC_ANNOTATIONS_H
#define TALENTD_SVC_ANNOTATIONS_H

#include "svc/svc.h"

/* Most characters in an annotation. */
#define ANNOTATION_MAX 4000

/* in: {body (1..ANNOTATION_MAX characters, multi-line)}. The caller must be
 * a user (403 for the system actor) who may see the application (404
 * otherwise). One transaction with the audit row "application.annotate"
 * and the event "application.annotated". *out = {id, application_id, user,
 * role, body, at}. */
int svc_annotation_add(struct svc_ctx *c, int64_t app, json_t *in, json_t **out);

/* {"items": [annotation...]} oldest first, for an application the caller may see. */
int svc_annotation_list(struct svc_ctx *c, int64_t app, json_t **out);

/* Appends application app's annotations, oldest first, to into (open transaction, no visibility check). */
int annotations_list_tx(struct svc_ctx *c, int64_t app, json_t *into);

#endif
