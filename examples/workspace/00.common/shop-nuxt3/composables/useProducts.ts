import type { FetchError } from 'ofetch'
import type { ComputedRef, Ref } from 'vue'
import type { Product } from '~/utils/types'

export interface ProductQuery {
  category?: string
  page?: number
}

/** What a page gets from `useProducts`: the products, those in stock, and the request's state. */
export interface ProductList {
  products: Ref<Product[]>
  inStock: ComputedRef<Product[]>
  pending: Ref<boolean>
  error: Ref<FetchError | null>
  refresh: () => Promise<void>
}

/**
 * Paged product list for a category. The query is reactive: changing
 * `category` or `page` refetches, and callers get typed `pending`/`error`.
 */
export function useProducts(query: Ref<ProductQuery>): ProductList {
  const { data, pending, error, refresh } = useFetch<Product[]>('/api/products', {
    key: computed(() => `products:${query.value.category ?? 'all'}:${query.value.page ?? 1}`),
    query,
    default: () => [],
  })

  const inStock = computed(() => data.value.filter((p) => p.stock > 0))

  return { products: data, inStock, pending, error, refresh }
}
