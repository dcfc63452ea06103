/* exports_run.c - the export engine (svc/exports_impl.h): selection, gate,
 * file, the job record and the moves, inside the caller's transaction.
 *
 * One pass over the selection in application id order, CHUNK rows at a time
 * (keyset: the filter's query with "a.id > last ORDER BY a.id LIMIT CHUNK"),
 * reading one row per application and its candidate: what an export needs of
 * the current result, the effective scores and the history is kept on the
 * application row (migration 011), so nothing else is read unless the
 * template asks for the transcript, the video or the key moments. The main
 * thread reads a chunk (copying the values it needs), passes every
 * elimination leaving the buffer through the gate (exports_gate.c: fairness
 * acknowledged, evaluation complete, or held back), and hands the chunk to
 * the render threads, which decrypt the contact data and format and encode
 * the rows; meanwhile it reads the next chunks. Chunks are written to the
 * file strictly in order, and after each one its applications waiting for
 * export move to exported, set-based. Memory stays at SLOTS chunks, on SQLite
 * and PostgreSQL alike (whose results arrive whole). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/pipeline.h"
#include "lib/mem.h"
#include "lib/strbuf.h"
#include "svc/applications.h"
#include "svc/exports_run.h"
#include "svc/views.h"

/* ---- the render threads ------------------------------------------------------------------------- */

