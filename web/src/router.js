// router.js - the screens, each loaded lazily (its own chunk), and the guard that sends anonymous
// users to the login page and keeps each role to the screens it may use (session.js).
import { createRouter, createWebHistory } from 'vue-router';

import { showError } from './api.js';
import { loadSession, mayUse, session } from './session.js';

const routes = [
  { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
  // The candidate's pages: no account, the link token is the credential (docs/interviews.md).
  { path: '/i/:token', name: 'candidate-interview', component: () => import('./views/CandidateInterviewView.vue'), props: true, meta: { public: true } },
  { path: '/c/:token', name: 'candidate-portal', component: () => import('./views/CandidatePortalView.vue'), props: true, meta: { public: true } },
  {
    path: '/',
    component: () => import('./views/LayoutView.vue'),
    children: [
      // The landing page: the dashboard for the roles that have one, else the list (the guard decides).
      { path: '', name: 'home', component: () => import('./views/DashboardView.vue'), meta: { any: true } },
      { path: 'dashboard', name: 'dashboard', component: () => import('./views/DashboardView.vue') },
      { path: 'applications', name: 'applications', component: () => import('./views/ApplicationsView.vue') },
      { path: 'applications/:id', name: 'report', component: () => import('./views/ReportView.vue'), props: true },
      { path: 'compare', name: 'compare', component: () => import('./views/CompareView.vue') },
      { path: 'reviews', name: 'reviews', component: () => import('./views/ReviewsView.vue') },
      { path: 'rules', name: 'rules', component: () => import('./views/RulesView.vue') },
      { path: 'exports', name: 'exports', component: () => import('./views/ExportsView.vue') },
      { path: 'webhooks', name: 'webhooks', component: () => import('./views/WebhooksView.vue') },
      { path: 'talent-pool', name: 'talent-pool', component: () => import('./views/TalentPoolView.vue') },
      { path: 'org', name: 'org', component: () => import('./views/OrgView.vue') },
      { path: 'question-sets', name: 'question-sets', component: () => import('./views/QuestionSetsView.vue') },
      { path: 'question-sets/:id', name: 'question-set', component: () => import('./views/QuestionSetView.vue'), props: true },
      { path: 'forbidden', name: 'forbidden', component: () => import('./views/MessageView.vue'), props: { kind: 'forbidden' }, meta: { any: true } },
      { path: ':rest(.*)*', name: 'notfound', component: () => import('./views/MessageView.vue'), props: { kind: 'notFound' }, meta: { any: true } },
    ],
  },
];

export const router = createRouter({ history: createWebHistory(), routes });

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  try {
    await loadSession();
  } catch (e) {
    showError(e);
  }
  if (!session.user) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
  if (to.name === 'home') return { name: mayUse('dashboard') ? 'dashboard' : 'applications', replace: true };
  if (to.meta.any || !to.name || mayUse(to.name)) return true;
  return { name: 'forbidden' };
});
