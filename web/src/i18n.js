// i18n.js - vue-i18n set-up: zh-CN by default, English switchable; the choice is kept in
// localStorage and shown on <html lang>. Element Plus's own texts follow (App.vue).
import { createI18n } from 'vue-i18n';

import candidateEn from './locales/candidate.en.js';
import candidateZhCN from './locales/candidate.zh-CN.js';
import en from './locales/en.js';
import hrEn from './locales/hr.en.js';
import hrZhCN from './locales/hr.zh-CN.js';
import orgEn from './locales/org.en.js';
import orgZhCN from './locales/org.zh-CN.js';
import serverEn from './locales/server.en.js';
import serverZhCN from './locales/server.zh-CN.js';
import zhCN from './locales/zh-CN.js';

export const LOCALES = ['zh-CN', 'en'];
const KEY = 'talentd.lang';

function initial() {
  try {
    const saved = localStorage.getItem(KEY);
    if (LOCALES.includes(saved)) return saved;
  } catch {
    /* storage disabled: the default */
  }
  return 'zh-CN';
}

export const i18n = createI18n({
  legacy: false,
  locale: initial(),
  fallbackLocale: 'zh-CN',
  // the candidate's pages keep their strings in their own files (locales/candidate.*.js)
  messages: { 'zh-CN': { ...zhCN, candidate: candidateZhCN }, en: { ...en, candidate: candidateEn } },
});

// The HR screens (dashboard, exports, webhooks, bulk actions) keep their strings in their own
// files (locales/hr.*.js: hr.*, and the error codes those screens meet under errors.codes).
i18n.global.mergeLocaleMessage('zh-CN', hrZhCN);
i18n.global.mergeLocaleMessage('en', hrEn);
// The org, position and question-set screens and the report's forms (locales/org.*.js: org.*, errors.codes).
i18n.global.mergeLocaleMessage('zh-CN', orgZhCN);
i18n.global.mergeLocaleMessage('en', orgEn);
// What the server makes, from the codes it sends beside its English (locales/server.*.js: server.*).
i18n.global.mergeLocaleMessage('zh-CN', serverZhCN);
i18n.global.mergeLocaleMessage('en', serverEn);

document.documentElement.lang = i18n.global.locale.value;

/** Switches the UI language and remembers it. */
export function setLocale(lang) {
  if (!LOCALES.includes(lang)) return;
  i18n.global.locale.value = lang;
  document.documentElement.lang = lang;
  try {
    localStorage.setItem(KEY, lang);
  } catch {
    /* not remembered */
  }
}

/** A label in the current language from a {label_zh, label_en} pair (the API's dimension labels). */
export function pick(zh, enText) {
  return i18n.global.locale.value === 'en' ? enText || zh : zh || enText;
}