static void *renderer(void *arg)
{
    struct run *r = arg;
    pthread_mutex_lock(&r->mu);
    for (;;) {
        struct xchunk *k = NULL;
        while (!r->stop) {
            for (int i = 0; i < SLOTS && !k; i++)
                if (r->slot[i].state == SLOT_READY)
                    k = &r->slot[i];
            if (k)
                break;
            pthread_cond_wait(&r->ready, &r->mu);
        }
        if (!k)
            break;
        k->state = SLOT_RENDERING;
        pthread_mutex_unlock(&r->mu);
        int rc = xrun_render_chunk(r, k);
        pthread_mutex_lock(&r->mu);
        k->rc = rc;
        k->state = SLOT_RENDERED;
        pthread_cond_broadcast(&r->done);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

/* Appends chunk k (rendered) to the file. Errors go to k->e. */
static int write_chunk(struct run *r, struct xchunk *k)
{
    int rc = k->rc;
    if (rc != 0)
        return rc;
    if (k->en)
        return export_write_encoded(r->w, k->en, &k->e);
    for (int i = 0; i < k->kept && rc == 0; i++)
        rc = export_row(r->w, &k->cells[(size_t)i * (size_t)r->nf], &k->e);
    return rc;
}

/* The writer thread: the rendered chunks into the file, strictly in the order they were read (the
 * file's SHA-256 is computed as it is written). */
static void *writer(void *arg)
{
    struct run *r = arg;
    pthread_mutex_lock(&r->mu);
    for (int64_t seq = 0;; seq++) {
        struct xchunk *k = &r->slot[seq % SLOTS];
        while (!r->stop && k->state != SLOT_RENDERED)
            pthread_cond_wait(&r->done, &r->mu);
        if (k->state != SLOT_RENDERED)
            break;
        pthread_mutex_unlock(&r->mu);
        int rc = write_chunk(r, k);
        pthread_mutex_lock(&r->mu);
        k->rc = rc;
        k->state = SLOT_WRITTEN;
        pthread_cond_broadcast(&r->done);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

/* Starts the render threads (cores - 1, at least one: the reading thread has a core of its own) and
 * the writer. */
static void pipeline_start(struct run *r)
{
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->ready, NULL);
    pthread_cond_init(&r->done, NULL);
    for (int i = 0; i < SLOTS; i++) {
        sb_init(&r->slot[i].sb, 0);
        r->slot[i].en = export_encoder_new(r->w);
        r->slot[i].held = json_array();
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int n = cores > RENDERERS ? RENDERERS : cores > 1 ? (int)cores - 1 : 1;
    for (int i = 0; i < n; i++)
        if (pthread_create(&r->thr[r->nthr], NULL, renderer, r) == 0)
            r->nthr++;
    if (pthread_create(&r->thr[r->nthr], NULL, writer, r) == 0) {
        r->nthr++;
        r->writer = 1;
    }
}

static void pipeline_stop(struct run *r)
{
    pthread_mutex_lock(&r->mu);
    r->stop = 1;
    pthread_cond_broadcast(&r->ready);
    pthread_cond_broadcast(&r->done);
    pthread_mutex_unlock(&r->mu);
    for (int i = 0; i < r->nthr; i++)
        pthread_join(r->thr[i], NULL);
    for (int i = 0; i < SLOTS; i++) {
        struct xchunk *k = &r->slot[i];
        export_encoder_free(k->en);
        json_decref(k->held);
        sb_free(&k->sb);
        arena_free(&k->a);
        free(k->rows);
        free(k->moves);
    }
    pthread_cond_destroy(&r->ready);
    pthread_cond_destroy(&r->done);
    pthread_mutex_destroy(&r->mu);
}

/* ---- the moves ------------------------------------------------------------------------------------ */

/* The applications of the chunk (lo, hi] of the job that it moves to exported. */
#define MOVED_NOW                                                                                                      \
    "FROM export_item x WHERE x.job_id = ? AND x.application_id > ? AND x.application_id <= ? AND x.moved = 1"

/* Runs sql (ending in MOVED_NOW) with job, lo and hi bound from index i on. */
static int exec_chunk(struct run *r, struct db_stmt *s, int i, int64_t lo, int64_t hi)
{
    db_bind_int64(s, i, r->job_id);
    db_bind_int64(s, i + 1, lo);
    db_bind_int64(s, i + 2, hi);
    return svc_exec(r->c, s);
}

/* Moves the chunk's applications waiting for export to exported, set-based: the job's items (the
 * record of what it moved), the application rows, their stage_history rows and their
 * application.exported events, as svc_app_move_tx and svc_event write them one by one (the
 * pipeline's check made once: the same transition by the same actor for every row). The moves to
 * exported do not start stage rules: the buffer ends there. */
static int run_moves(struct run *r, const struct xchunk *k)
{
    if (k->nmoves == 0)
        return 0;
    struct svc_ctx *c = r->c;
    int64_t lo = k->lo, hi = k->hi;
    struct transition_req tr = {.from = STAGE_ELIMINATED_PENDING_EXPORT, .to = STAGE_EXPORTED, .actor = r->kind};
    int rc = pipeline_check(&tr, c->e);
    struct db_stmt *s;
    if (rc != 0 || (rc = svc_prepare(c,
                                     "INSERT INTO export_item (job_id, application_id, moved) VALUES (?, ?, 1) "
                                     "ON CONFLICT (job_id, application_id) DO UPDATE SET moved = 1",
                                     &s)))
        return rc;
    for (int i = 0; i < k->nmoves && rc == 0; i++) {
        db_bind_int64(s, 1, r->job_id);
        db_bind_int64(s, 2, k->moves[i]);
        rc = svc_exec(c, s);
    }
    if (rc != 0 ||
        (rc = svc_prepare(c,
                          "UPDATE application SET stage = 'exported', prev_stage = stage, "
                          "stage_changed_at = ?, updated_at = ?, version = version + 1 WHERE "
                          "stage = 'eliminated_pending_export' AND id IN (SELECT x.application_id " MOVED_NOW ")",
                          &s)))
        return rc;
    db_bind_int64(s, 1, c->now);
    db_bind_int64(s, 2, c->now);
    if ((rc = exec_chunk(r, s, 3, lo, hi)) != 0)
        return rc;
    int64_t n = db_changes(c->db);
    if (n != k->nmoves) /* PostgreSQL: another writer moved one meanwhile */
        return err_set(c->e, ERR_CONFLICT, "conflict", NULL,
                       "an application of the export changed while it was exported; run the export again");
    if ((rc = svc_prepare(c,
                          "INSERT INTO stage_history (application_id, from_stage, to_stage, actor_kind, actor_id, "
                          "reason, note, at) SELECT x.application_id, 'eliminated_pending_export', 'exported', ?, "
                          "?, NULL, NULL, ? " MOVED_NOW " ORDER BY x.application_id",
                          &s)))
        return rc;
    db_bind_text(s, 1, actor_kind_name(r->kind));
    if (c->actor->user_id)
        db_bind_int64(s, 2, c->actor->user_id);
    else
        db_bind_null(s, 2);
    db_bind_int64(s, 3, c->now);
    if ((rc = exec_chunk(r, s, 4, lo, hi)) != 0)
        return rc;
    /* the payload svc_event writes for {id, from, to, export_id, template} */
    json_t *tn = json_string(r->spec->template_name);
    char *tj = result_json_compact(tn, 0, NULL);
    json_decref(tn);
    char head[160];
    snprintf(head, sizeof(head),
             ",\"from\":\"eliminated_pending_export\",\"to\":\"exported\",\"export_id\":%lld,"
             "\"template\":",
             (long long)r->job_id);
    if ((rc = svc_prepare(
             c,
             "INSERT INTO outbox (event, entity, entity_id, payload, created_at) SELECT "
             "'application.exported', 'application', x.application_id, '{\"id\":' || x.application_id || ? || ? "
             "|| '}', ? " MOVED_NOW " ORDER BY x.application_id",
             &s)) == 0) {
        db_bind_text(s, 1, head);
        db_bind_text(s, 2, tj);
        db_bind_int64(s, 3, c->now);
        rc = exec_chunk(r, s, 4, lo, hi);
    }
    free(tj);
    if (rc == 0)
        r->moved += (uint64_t)n;
    return rc;
}

/* ---- the pass ----------------------------------------------------------------------------------- */

/* After chunk k is written: its held-back eliminations and rows counted, its applications moved. */
static int finish_chunk(struct run *r, struct xchunk *k)
{
    if (k->rc != 0) {
        *r->c->e = k->e;
        return k->rc;
    }
    size_t i;
    json_t *h;
    json_array_foreach(k->held, i, h)
    {
        if (json_array_size(r->held) < HELD_SHOWN)
            json_array_append(r->held, h);
    }
    json_array_clear(k->held);
    r->nheld += k->nheld;
    r->rows += (uint64_t)k->kept;
    return run_moves(r, k);
}

/* The selection's query: the filter's terms, or the job's named applications (export_item rows
 * with moved 0, made by xjob_run_tx), then the keyset. */
static int selection_sql(struct run *r, struct qb *q)
{
    xrun_main_sql(r, q);
    int rc = 0;
    if (r->spec->filter) {
        rc = xfilter_where(r->c, r->spec->filter, q);
    } else {
        qb_sql(q, " AND a.id IN (SELECT i.application_id FROM export_item i WHERE i.job_id = ?)");
        qb_int(q, r->job_id);
    }
    if (rc == 0) {
        char tail[64];
        snprintf(tail, sizeof(tail), " AND a.id > ? ORDER BY a.id LIMIT %d", CHUNK);
        qb_sql(q, tail);
    }
    return rc;
}

/* Reads, gates, renders and writes every row of the selection, moving each chunk's applications after
 * it is written. */
static int write_rows(struct run *r)
{
    struct qb q;
    int rc = selection_sql(r, &q);
    if (rc != 0)
        return rc;
    pipeline_start(r);
    if (!r->writer || r->nthr < 2) { /* a writer and at least one render thread */
        pipeline_stop(r);
        return err_set(r->c->e, ERR_INTERNAL, NULL, NULL, "cannot start the export's threads");
    }
    int64_t lo = 0, next_read = 0, next_done = 0;
    int more = 1;
    while (rc == 0 && (more || next_done < next_read)) {
        struct xchunk *k = &r->slot[next_read % SLOTS];
        if (more && next_read - next_done < SLOTS) {
            /* the slot is free: its chunk was written and finished */
            arena_reset(&k->a);
            if ((rc = xrun_read_chunk(r, &q, k, &lo, &more)) != 0)
                break;
            if (k->n == 0) /* the end */
                continue;
            pthread_mutex_lock(&r->mu);
            k->state = SLOT_READY;
            pthread_cond_signal(&r->ready);
            pthread_mutex_unlock(&r->mu);
            next_read++;
            continue;
        }
        k = &r->slot[next_done % SLOTS];
        pthread_mutex_lock(&r->mu);
        while (k->state != SLOT_WRITTEN)
            pthread_cond_wait(&r->done, &r->mu);
        k->state = SLOT_FREE;
        pthread_mutex_unlock(&r->mu);
        rc = finish_chunk(r, k);
        next_done++;
    }
    pipeline_stop(r);
    return rc;
}

/* ---- the job -------------------------------------------------------------------------------------- */

static json_t *job_row(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    json_t *fields = json_loads(db_col_text(s, 5), 0, NULL), *filter = json_loads(db_col_text(s, 6), 0, NULL);
    int64_t id = db_col_int64(s, 0);
    char url[64];
    snprintf(url, sizeof(url), "/api/v1/exports/%lld/file", (long long)id);
    json_t *o =
        json_pack("{s:I,s:o,s:s,s:s,s:s,s:o,s:o,s:s,s:s,s:I,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:o}", "id", (json_int_t)id,
                  "template_id", db_col_isnull(s, 1) ? json_null() : json_integer(db_col_int64(s, 1)), "template",
                  db_col_text(s, 2), "format", db_col_text(s, 3), "lang", db_col_text(s, 4), "fields",
                  fields ? fields : json_array(), "filter", filter ? filter : json_null(), "destination",
                  db_col_text(s, 7), "trigger", db_col_text(s, 8), "rows", (json_int_t)db_col_int64(s, 9), "moved",
                  (json_int_t)db_col_int64(s, 10), "bytes", (json_int_t)db_col_int64(s, 11), "sha256",
                  db_col_text(s, 12), "path", db_col_text(s, 13), "filename", db_col_text(s, 14), "file_url", url,
                  "created_by", db_col_text(s, 15), "created_at", json_time(db_col_int64(s, 16)));
    json_t *held = json_loads(db_col_text(s, 18), 0, NULL);
    json_object_set_new(o, "held_back", json_integer(db_col_int64(s, 17)));
    json_object_set_new(o, "held_back_items", held ? held : json_array());
    return o;
}

#define JOB_SELECT                                                                                                     \
    "SELECT id, template_id, template_name, format, lang, fields_json, filter_json, destination, trigger_kind, "       \
    "row_count, moved, bytes, sha256, path, filename, created_by, created_at, held_back, held_back_json "              \
    "FROM export_job WHERE 1=1"

int xjob_load(struct svc_ctx *c, int64_t id, json_t **out)
{
    struct qb q;
    qb_init(&q, JOB_SELECT " AND id = ?");
    qb_int(&q, id);
    return qb_one(c, &q, job_row, "export", out);
}

/* The job list, newest first (svc_export_list): query filters template (name) and trigger. */
int xjob_list(struct svc_ctx *c, json_t *query, json_t **out)
{
    static const struct qb_sort order[] = {{"id", NULL, 0, 0}, {NULL, NULL, 0, 0}};
    struct qb q;
    qb_init(&q, JOB_SELECT);
    const char *t = q_str(query, "template"), *trig = q_str(query, "trigger");
    if (t) {
        qb_sql(&q, " AND template_name = ?");
        qb_text(&q, t);
    }
    if (trig) {
        qb_sql(&q, " AND trigger_kind = ?");
        qb_text(&q, trig);
    }
    json_t *newest = json_copy(query); /* the order is fixed: newest first, keyset cursor */
    json_object_set_new(newest, "sort", json_string("-id"));
    int rc = qb_page_sorted(c, &q, newest, "id", order, job_row, NULL, out);
    json_decref(newest);
    return rc;
}

/* A file name from the template name: path separators, controls and characters Windows refuses
 * become '_'; at most 80 bytes, cut at a character boundary. */
static void safe_name(const char *in, char *out, size_t n)
{
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p && k + 1 < n && k < 80; p++) {
        unsigned char ch = *p;
        out[k++] = (ch < 0x20 || ch == 0x7f || strchr("/\\:*?\"<>| ", ch)) ? '_' : (char)ch;
    }
    /* a character the limit cut in two is dropped: its lead byte and the continuation bytes that
     * made it here, when they are fewer than the lead byte announces (a whole one stays) */
    size_t lead = k;
    while (lead > 0 && ((unsigned char)out[lead - 1] & 0xC0) == 0x80)
        lead--;
    if (lead > 0 && ((unsigned char)out[lead - 1] & 0xC0) == 0xC0) {
        unsigned char b = (unsigned char)out[lead - 1];
        size_t len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
        if (k - (lead - 1) < len)
            k = lead - 1;
    }
    out[k] = '\0';
    if (!k)
        snprintf(out, n, "export");
}

/* mkdir -p of one level (the parent exists). */
static int ensure_dir(struct svc_ctx *c, const char *dir)
{
    if (mkdir(dir, 0700) == 0 || errno == EEXIST)
        return 0;
    return err_set(c->e, ERR_INTERNAL, NULL, NULL, "cannot create %s: %s", dir, strerror(errno));
}

static void fsync_dir(const char *path)
{
    char *dir = xstrdup(path), *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        int fd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
            fsync(fd);
            close(fd);
        }
    }
    free(dir);
}

/* The job row (placeholders for what the run finds out). */
static int insert_job(struct svc_ctx *c, const struct xjob_spec *spec, int64_t *id)
{
    struct db_stmt *s;
    int rc = svc_prepare(c,
                         "INSERT INTO export_job (template_id, template_name, format, lang, fields_json, filter_json, "
                         "destination, trigger_kind, created_by, created_by_id, created_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                         &s);
    if (rc != 0)
        return rc;
    char *fields = json_dumps(spec->fields, JSON_COMPACT);
    json_t *filter =
        spec->filter ? json_incref(spec->filter) : json_pack("{s:I}", "application_ids", (json_int_t)spec->nids);
    char *filter_s = json_dumps(filter, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(filter);
    char label[160];
    actor_label(c->actor, label, sizeof(label));
    if (spec->template_id)
        db_bind_int64(s, 1, spec->template_id);
    else
        db_bind_null(s, 1);
    db_bind_text(s, 2, spec->template_name);
    db_bind_text(s, 3, export_format_name(spec->format));
    db_bind_text(s, 4, spec->en ? "en" : "zh");
    db_bind_text(s, 5, fields);
    db_bind_text(s, 6, filter_s);
    db_bind_text(s, 7, spec->to_directory ? "directory" : "download");
    db_bind_text(s, 8, spec->trigger);
    db_bind_text(s, 9, label);
    if (c->actor->user_id)
        db_bind_int64(s, 10, c->actor->user_id);
    else
        db_bind_null(s, 10);
    db_bind_int64(s, 11, c->now);
    rc = db_step(s, c->e);
    *id = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_reset(s);
    free(fields);
    free(filter_s);
    return rc < 0 ? rc : 0;
}

/* Records the named applications of a job as its items (moved 0) for the selection to read; those
 * it does not move are removed again when it is done. */
static int name_apps(struct svc_ctx *c, const struct xjob_spec *spec, int64_t job)
{
    struct db_stmt *s;
    int rc = svc_prepare(c,
                         "INSERT INTO export_item (job_id, application_id) SELECT ?, id FROM application WHERE id = ? "
                         "ON CONFLICT DO NOTHING",
                         &s);
    for (size_t i = 0; rc == 0 && i < spec->nids; i++) {
        db_bind_int64(s, 1, job);
        db_bind_int64(s, 2, spec->ids[i]);
        rc = svc_exec(c, s);
    }
    return rc;
}

/* Removes the items of a job of named applications that it did not move. */
static int unname_apps(struct svc_ctx *c, int64_t job)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, "DELETE FROM export_item WHERE job_id = ? AND moved = 0", &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, job);
    return svc_exec(c, s);
}

static enum actor_kind kind_of(const struct actor *a)
{
    return a->role == ROLE_ADMIN ? ACTOR_ADMIN : a->role == ROLE_HR ? ACTOR_HR : ACTOR_SYSTEM;
}

/* Writes the file to tmp and the job's rows; on success the file is renamed to path. */
static int run_file(struct svc_ctx *c, struct run *r, const char *tmp, const char *path, char sha[65], uint64_t *bytes)
{
    int rc = export_open(r->spec->format, tmp, &r->w, c->e);
    if (rc != 0)
        return rc;
    struct export_column *cols = xcalloc((size_t)r->nf, sizeof(*cols));
    for (int i = 0; i < r->nf; i++) {
        cols[i].key = r->f[i].key;
        cols[i].label = r->f[i].label[r->en];
    }
    rc = export_begin(r->w, cols, r->nf, c->e);
    free(cols);
    if (rc == 0 && (rc = write_rows(r)) == 0 && (rc = export_finish(r->w, bytes, sha, c->e)) == 0 &&
        rename(tmp, path) != 0)
        rc = err_set(c->e, ERR_INTERNAL, NULL, NULL, "cannot move the export to %s: %s", path, strerror(errno));
    if (rc == 0)
        fsync_dir(path);
    return rc;
}

int xjob_run_tx(struct svc_ctx *c, const struct xjob_spec *spec, json_t **job, char **path_out)
{
    struct run r = {.c = c, .spec = spec, .en = spec->en, .kind = kind_of(c->actor)};
    char *path = NULL, *tmp = NULL, *dir = NULL;
    json_t *o = NULL;
    int rc;
    r.held = json_array();
    *job = NULL;
    if (path_out)
        *path_out = NULL;
    xrun_fmt_time(c->now, r.exported_at);
    if ((rc = xrun_plan(&r)) != 0)
        goto done;
    if (spec->to_directory && !svc_exports_dir()) {
        rc = err_set(c->e, ERR_INVALID, "no_export_dir", "destination",
                     "no export directory is configured (talentd serve --export-dir DIR)");
        goto done;
    }
    if (!spec->to_directory && !c->data_dir) {
        rc = err_set(c->e, ERR_INTERNAL, NULL, NULL, "no data directory to write the export to");
        goto done;
    }
    if ((rc = insert_job(c, spec, &r.job_id)) != 0 || (!spec->filter && (rc = name_apps(c, spec, r.job_id)) != 0))
        goto done;
    char name[96], stamp[24], filename[200];
    safe_name(spec->template_name, name, sizeof(name));
    xrun_fmt_time(c->now, stamp);
    snprintf(filename, sizeof(filename), "%s-%.4s%.2s%.2s-%.2s%.2s%.2s-%lld.%s", name, stamp, stamp + 5, stamp + 8,
             stamp + 11, stamp + 14, stamp + 17, (long long)r.job_id, export_format_name(spec->format));
    if (spec->to_directory) {
        path = xasprintf("%s/%s", svc_exports_dir(), filename);
    } else {
        dir = xasprintf("%s/exports", c->data_dir);
        if ((rc = ensure_dir(c, dir)) != 0)
            goto done;
        path = xasprintf("%s/%lld.%s", dir, (long long)r.job_id, export_format_name(spec->format));
    }
    tmp = xasprintf("%s.part", path);
    char sha[65];
    uint64_t bytes = 0;
    rc = run_file(c, &r, tmp, path, sha, &bytes);
    export_free(r.w);
    r.w = NULL;
    if (rc == 0 && r.rows == 0) {
        json_t *h0 = json_array_get(r.held, 0);
        if (h0)
            rc = err_set(c->e, ERR_INVALID, "nothing_to_export", "filter",
                         "nothing to export: the %lld eliminations that match have an incomplete evaluation "
                         "(application %lld lacks %s)",
                         (long long)r.nheld, (long long)json_integer_value(json_object_get(h0, "application_id")),
                         json_string_value(json_array_get(json_object_get(h0, "missing"), 0)));
        else
            rc = err_set(c->e, ERR_INVALID, "nothing_to_export", "filter", "no application matches: nothing to export");
        unlink(path);
        goto done;
    }
    if (rc == 0 && !spec->filter)
        rc = unname_apps(c, r.job_id);
    if (rc != 0) {
        unlink(tmp);
        unlink(path);
        goto done;
    }
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          "UPDATE export_job SET row_count = ?, moved = ?, bytes = ?, sha256 = ?, path = ?, "
                          "filename = ?, held_back = ?, held_back_json = ? WHERE id = ?",
                          &s)) == 0) {
        char *hj = json_dumps(r.held, JSON_COMPACT);
        db_bind_int64(s, 1, (int64_t)r.rows);
        db_bind_int64(s, 2, (int64_t)r.moved);
        db_bind_int64(s, 3, (int64_t)bytes);
        db_bind_text(s, 4, sha);
        db_bind_text(s, 5, path);
        db_bind_text(s, 6, filename);
        db_bind_int64(s, 7, r.nheld);
        db_bind_text(s, 8, hj ? hj : "[]");
        db_bind_int64(s, 9, r.job_id);
        rc = svc_exec(c, s);
        free(hj);
    }
    if (rc == 0 && (rc = xjob_load(c, r.job_id, &o)) == 0 &&
        (rc = svc_audit(c, "export.create", "export", r.job_id, NULL, o)) == 0)
        rc = svc_event(c, "export.created", "export", r.job_id, o);
    if (rc != 0) {
        unlink(path);
        goto done;
    }
    *job = o;
    o = NULL;
    if (path_out) {
        *path_out = path;
        path = NULL;
    }
done:
    export_free(r.w);
    xrun_positions_free(&r);
    arena_free(&r.keep);
    free(r.users);
    free(r.f);
    free(r.fdim);
    json_decref(o);
    json_decref(r.held);
    free(path);
    free(tmp);
    free(dir);
    return rc;
}
