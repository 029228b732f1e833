import { defineStore } from 'pinia'
import type { CartLine, Product } from '~/utils/types'

export const useCartStore = defineStore('cart', () => {
  const lines = ref<CartLine[]>([])

  const count = computed(() => lines.value.reduce((n, l) => n + l.quantity, 0))
  const total = computed(() => lines.value.reduce((sum, l) => sum + l.product.price * l.quantity, 0))

  function add(product: Product, quantity = 1) {
    if (quantity <= 0) return
    const line = lines.value.find((l) => l.product.id === product.id)
    if (line) line.quantity += quantity
    else lines.value.push({ product, quantity })
  }

  function remove(productId: number) {
    lines.value = lines.value.filter((l) => l.product.id !== productId)
  }

  async function checkout() {
    try {
      await $fetch('/api/orders', { method: 'POST', body: { lines: lines.value } })
      lines.value = []
    } catch (err) {
      throw createError({ statusCode: 502, statusMessage: 'Checkout failed, please retry', cause: err })
    }
  }

  return { lines, count, total, add, remove, checkout }
})
