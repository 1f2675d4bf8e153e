"""Order sessions (carts) and their order lines."""
