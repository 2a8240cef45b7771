"""Limits on how often anyone may try: the client's address as the service sees it
behind its proxies (for sign-in lock-out and rate limits), and the shared counters that
the API's rate limits keep in the database."""
