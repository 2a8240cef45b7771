from django.db import models


class Counter(models.Model):
    """A rate-limit counter: how many requests one key (a token, an address) has made in
    its current time window. counters.py reads and writes these rows; on PostgreSQL the
    table is unlogged (migration 0002)."""

    cache_key = models.CharField(max_length=255, primary_key=True)  # SHA-256 of the key
    value = models.BigIntegerField()
    expires = models.BigIntegerField(
        db_index=True, help_text="Unix time after which the counter is spent"
    )

    def __str__(self) -> str:
        return f"{self.cache_key}: {self.value}"
