export default defineNuxtRouteMiddleware((to) => {
  const session = useState<{ userId: number } | null>('session')
  if (!session.value && to.path !== '/login') {
    return navigateTo({ path: '/login', query: { redirect: to.fullPath } })
  }
})
