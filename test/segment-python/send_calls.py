"""A Python shop's server as Segment's library sends its calls (args: key, host, user id).

Written the way a Django or Flask backend writes them: a page and a screen without a name, an order straight from
the database (ids as numbers, amounts as Decimal, a coupon and a SKU that are None), a ticket without a priority.
The library sends each None as null. Errors go to stderr; "sent" to stdout once it has shut down.
"""
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from segment import analytics

key, host, user = sys.argv[1:4]
failures = []
analytics.write_key = key
analytics.host = host
analytics.on_error = lambda error, batch: failures.append(error)

placed = datetime.now(timezone.utc) - timedelta(days=2)
analytics.identify(user, {"email": f"{user}@example.com", "plan": "pro", "phone": None})
analytics.page(user, properties={"url": "https://shop.example/docs?utm_source=newsletter"})
analytics.screen(user)
# Segment's e-commerce spec names, as a shop plugin sends them
analytics.track(user, "Order Completed", {
    "order_id": 50314,
    "total": Decimal("30.50"),
    "currency": "EUR",
    "coupon": None,
    "products": [{"product_id": 507, "price": Decimal("15.25"), "quantity": 2, "sku": None}],
}, timestamp=placed)
# Touchpoint's names, from a model whose amounts are strings and whose store is NULL
analytics.track(user, "Order Completed", {
    "orderId": 1235,
    "revenue": "12.50",
    "currency": "EUR",
    "channel": "phone",
    "storeId": None,
}, timestamp=placed + timedelta(hours=1))
analytics.track(user, "Support Ticket Opened", {"ticketId": "T-1", "priority": None, "category": None})
analytics.group(user, "acme", {"industry": "retail"})
analytics.alias(f"anon-{user}", user)
analytics.flush()
analytics.shutdown()
if failures:
    sys.exit(f"failed: {failures}")
print("sent")
