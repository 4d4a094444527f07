"""What the inventory uses of the outside world: the catalog (is a SKU one it sells?)."""
