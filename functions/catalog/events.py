"""The events the catalog consumes (their contracts are in events/)."""

STOCK_CHANGED = "com.ecom.inventory.stock.changed"
