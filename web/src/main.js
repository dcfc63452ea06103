// main.js - the web UI's entry: i18n, router, the error handlers that make sure no API error
// goes unseen, and the redirect to the login page when the session ends.
import { createApp } from 'vue';

import App from './App.vue';
import { ApiError, setUnauthorizedHandler, showError } from './api.js';
import { i18n } from './i18n.js';
import { router } from './router.js';
import { dropSession } from './session.js';
import './style.css';

const app = createApp(App);
app.use(i18n);
app.use(router);

// A 401 from any call: the session is over; go to the login page, back here afterwards.
setUnauthorizedHandler(() => {
  dropSession();
  const here = router.currentRoute.value;
  if (here.name !== 'login') router.push({ name: 'login', query: { redirect: here.fullPath } });
});

// Errors no view caught are still shown (an ApiError once; see api.js showError).
app.config.errorHandler = (err) => {
  showError(err);
  console.error(err);
};
window.addEventListener('unhandledrejection', (ev) => {
  if (ev.reason instanceof ApiError) {
    showError(ev.reason);
    ev.preventDefault();
  }
});

app.mount('#app');
