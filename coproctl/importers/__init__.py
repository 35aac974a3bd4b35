"""Reading import files into rows and per-line errors, without any database access.

``decoding`` finds the text encoding, ``fields`` knows the columns and their header aliases,
``reader`` turns CSV (or JSON lines) into :class:`~coproctl.importers.reader.Table`, and
``report`` writes the rejected rows back as CSV for staff to fix.
"""
