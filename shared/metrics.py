"""Prometheus metrics every service may update; each service serves its own `/metrics`."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "santhai_http_requests_total", "HTTP requests answered", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "santhai_http_request_seconds",
    "Time to answer an HTTP request",
    ["service", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
REQUESTS_SHED = Counter(
    "santhai_http_requests_shed_total", "HTTP requests answered 503 at once: too many in flight", ["service"]
)
ORDERS_PLACED = Counter("santhai_orders_placed_total", "Orders committed by checkout")
EVENTS_PUBLISHED = Counter("santhai_events_published_total", "Events confirmed by the broker", ["event_type"])
EVENTS_CONSUMED = Counter("santhai_events_consumed_total", "Events handled by a consumer", ["event_type"])
EVENTS_DEAD_LETTERED = Counter(
    "santhai_events_dead_lettered_total", "Messages sent to the dead-letter queue", ["reason"]
)
OUTBOX_PENDING = Gauge("santhai_outbox_pending", "Outbox rows not yet confirmed by the broker")
SOCKETS_OPEN = Gauge("santhai_websockets_open", "WebSockets open", ["service", "kind"])
COMMIT_TO_PUSH = Histogram(
    "santhai_order_commit_to_push_seconds",
    "Time from an order event's commit to its push on a client socket",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
