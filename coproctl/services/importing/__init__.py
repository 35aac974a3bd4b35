"""Importing accounts: the call-for-funds export and the legacy extranet's accounts.

Start at :func:`run.import_file`: the stages, one after the other, each handing its value
to the next and never calling back into an earlier one.

- ``coproctl.importers`` (read): the file -> a ``ReadResult`` (rows, line errors, notes);
- :mod:`.plan`: rows -> owner and account drafts, rejections, warnings (no database);
- :mod:`.compare`: a batch of drafts and what the database holds -> its changes;
- :mod:`.write`: batches compared, hashed on the pool (:mod:`.hashes`), written whole;
- :mod:`.summary`: what staff and ``--json`` are told.

Beside them: :mod:`.kinds` and :mod:`.legacy` (what each import reads and stores),
:mod:`.notes` (a line's rejection or warning), :mod:`.erased` (erased owners, remembered as
keyed hashes so that an import does not bring them back).
"""
