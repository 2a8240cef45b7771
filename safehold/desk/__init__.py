"""The desk: pages that compose several domain apps (the home page with its queues, the
case page, the queue pages, the daily digest). It sits above the domain: it may import
cases, risk, casework, closure, records and evidence; none of them imports it
(docs/architecture.md)."""
