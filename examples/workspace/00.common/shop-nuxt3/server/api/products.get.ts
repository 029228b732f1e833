import { z } from 'zod'
import type { Product } from '~/utils/types'

const Query = z.object({
  category: z.string().max(40).optional(),
  page: z.coerce.number().int().min(1).default(1),
})

const PAGE_SIZE = 20

export default defineEventHandler(async (event): Promise<Product[]> => {
  const parsed = Query.safeParse(getQuery(event))
  if (!parsed.success) {
    throw createError({ statusCode: 400, statusMessage: 'Invalid query', data: parsed.error.flatten() })
  }
  const { category, page } = parsed.data
  const all = await useStorage('db').getItem<Product[]>('products')
  if (!all) throw createError({ statusCode: 503, statusMessage: 'Catalogue unavailable' })
  const filtered = category ? all.filter((p) => p.category === category) : all
  return filtered.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE)
})
