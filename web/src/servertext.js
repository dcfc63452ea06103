// servertext.js - texts the server makes, in the user's language: the server sends a stable code
// (and its parameters) beside its English text, the locale files (locales/server.*.js, and
// errors.codes for error codes) turn the code into words. The English text is what is shown when
// the code is unknown or absent (data recorded before the server sent codes).
import { errorCodeText } from './api.js';
import { stageName } from './format.js';
import { i18n } from './i18n.js';

function known(key, params, fallback) {
  const { t, te } = i18n.global;
  return te(key) ? t(key, params || {}) : fallback;
}

/** A stage-history note (GET .../history, the report's timeline): the server's own notes from
 * note_code and note_params, a person's note as written. */
export function historyNote(m) {
  if (!m?.note) return '';
  return m.note_code ? known(`server.notes.${m.note_code}`, m.note_params, m.note) : m.note;
}

/** A webhook delivery's last failure, {text, title}: its last_error_code in words (the status for
 * http_status), with libcurl's or the receiver's English as the title. */
export function webhookError(d) {
  if (!d?.last_error) return { text: '', title: '' };
  const text = d.last_error_code ? known(`server.webhookErrors.${d.last_error_code}`, { status: d.last_status }, null) : null;
  return text ? { text, title: d.last_error } : { text: d.last_error, title: '' };
}

/** Why a rule's action was not applied, from its outcome (a firing's actions[i]): skipped (skipped_code)
 * or refused by the pipeline (error_code, error_params.current); '' when there is no reason. */
export function actionNotApplied(a) {
  if (a?.skipped) return a.skipped_code ? known(`server.skipped.${a.skipped_code}`, null, a.skipped) : known('server.skipped.moved_by_other_rule', null, String(a.skipped));
  if (!a?.error) return '';
  const why = errorCodeText(a.error_code) || a.error;
  const current = a.error_params?.current;
  return current ? i18n.global.t('server.refusedAt', { why, stage: stageName(current) }) : why;
}

/** What "selected" means in a fairness report or a rule's simulation, from selected_means_code (the
 * server's English selected_means when the code is unknown). */
export function selectedMeansText(code, text) {
  return (code ? known(`server.selectedMeans.${code}`, null, text) : text) || '';
}

/** The sentence saying what "selected" means in a rule's simulation. */
export function selectedMeans(code, text) {
  const means = selectedMeansText(code, text);
  return means ? i18n.global.t('server.selectedMeans.label', { means }) : '';
}

/** An actor label the server records ("system:worker" for the system, else a username) in words. */
export function actorLabel(label) {
  if (!label || !label.startsWith('system:')) return label || '';
  const name = label.slice('system:'.length);
  return known(`server.actors.system.${name}`, null, i18n.global.t('server.actors.systemOther', { name }));
}

/** Who made a move by kind (rule, system, a person's role) and user (the one whose request made
 * it, or null): the system on its own is "automatic", the system during a user's request says whose. */
export function systemActor(user) {
  return user ? i18n.global.t('server.actors.triggeredBy', { user }) : i18n.global.t('server.actors.automatic');
}
