import type { Product } from '~/utils/types'

export interface ProductQuery {
  category?: string
  page?: number
}

/**
 * Paged product list for a category. The query is reactive: changing
 * `category` or `page` refetches, and callers get typed `pending`/`error`.
 */
export function useProducts(query: Ref<ProductQuery>) {
  const { data, pending, error, refresh } = useFetch<Product[]>('/api/products', {
    key: computed(() => `products:${query.value.category ?? 'all'}:${query.value.page ?? 1}`),
    query,
    default: () => [],
  })

  const inStock = computed(() => data.value.filter((p) => p.stock > 0))

  return { products: data, inStock, pending, error, refresh }
}
