"""Synthetic data: realistic en_GB people, households and child protection cases, from a seed.

`generator` is pure (plain rows from a seed), `writer` puts them in the database, `volumes`
holds the shape of a force-year. Run it with `manage.py generate` or `safeguard generate`.
"""
