export interface Product {
  id: number
  name: string
  price: number
  stock: number
  category: string
}

export interface CartLine {
  product: Product
  quantity: number
}
