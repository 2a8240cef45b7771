from django.db import models


class Counter(models.Model):
    """A rate-limit counter: how many requests one key (a token, an address) has made in
    one time window. django-ratelimit names the key and the window; the cache backend in
    counters.py reads and writes these rows."""

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.BigIntegerField()
    expires = models.BigIntegerField(
        db_index=True, help_text="Unix time after which the counter is spent"
    )

    def __str__(self) -> str:
        return f"{self.cache_key}: {self.value}"
