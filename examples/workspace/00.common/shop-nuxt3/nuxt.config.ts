export default defineNuxtConfig({
  modules: ['@pinia/nuxt'],
  runtimeConfig: {
    public: { apiBase: '/api' },
  },
  typescript: { strict: true },
})
