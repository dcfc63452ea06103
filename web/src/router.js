// router.js - the screens, each loaded lazily (its own chunk), and the guard that sends anonymous
// users to the login page and keeps each role to the screens it may use (session.js).
import { createRouter, createWebHistory } from 'vue-router';

import { showError } from './api.js';
import { loadSession, mayUse, session } from './session.js';

const routes = [
  { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
  {
    path: '/',
    component: () => import('./views/LayoutView.vue'),
    children: [
      { path: '', redirect: { name: 'applications' } },
      { path: 'applications', name: 'applications', component: () => import('./views/ApplicationsView.vue') },
      { path: 'applications/:id', name: 'report', component: () => import('./views/ReportView.vue'), props: true },
      { path: 'compare', name: 'compare', component: () => import('./views/CompareView.vue') },
      { path: 'reviews', name: 'reviews', component: () => import('./views/ReviewsView.vue') },
      { path: 'rules', name: 'rules', component: () => import('./views/RulesView.vue') },
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
  if (to.meta.any || !to.name || mayUse(to.name)) return true;
  return { name: 'forbidden' };
});
