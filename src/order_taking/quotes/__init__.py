"""Quote carts and quote lines: prices asked for before ordering."""
