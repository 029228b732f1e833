const currency = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' })

/** Formats an amount in cents as a price, e.g. 1999 -> "$19.99". */
export function formatPrice(cents: number): string {
  if (!Number.isFinite(cents)) {
    throw new RangeError(`formatPrice: expected a finite number of cents, got ${cents}`)
  }
  return currency.format(cents / 100)
}
