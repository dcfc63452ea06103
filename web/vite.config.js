// vite.config.js - builds the UI into web/dist, which talentd serves at / (docs/ui.md).
//
// Element Plus components are imported per use (unplugin-vue-components with its resolver, styles
// included), ECharts through echarts/core with only the charts used (src/charts.js), and every
// route component is loaded lazily (src/router.js), so each screen gets its own chunk.
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [
    vue(),
    Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dts: false }),
  ],
  define: {
    // vue-i18n: messages are compiled by its JIT compiler (no eval, CSP-safe); no legacy API.
    __VUE_I18N_FULL_INSTALL__: false,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __VUE_PROD_DEVTOOLS__: false,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true, // dist/.vite/manifest.json: scripts/size.mjs follows each route's imports
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        manualChunks(id) {
          // Shared libraries in their own long-cached chunks; ECharts only where a chart is drawn.
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'echarts';
          if (id.includes('node_modules/@vue/') || id.includes('node_modules/vue/') ||
              id.includes('node_modules/vue-router') || id.includes('node_modules/vue-i18n') ||
              id.includes('node_modules/@intlify')) return 'vue';
          return undefined;
        },
      },
    },
  },
  server: {
    // `npm run dev`: the API of a talentd on 127.0.0.1:8080 (make run)
    proxy: { '/api': 'http://127.0.0.1:8080', '/healthz': 'http://127.0.0.1:8080' },
  },
});
