"""Invented data: the demo's staff and cases (`safehold demo`). Nothing here is a real
person; nothing in the apps imports it."""
