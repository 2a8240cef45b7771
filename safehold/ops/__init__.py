"""Operations: backup and restore (with the checks of what a restore brought back), and
the production server (gunicorn). Not domain code: nothing in the apps imports it."""
