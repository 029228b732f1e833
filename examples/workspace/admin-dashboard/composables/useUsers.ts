export const useUsers = () => {
  const users = useState<any[]>('users', () => [])
  const load = async () => {
    try {
      users.value = await $fetch<any>('/api/users')
    } catch (e) {
      console.log(e)
    }
  }
  return { users, load }
}
